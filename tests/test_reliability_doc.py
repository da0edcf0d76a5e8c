"""``docs/reliability.md`` names, for each class of bad input, a test that exists.

Each row's last cell cites tests as ``tests/test_x.py::TestClass::test_name``, or, after
one such citation in the same cell, as ``TestClass::test_name`` or ``test_name`` (the same
file, and class). Every citation must be a real test, so the page cannot promise a proof
that was renamed away.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")


def _tests_in(path: Path) -> set[str]:
    """``Class::name`` and ``name`` of every test function in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            out.add(node.name)
            out.update(f"{node.name}::{f.name}" for f in node.body if isinstance(f, ast.FunctionDef))
        elif isinstance(node, ast.FunctionDef):
            out.add(node.name)
    return out


def citations() -> list[tuple[str, str]]:
    """(file, ``Class::test`` or ``test``) for every citation in the page's tables."""
    out: list[tuple[str, str]] = []
    for line in PAGE.splitlines():
        if not line.startswith("| ") or line.startswith(("| input", "|---")):
            continue
        cell = line.rstrip("|").rsplit("|", 1)[-1]
        file = klass = None
        for ref in re.findall(r"`([^`]+)`", cell):
            parts = ref.split("::")
            if parts[0].startswith("tests/"):
                file, parts = parts[0], parts[1:]
                klass = None
            if parts and parts[0][:1].isupper():
                klass, parts = parts[0], parts[1:]
            assert file is not None, f"a citation without a file before it: {ref!r} in {line!r}"
            name = "::".join([*([klass] if klass else []), *parts])
            out.append((file, name or (klass or "")))
    return out


def test_the_page_cites_tests() -> None:
    """The tables cite tests (the parser found them)."""
    assert len(citations()) >= 30


@pytest.mark.parametrize(("file", "name"), citations())
def test_each_citation_is_a_real_test(file: str, name: str) -> None:
    """The cited module exists and holds the cited class or test."""
    path = ROOT / file
    assert path.is_file(), file
    if name:
        assert name in _tests_in(path), f"{file}::{name}"
