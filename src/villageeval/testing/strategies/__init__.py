"""Hypothesis strategies for villageeval: valid schemes, cohorts and evidence.

Property-test code that reads or grades under a scheme against *every* scheme
the format allows, and against every cohort such a scheme accepts::

    from hypothesis import given, strategies as st
    import villageeval as ve
    from villageeval.testing.strategies import cohorts, schemes

    @given(st.data())
    def test_my_report_never_crashes(data):
        scheme = data.draw(schemes())
        cohort = data.draw(cohorts(scheme))
        my_report(ve.evaluate(scheme, cohort))

Everything is valid *by construction*, not by filtering: :func:`schemes`
draws the plain TOML-shaped data of a scheme (weights that add up, bands that
partition every possible rounded total, non-redundant condition rules, declared
facts, quotas that the validator accepts ...) and loads it with
:func:`villageeval.scheme_from_dict`; :func:`cohorts` reads a loaded scheme (a
generated one, a bundled one or your own) and draws evidence that meets each
instrument's sampling rules, the facts and linked outcomes each role's rules
read, and the groups each quota counts by. So every subject of a generated
cohort is ``graded`` or ``ineligible``, never ``insufficient_evidence``; use
:func:`invalid_evidence` for the other side.

All numbers are exact (``int``, :class:`~fractions.Fraction`,
:class:`~decimal.Decimal`), as the engine requires. The strategies lean towards
the cases where bugs live: respondent counts exactly at ``min_respondents``,
strata at their ``min`` and ``max``, scores at their bounds, band edges that are
inclusive on one side only, and several subjects with identical evidence so
that quotas meet ties at their cut.

Evidence is drawn per instrument kind, by the strategies object the kind's spec
names (``InstrumentKind(strategies="pkg.module:NAME")``: an object with ``codes``,
``evidence(scheme, instrument_id, level)`` and ``invalid_evidence(scheme,
instrument_id)``, described in ``docs/testing.md``): the built-in kinds ship theirs,
and a plugin kind can ship its own; ``plugin_evidence`` still serves a kind that
ships none. The limits of every rule (the fewest ballots, a
quorum, a stratum's respondents, band edges on the grid of rounded totals, the
periods a streak looks back on) come from :mod:`villageeval._kernel`, the same
functions the engine and ``check`` use, so the strategies follow a change of a rule.

This package needs hypothesis (``pip install 'villageeval[testing]'``).
"""

from __future__ import annotations

from ._cohorts import cohorts, subjects
from ._dispatch import INSTRUMENT_KINDS
from ._evidence import evidence, invalid_evidence
from ._invalid import INVALID_EVIDENCE_CODES
from ._protocol import PluginEvidence
from ._schemes import GRADING_KINDS, scheme_data, schemes

__all__ = [
    "GRADING_KINDS",
    "INSTRUMENT_KINDS",
    "INVALID_EVIDENCE_CODES",
    "PluginEvidence",
    "cohorts",
    "evidence",
    "invalid_evidence",
    "scheme_data",
    "schemes",
    "subjects",
]
