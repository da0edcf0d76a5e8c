"""The strategies of the built-in instrument kinds, one module per kind.

The built-in kinds' specs name these objects (``strategies =
"villageeval.testing.strategies._kinds:BALLOT"`` and so on), as a plugin kind names
its own: each object draws instruments of its kind for generated schemes, valid
evidence at a level, and invalid evidence with the reason codes it gives. The kinds
whose sub-score is a count (``item_ballot``, ``ledger``) draw instruments that rules
read but no weighting weighs (``weighable = False``), and pair each invalid evidence
with the one code it gives (``invalid_cases``).
"""

from __future__ import annotations

from .ballot import BALLOT
from .item_ballot import ITEM_BALLOT
from .ledger import LEDGER
from .points import POINTS
from .rating import RATING
from .score import SCORE

__all__ = ["BALLOT", "ITEM_BALLOT", "LEDGER", "POINTS", "RATING", "SCORE"]
