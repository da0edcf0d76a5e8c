"""pytest plugin: every ``cases/*.toml`` beside a ``scheme.toml`` is a test.

Registered through the ``pytest11`` entry point, so ``pytest schemes/`` in a
locality package runs its cases with no conftest. The case runner is imported
only when a case runs; but loading this module imports its parent packages,
``villageeval`` and ``villageeval.testing``, so every pytest run in an
environment with villageeval installed pays for that import (about 0.3 s).
Disable with ``-p no:villageeval``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def _is_case(path: Path) -> bool:
    return path.suffix == ".toml" and path.parent.name == "cases" and (path.parent.parent / "scheme.toml").is_file()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """Collect scheme case files."""
    if _is_case(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    """A case file: one test."""

    def collect(self) -> list[pytest.Item]:
        return [CaseItem.from_parent(self, name=self.path.stem)]


class CaseFailed(Exception):
    """A case's outcomes differ from its expectations."""


class CaseItem(pytest.Item):
    """Runs one case through :func:`villageeval.testing._cases.run_case`."""

    def runtest(self) -> None:
        from ._cases import run_case

        result = run_case(self.path)
        if not result.passed:
            raise CaseFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailed):
            result = excinfo.value.args[0]
            head = f"case {self.path}" + (f": {result.description}" if result.description else "")
            return f"{head}\n{result.report()}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case {self.name}"
