"""青山县 (a fictional county): its village leadership assessment scheme for villageeval.

Installing this package is all it takes: villageeval finds the plugin
(:mod:`villageeval_qingshan.plugin`) through the ``villageeval`` entry point, and
with it the scheme ``qingshan-annual-2024`` and the predicate
``weak_collective_economy``.
"""

from __future__ import annotations

__all__ = ["SCHEME_ID"]

SCHEME_ID = "qingshan-annual-2024"
