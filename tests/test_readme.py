"""The README's promises: its two commands and its Python example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_first_block_is_two_commands() -> None:
    """The first sh block holds exactly the install-and-demo line and the test line."""
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line.strip()]
    assert 2 == len(lines)
    assert "villageeval evaluate huining-midterm-2023" in lines[0]
    assert "pytest" in lines[1]


def test_python_example_runs_as_shown(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Each ``# result`` comment under an expression in the Python example is what it evaluates to."""
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    lines = block.group(1).splitlines()
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt.startswith("# ") and not line.startswith("#"):
            shown = nxt[2:]
            value = eval(line, namespace)
            assert shown == repr(value)
        elif line and not line.startswith("#"):
            exec(line, namespace)
    capsys.readouterr()
