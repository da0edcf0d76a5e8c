"""``docs/integrating.md``'s commands and programs, run as the page shows them.

Every ```` ```sh ```` block is run line by line with ``bash`` in a scratch directory that
holds the repository's ``schemes/`` and a ``token.txt``, with this environment's
``villageeval`` first on the ``PATH``; each line must succeed. ```` ```sh http ````
blocks need the service: their first line (``villageeval serve ...``) is started in the
background on a free port, and the other lines are run against it. The Java programs
are run with ``java File.java`` (JDK 11 and later) where a JDK is installed, and skipped
with a message otherwise.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "integrating.md").read_text(encoding="utf-8")
TOKEN = "a-token-for-the-page"


def _blocks(info: str) -> list[str]:
    return re.findall(rf"^```{re.escape(info)}\n(.*?)^```", PAGE, re.S | re.M)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    (tmp_path / "schemes").symlink_to(ROOT / "schemes")
    (tmp_path / "token.txt").write_text(TOKEN + "\n", encoding="utf-8")
    return tmp_path


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {
        **os.environ,
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
        "VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD": "1",
    }


def _run(line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120)


def _commands(block: str) -> list[str]:
    return [line for line in block.splitlines() if line.strip() and not line.startswith("pip install")]


def test_the_page_has_its_blocks() -> None:
    """The page's sh, http and Java blocks are found (so the tests below test something)."""
    assert (4, 2, 2) <= (len(_blocks("sh")), len(_blocks("sh http")), len(_blocks("java")))


@pytest.mark.parametrize("block", _blocks("sh"), ids=lambda b: b.splitlines()[0][:50])
def test_shell_commands(block: str, scratch: Path) -> None:
    """Each command of the block succeeds, and what it writes is the JSON the page says."""
    for line in _commands(block):
        done = _run(line, scratch)
        assert 0 == done.returncode, f"{line}\n{done.stderr}"
    for written in scratch.glob("*.json"):
        text = written.read_text(encoding="utf-8")
        assert text.lstrip().startswith("{"), written


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def service(scratch: Path) -> tuple[Path, str]:
    """The page's `villageeval serve` line, started on a free port instead of 8000."""
    pytest.importorskip("uvicorn", reason="the HTTP examples need the server extra")
    serve = _blocks("sh http")[0].splitlines()[0]
    assert serve.startswith("villageeval serve --port 8000")
    port = _free_port()
    proc = subprocess.Popen(
        ["bash", "-c", "exec " + serve.replace("8000", str(port))],
        cwd=scratch,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("the service did not start")
    yield scratch, str(port)
    proc.terminate()
    proc.wait(timeout=10)


def test_http_commands(service: tuple[Path, str]) -> None:
    """The curl lines, against the service the page starts: each succeeds."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    scratch, port = service
    for line in _commands(_blocks("sh http")[1]):
        done = _run(line.replace("8000", port), scratch)
        assert 0 == done.returncode, f"{line}\n{done.stdout}\n{done.stderr}"
    assert '"decision_id"' in (scratch / "result-over-http.json").read_text(encoding="utf-8")


def _java(source: str, scratch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    name = re.search(r"public class (\w+)", source)
    assert name is not None
    (scratch / f"{name.group(1)}.java").write_text(source, encoding="utf-8")
    return subprocess.run(
        ["java", f"{name.group(1)}.java", *args], cwd=scratch, env=_env(), capture_output=True, text=True, timeout=300
    )


@pytest.mark.skipif(shutil.which("java") is None, reason="no JDK here: the Java programs are not run")
def test_java_subprocess(scratch: Path) -> None:
    """The ProcessBuilder program grades the demo through the command line."""
    done = _java(_blocks("java")[0], scratch)
    assert ("graded", 0) == (done.stdout.strip(), done.returncode), done.stderr


@pytest.mark.skipif(shutil.which("java") is None, reason="no JDK here: the Java programs are not run")
def test_java_http(service: tuple[Path, str]) -> None:
    """The java.net.http program grades the demo through the service."""
    scratch, port = service
    done = _java(_blocks("java")[1], scratch, f"http://127.0.0.1:{port}")
    assert ("graded", 0) == (done.stdout.strip(), done.returncode), done.stderr
