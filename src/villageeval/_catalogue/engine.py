"""Catalogue entries: engine (see villageeval._catalogue)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {}
