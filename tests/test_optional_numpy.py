"""numpy is optional: villageeval works without it, and its columnar path says what it needs."""

from __future__ import annotations

import subprocess
import sys

BLOCK_NUMPY = "import sys; sys.modules['numpy'] = None\n"  # an import of numpy now fails


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_NUMPY + code], capture_output=True, text=True, check=False)


def test_villageeval_without_numpy() -> None:
    done = run(
        "import villageeval as ve\n"
        "r = ve.evaluate(ve.load_scheme('huining-midterm-2023'), ve.Cohort([]))\n"
        "print([n for n, m in sys.modules.items() if n.startswith('numpy') and m is not None], len(r.outcomes))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[] 0"


def test_columnar_names_the_extra() -> None:
    done = run("import villageeval.columnar")
    assert done.returncode != 0
    assert "villageeval.columnar needs numpy: pip install 'villageeval[numpy]'" in done.stderr
