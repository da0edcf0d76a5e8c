"""Grading a whole cohort given as columns, in integer arrays (the ``numpy`` extra).

A province grades hundreds of thousands of subjects whose evidence sits in a
database table: one row per subject, one column per tally. :class:`ColumnarCohort`
holds such a table, and :func:`evaluate_columnar` grades it with numpy, exactly:
scores, totals and roundings are 64-bit integer arrays (or Python integers where a
bound says 64 bits might not hold), never floats. Install with
``pip install 'villageeval[numpy]'``; the rest of villageeval does not need numpy.

The contract is the pure-Python engine's: a row is the :class:`~villageeval.Subject`
that :meth:`ColumnarCohort.subject` builds from it, and ``evaluate_columnar(scheme,
table)`` gives each subject the status, totals and grades that
``evaluate(scheme, table.to_cohort(), trace=False)`` gives, with the same quota usage
and warnings. It is the quick path of :mod:`villageeval._engine` over arrays:

- rows whose cells are plainly valid are checked, scored, totalled, rounded, banded,
  vetoed and capped in arrays;
- any other row (a bad or missing cell, a role whose rules need more than the arrays
  hold: a Python predicate, an ``applies_when``, grading by conditions, an instrument
  whose kind has no form over arrays) is built into a ``Subject`` and evaluated by the
  pure-Python engine, which also explains it;
- ``at_most`` quotas rank in integers, per population; a scheme with an ``at_least``
  quota, or with plugins that adjust outcomes, is evaluated by the pure-Python engine
  as a whole (the same result, without the speed).

A table comes as numpy arrays and lists (``ColumnarCohort(...)``), from an Arrow table
(:meth:`ColumnarCohort.from_arrow`, the ``arrow`` extra) or from a pandas DataFrame
(:meth:`ColumnarCohort.from_pandas`, the ``pandas`` extra), with the same dotted column
names; integer columns without nulls are read without a copy where the arrays allow.

The result holds statuses, totals and grades only. For reasons, adjustments,
consequences and the trace, evaluate ``table.to_cohort()`` with
:func:`villageeval.evaluate`. Column names and cell values: ``docs/columnar.md``.
"""

from __future__ import annotations

try:
    import numpy  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("villageeval.columnar needs numpy: pip install 'villageeval[numpy]'") from e

from ._cohort import ColumnarCohort, Fixed, Ragged
from ._evaluate import ColumnarResult, evaluate_columnar

__all__ = ["ColumnarCohort", "ColumnarResult", "Fixed", "Ragged", "evaluate_columnar"]
