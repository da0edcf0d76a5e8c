"""What an instrument kind's strategies object is: the protocol behind ``InstrumentKind.strategies``.

Evidence is drawn per kind, by the kind, never by a branch here that knows kinds by
name: an instrument kind names its strategies object as ``"module:name"``
(``InstrumentKind(strategies="pkg.module:NAME")``), the object is imported when an
instrument of that kind first needs evidence, and it is asked for valid evidence at a
level (random, best, worst) and for evidence that fails the instrument's rules. A
built-in kind's object also draws instruments of that kind for generated schemes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from hypothesis.strategies import SearchStrategy

if TYPE_CHECKING:
    from ..._model import Scheme
    from ._instruments import InstrumentDraw

__all__ = ["LEVELS", "EvidenceStrategies", "KindStrategies", "Level", "PluginEvidence"]

#: How good a subject's evidence is: drawn at random, or the best (or worst) the
#: instrument can give, so that several subjects reach the top (or bottom) total.
Level = Literal["random", "best", "worst"]
LEVELS: tuple[Level, ...] = ("random", "best", "worst")

#: For instrument kinds that plugins register: kind name → a function from the
#: instrument's config to a strategy of valid evidence for it.
PluginEvidence = Mapping[str, Callable[[Any], SearchStrategy[Any]]]


@runtime_checkable
class EvidenceStrategies(Protocol):
    """The strategies of one instrument kind's evidence (what a plugin kind may ship).

    ``codes``: every reason code :meth:`invalid_evidence` can give (``ReasonCode``
    members for the built-in kinds; a plugin kind may add its own codes).
    """

    @property
    def codes(self) -> frozenset[str]: ...

    def evidence(self, scheme: Scheme, instrument_id: str, level: Level) -> SearchStrategy[Any]:
        """Evidence the instrument accepts; at ``best`` (``worst``) the highest (lowest) sub-score it can give."""
        ...

    def invalid_evidence(self, scheme: Scheme, instrument_id: str) -> SearchStrategy[Any]:
        """Evidence with at least one defect the instrument's rules reject, each giving one of :attr:`codes`."""
        ...


@runtime_checkable
class KindStrategies(EvidenceStrategies, Protocol):
    """A kind's strategies that :func:`~villageeval.testing.strategies.schemes` can also generate instruments of.

    ``names``: (instrument id, title) pairs for its instruments, as documents name them.
    ``weighable``: whether it can draw an instrument that a weighting weighs (one whose
    kind gives a score range); a kind whose sub-score is a count (``item_ballot``,
    ``ledger``) draws instruments that rules read but no weighting weighs.
    """

    @property
    def names(self) -> Sequence[tuple[str, str]]: ...

    @property
    def weighable(self) -> bool: ...

    def instrument(self, draw: InstrumentDraw) -> None:
        """Fill in ``draw.config``, the instrument's TOML table, with the kind's own keys."""
        ...
