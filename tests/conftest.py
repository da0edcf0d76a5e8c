"""Shared fixtures and the hypothesis profiles.

Profiles (choose with the environment variable ``HYPOTHESIS_PROFILE``):

- ``dev`` (default): 50 examples per property, for the edit-test loop;
- ``ci``: 100 examples, derandomized (the same examples on every run), no deadline,
  and a reproduction blob printed on failure;
- ``thorough``: 1000 examples, for a search before a release.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

import villageeval as ve

settings.register_profile("dev", max_examples=50)
settings.register_profile("ci", max_examples=100, derandomize=True, deadline=None, print_blob=True)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
SOURCE = ROOT / "src" / "villageeval"


def pytest_configure(config: pytest.Config) -> None:
    """Tests test the source: stop at once if ``villageeval`` was imported from elsewhere.

    A non-editable ``pip install .`` puts a copy in site-packages, and pytest's plugin
    entry point imports that copy before any test runs: the suite would then test the
    copy, and a change to ``src/`` (deleting every veto, say) would pass unseen.
    """
    imported = Path(ve.__file__).resolve().parent
    if imported != SOURCE:
        raise pytest.UsageError(
            f"villageeval is imported from {imported}, not from {SOURCE}: the tests must test the source. "
            "Install it editable (pip install -e '.[test]'), as README.md says."
        )


@pytest.fixture(scope="session")
def huining() -> ve.Scheme:
    """The bundled scheme huining-midterm-2023, loaded from the source tree."""
    return ve.load_scheme(SCHEMES / "huining-midterm-2023")
