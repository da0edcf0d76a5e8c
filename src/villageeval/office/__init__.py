"""Workbooks for township offices (the ``excel`` extra): a 汇总表 template, reading it back, results out.

The people who collect the ballots are township clerks, and they work in Excel. This
package writes a scheme's 汇总表 as a workbook to fill in (:func:`write_template`),
reads a filled workbook or its CSV back into a :class:`~villageeval.Cohort`, exactly
(:func:`read_sheets`), and writes a result as a workbook or a CSV
(:func:`write_result_workbook`, :func:`write_result_csv`). Install with
``pip install 'villageeval[excel]'``; the rest of villageeval does not need openpyxl.
The clerk's walk-through, in Chinese: ``docs/offices.md``.
"""

from __future__ import annotations

try:
    import openpyxl  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("villageeval.office needs openpyxl: pip install 'villageeval[excel]'") from e

from ._read import SheetsRead, read_sheets
from ._results import write_result_csv, write_result_workbook
from ._template import write_template

__all__ = ["SheetsRead", "read_sheets", "write_result_csv", "write_result_workbook", "write_template"]
