"""``evaluate`` and Python's cyclic garbage collector.

A large call of ``evaluate`` (``PAUSE_AT`` subjects or more) pauses the collector for
the call (its objects are acyclic) and restores it after; a smaller one leaves the
interpreter's collector alone, as servers and threads that embed the library expect.
The outcomes outlive the call; so that the collector walks them once and not twice, a
large call ends with one collection of the two young generations
(``_collect_backlog``). These tests pin down that the caller's collector is left as it
was found (on, off, or tuned off with a threshold of 0), and when that closing
collection happens. They watch the collector through ``gc.callbacks``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from tests.test_engine_properties import huining_subject
from tests.test_quick_path import LEAST

import villageeval as ve
from villageeval._engine import PAUSE_AT

# A valid huining subject (四、2–四、6): the least evidence the scheme accepts, and a committee score.
EVIDENCE = {**LEAST, "party_committee": 90}


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection from now on; the collector's settings restored after."""
    seen: list[int] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    enabled, threshold = gc.isenabled(), gc.get_threshold()
    gc.collect()
    gc.callbacks.append(watch)
    try:
        yield seen
    finally:
        gc.callbacks.remove(watch)
        gc.set_threshold(*threshold)
        (gc.enable if enabled else gc.disable)()


def cohort_of(n: int) -> ve.Cohort:
    return ve.Cohort([huining_subject(f"s{i:05d}", EVIDENCE) for i in range(n)])


@pytest.fixture(scope="module")
def scheme() -> ve.Scheme:
    return ve.load_scheme("huining-midterm-2023")


@pytest.fixture(scope="module")
def large() -> ve.Cohort:
    # Large enough to pause the collector; and each outcome leaves at least one tracked
    # object (the Outcome itself), so more than the 700 × 10 that default thresholds let
    # a middle collection see.
    return cohort_of(max(PAUSE_AT, 8_000))


def test_a_large_call_ends_with_one_young_collection(
    scheme: ve.Scheme, large: ve.Cohort, collections: list[int]
) -> None:
    gc.enable()
    gc.set_threshold(700, 10, 10)
    result = ve.evaluate(scheme, large, trace=False)
    during = list(collections)
    # The paused call collects nothing until its end, then the two young generations once.
    assert during == [1]
    assert gc.isenabled()
    # Every subject of the huining demo evidence is graded (the collection lost nothing).
    assert len(result) == max(PAUSE_AT, 8_000)
    assert {o.status for o in result} == {"graded"}


def test_a_small_call_leaves_collection_to_the_collector(scheme: ve.Scheme, collections: list[int]) -> None:
    gc.enable()
    gc.set_threshold(700, 10, 10)
    ve.evaluate(scheme, cohort_of(3), trace=False)
    assert collections == []
    assert gc.isenabled()


def test_a_call_below_the_size_never_switches_the_collector(
    scheme: ve.Scheme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cohort below PAUSE_AT (a township's, and more) is graded without touching the collector's switch."""
    switched: list[str] = []
    monkeypatch.setattr(gc, "disable", lambda: switched.append("disable"))
    monkeypatch.setattr(gc, "enable", lambda: switched.append("enable"))
    ve.evaluate(scheme, cohort_of(PAUSE_AT - 1), trace=False)
    assert [] == switched


def test_a_collector_switched_off_stays_off(scheme: ve.Scheme, large: ve.Cohort, collections: list[int]) -> None:
    gc.disable()
    ve.evaluate(scheme, large, trace=False)
    assert not gc.isenabled()
    assert collections == []


def test_a_collector_tuned_off_is_not_run(scheme: ve.Scheme, large: ve.Cohort, collections: list[int]) -> None:
    gc.enable()
    gc.set_threshold(0)
    ve.evaluate(scheme, large, trace=False)
    assert gc.isenabled()
    assert collections == []


def test_the_collector_is_restored_when_evaluation_fails(scheme: ve.Scheme, collections: list[int]) -> None:
    gc.enable()
    stranger = ve.Cohort([huining_subject("s1", EVIDENCE, role="mayor")])
    with pytest.raises(ve.CohortError):
        ve.evaluate(scheme, stranger)
    assert gc.isenabled()
