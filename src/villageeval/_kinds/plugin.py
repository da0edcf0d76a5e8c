"""A plugin kind's ``score`` function, held to the rules the built-in kinds keep."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from .._errors import PluginError
from .._numbers import show
from .evidence import check_coverage
from .spec import EvidenceProblem, QuickScorer, Scoring

if TYPE_CHECKING:
    from .._model import Scheme
    from .spec import Kind

__all__ = ["PluginBound"]


class PluginBound:
    """An instrument of a kind registered with a ``score`` function (no ``bind``).

    Coverage is checked before ``score`` is called; :class:`EvidenceProblem` becomes a
    reason; anything else wrong (an exception, a float, a score outside the declared
    range) is a :class:`~villageeval.PluginError` naming the kind, the instrument and
    the subject.
    """

    def __init__(self, kind: Kind, config: Any, scheme: Scheme) -> None:
        self.kind = kind
        self.config = config
        self.range = kind.score_range(config, scheme)

    def score(self, ev: Any, scoring: Scoring) -> Fraction | None:
        config, name = self.config, self.kind.name
        iid, subject = scoring.instrument, scoring.state.subject.id
        if getattr(config, "must_cover", ()) and not check_coverage(config, getattr(ev, "coverage", {}), scoring):
            return None
        score = self.kind.declared.score
        assert score is not None  # normalise() makes sure of it when there is no bind
        try:
            value = score(config, ev, scoring.context)
        except EvidenceProblem as e:
            scoring.problem(e.code, e.message)
            return None
        except Exception as e:
            raise PluginError(
                f"instrument kind {name!r} failed to score {iid!r} for subject {subject!r}: {type(e).__name__}: {e}"
            ) from e
        if not isinstance(value, (int, Fraction)) or isinstance(value, bool):
            raise PluginError(
                f"instrument kind {name!r} returned {value!r} for {iid!r} of subject {subject!r}; "
                "expected an exact Fraction or int"
            )
        if self.range is not None:
            low, high = self.range
            if not low <= value <= high:
                raise PluginError(
                    f"instrument kind {name!r} scored {iid!r} of subject {subject!r} at {value}, "
                    f"outside its declared range {low}–{high}"
                )
        value = Fraction(value)
        scoring.explain(show(value))
        return value

    def quick(self, keep: bool) -> QuickScorer | None:
        """None: the engine scores a plugin kind with ``score`` every time."""
        return None
