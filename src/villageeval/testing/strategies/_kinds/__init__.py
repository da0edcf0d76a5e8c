"""The strategies of the built-in instrument kinds, one module per kind.

The built-in kinds' specs name these objects (``strategies =
"villageeval.testing.strategies._kinds:BALLOT"`` and so on), as a plugin kind names
its own: each object draws instruments of its kind for generated schemes, valid
evidence at a level, and invalid evidence with the reason codes it gives.
"""

from __future__ import annotations

from .ballot import BALLOT
from .points import POINTS
from .rating import RATING
from .score import SCORE

__all__ = ["BALLOT", "POINTS", "RATING", "SCORE"]
