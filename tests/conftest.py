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

SCHEMES = Path(__file__).parent.parent / "schemes"


@pytest.fixture(scope="session")
def huining() -> ve.Scheme:
    """The bundled scheme huining-midterm-2023, loaded from the source tree."""
    return ve.load_scheme(SCHEMES / "huining-midterm-2023")
