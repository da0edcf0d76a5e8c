"""Instrument kinds: one module per kind, each declaring an :class:`~villageeval.InstrumentKind`.

The built-in kinds are registered by villageeval's built-in plugin
(:mod:`villageeval._builtin`) through ``villageeval_register_instrument_kinds``, the
hook plugins use for their own kinds; the engine, the validator, the columnar path
and the strategies find every kind, built-in or not, through the registry. To add a
kind: write its module here (config class, evidence, validation, scoring), add it to
:data:`BUILTIN_KINDS`, and document it in ``docs/scheme-format.md``.
"""

from __future__ import annotations

from .ballot import BALLOT
from .item_ballot import ITEM_BALLOT
from .ledger import LEDGER
from .points import POINTS
from .rating import RATING
from .score import SCORE
from .spec import InstrumentKind

__all__ = ["BUILTIN_KINDS"]

#: The kinds villageeval registers itself, in the order the format reference documents them.
BUILTIN_KINDS: tuple[InstrumentKind, ...] = (BALLOT, RATING, SCORE, POINTS, ITEM_BALLOT, LEDGER)
