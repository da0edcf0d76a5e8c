"""A printable report of a result, in one self-contained HTML file (the ``report`` extra).

What a township prints for its committee: the scheme and its source, totals and the
grade distribution as a chart, quota usage, ties and referrals, a section per village
with each outcome's explanation and clauses, and the audit stamp. Inline CSS and SVG,
nothing fetched at view time; a print stylesheet for A4. Rendered with Jinja2
(``pip install 'villageeval[report]'``); Chinese by default.
"""

from __future__ import annotations

try:
    import jinja2  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("villageeval.report needs Jinja2: pip install 'villageeval[report]'") from e

from ._render import render_report, write_report

__all__ = ["render_report", "write_report"]
