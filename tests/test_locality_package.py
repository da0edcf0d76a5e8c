"""The example locality package ``examples/locality-package`` (青山县, fictional).

Two levels:

- in this process, the package's plugin module is registered by hand and its cases,
  checks and adjustment are held to what its files say (fast);
- ``slow``: the package is pip-installed into a throwaway virtual environment and
  the ``villageeval`` command of that environment finds it through its entry point
  alone, with villageeval itself unchanged (the environment reuses this one's
  packages through a ``.pth`` file; pip may download hatchling to build the package).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import tomli

import villageeval as ve
from villageeval._numbers import exact_text
from villageeval._plugins import AUTOLOAD_ENV

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "examples" / "locality-package"
SCHEME_ID = "qingshan-annual-2024"
SCHEME_DIR = PACKAGE / "src" / "villageeval_qingshan" / "schemes" / SCHEME_ID
CASES = sorted((SCHEME_DIR / "cases").glob("*.toml"))


def entry_point_name() -> str:
    """The plugin's name: the one entry point the package declares in the villageeval group."""
    project = tomli.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    ((name, target),) = project["entry-points"]["villageeval"].items()
    assert "villageeval_qingshan.plugin" == target
    return str(name)


@pytest.fixture(scope="module")
def plugin() -> Iterator[ModuleType]:
    """The package's plugin module, imported from the source tree."""
    src = str(PACKAGE / "src")
    sys.path.insert(0, src)
    try:
        yield importlib.import_module("villageeval_qingshan.plugin")
    finally:
        sys.path.remove(src)
        for name in [n for n in sys.modules if n == "villageeval_qingshan" or n.startswith("villageeval_qingshan.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def registry(plugin: ModuleType) -> ve.Registry:
    """The built-ins and the package's plugin, under the name its entry point gives it."""
    reg = ve.Registry(ve.make_plugin_manager(autoload=False))
    reg.register(plugin, name=entry_point_name())
    return reg


def outcome_keys(o: ve.Outcome) -> dict[str, Any]:
    """An outcome in the terms of a case's ``[expected.<id>]``."""
    return {
        "status": o.status,
        "score": None if o.score is None else exact_text(o.score),
        "raw_grade": o.raw_grade,
        "final_grade": o.final_grade,
        "adjustments": [a.rule for a in o.adjustments],
        "consequences": [c.rule for c in o.consequences],
        "flags": list(o.flags),
        "reasons": [r.code for r in o.reasons],
    }


class TestInProcess:
    def test_scheme_registered_and_checks(self, registry: ve.Registry) -> None:
        """The plugin registers the scheme by id and the predicate by name; the scheme loads."""
        assert SCHEME_DIR / "scheme.toml" == registry.schemes()[SCHEME_ID]
        assert ["weak_collective_economy"] == [
            k for k in registry.predicates() if registry.predicate_owner(k) != "villageeval._builtin"
        ]
        assert SCHEME_ID == ve.load_scheme(SCHEME_ID, registry=registry).id

    @pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
    def test_cases_hold(self, registry: ve.Registry, case: Path) -> None:
        """Each case's hand-derived expectations are what the engine gives (a stand-in for villageeval test)."""
        data = tomli.loads(case.read_text(encoding="utf-8"), parse_float=Decimal)
        cohort = ve.cohort_from_dict({"format": 1, "period": data.get("period", ""), "subjects": data["subjects"]})
        result = ve.evaluate(ve.load_scheme(SCHEME_ID, registry=registry), cohort)
        assert data["expected"]
        for sid, expected in data["expected"].items():
            actual = outcome_keys(result.outcome(sid))
            assert expected == {k: actual[k] for k in expected}, sid

    def test_cases_cover_every_rule(self) -> None:
        """The cases exercise the cap of the plugin predicate, the plugin's raise and the veto."""
        text = "".join(c.read_text(encoding="utf-8") for c in CASES)
        for rule in ('"weak_economy"', '"qingshan:strong_economy"', '"disciplined"'):
            assert rule in text

    def test_own_check_with_line(self, registry: ve.Registry, tmp_path: Path) -> None:
        """The plugin's own check: a fact its Python reads must be a number, reported at its line."""
        text = (SCHEME_DIR / "scheme.toml").read_text(encoding="utf-8")
        # Without the fact test in the cap no TOML rule reads households, so the built-in
        # checks pass and only the plugin knows that its Python divides by it.
        for old, new in (
            ('  { fact = "households", above = 0 },\n', ""),
            (
                '[facts.households]\nlabel = "户籍户数"\ntype = "number"\n',
                '[facts.households]\nlabel = "户籍户数"\ntype = "bool"\n',
            ),
        ):
            assert 1 == text.count(old)
            text = text.replace(old, new)
        path = tmp_path / "scheme.toml"
        path.write_text(text, encoding="utf-8")
        lines = text.splitlines()
        line = lines.index('type = "bool"', lines.index("[facts.households]")) + 1
        with pytest.raises(ve.SchemeError) as e:
            ve.load_scheme(path, registry=registry)
        expected = (
            f"{path}:{line}: facts.households.type: the rules of 五、2 and 五、3 read 'households' as a number: "
            f"write type = \"number\" (check by plugin '{entry_point_name()}')"
        )
        assert [expected] == [str(p) for p in e.value.problems]

    def test_leaves_other_schemes_alone(self, registry: ve.Registry) -> None:
        """The package's check and adjustment do nothing to another county's scheme."""
        huining = ve.load_scheme("huining-midterm-2023", registry=registry)
        result = ve.evaluate(huining, ve.load_cohort(ROOT / "schemes" / "huining-midterm-2023" / "demo.json"))
        assert [] == [a for o in result.outcomes for a in o.adjustments if a.kind == "plugin"]

    def test_demo(self, registry: ve.Registry) -> None:
        """The demo shows the predicate's cap, the plugin's raise, the veto and thin evidence."""
        result = ve.evaluate(ve.load_scheme(SCHEME_ID, registry=registry), ve.load_cohort(SCHEME_DIR / "demo.json"))
        final = {o.subject_id: (o.final_grade or o.status, [a.rule for a in o.adjustments]) for o in result.outcomes}
        assert {
            "beishan-team": ("insufficient_evidence", []),
            "dongping-team": ("称职", ["qingshan:strong_economy"]),
            "hekou-team": ("称职", ["weak_economy"]),
            "liushu-secretary": ("称职", ["weak_economy"]),
            "shiqiao-secretary": ("优秀", []),
            "shiqiao-team": ("优秀", []),
            "xigou-secretary": ("不称职", ["disciplined"]),
        } == final


# --- installed into a throwaway environment ------------------------------------------------

#: pip's words when it cannot reach an index (it needs hatchling to build the package).
OFFLINE = (
    "Could not find a version that satisfies the requirement hatchling",
    "No matching distribution found for hatchling",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "ProxyError",
    "ConnectTimeoutError",
    "Max retries exceeded",
)


def _site_packages() -> list[str]:
    """This environment's package directories (purelib and platlib, once each)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout)


@pytest.mark.slow
def test_installed_package_is_found_by_its_entry_point(tmp_path: Path) -> None:
    """pip install the example package; villageeval finds its scheme and predicate with no change to itself."""
    venv = tmp_path / "venv"
    # No pip of its own: this environment's pip is visible through the .pth below, which
    # saves the seconds ensurepip takes.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / ("python.exe" if os.name == "nt" else "python")
    env = {k: v for k, v in os.environ.items() if k not in (AUTOLOAD_ENV, "PYTHONPATH", "PYTHONHOME")}
    env.update({"PYTHONIOENCODING": "utf-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"})
    # Offline, give up in seconds rather than minutes (unless the caller chose otherwise).
    env.setdefault("PIP_TIMEOUT", "15")
    env.setdefault("PIP_RETRIES", "2")
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path, env=env
    ).stdout.strip()
    # site.addsitedir, not a bare path: the .pth files of this environment (an editable
    # install of villageeval among them) must be processed too.
    lines = [f"import site; site.addsitedir({p!r})" for p in _site_packages()]
    (Path(purelib) / "_villageeval_test_parent.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")

    install = _run([str(python), "-m", "pip", "install", "--no-deps", str(PACKAGE)], cwd=tmp_path, env=env, timeout=180)
    if install.returncode != 0:
        output = install.stdout + install.stderr
        said = [line.strip() for line in output.splitlines() if any(sign in line for sign in OFFLINE)]
        if said:
            pytest.skip(f"pip could not get hatchling to build the locality package (no network?): {said[0]}")
        pytest.fail(f"pip install failed:\n{output}")

    def villageeval(*args: str, extra_env: dict[str, str] | None = None) -> str:
        """Run the throwaway environment's villageeval command; it must succeed."""
        done = _run([str(python), "-m", "villageeval", *args], cwd=tmp_path, env={**env, **(extra_env or {})})
        assert 0 == done.returncode, done.stderr
        return done.stdout

    # villageeval is this environment's, unchanged; the plugin is the installed copy
    where = _run(
        [
            str(python),
            "-c",
            "import villageeval as v, villageeval_qingshan as q; print(v.__file__); print(q.__file__)",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.splitlines()
    assert [ve.__file__, True] == [where[0], where[1].startswith(purelib)]

    schemes = dict(line.split("\t") for line in villageeval("schemes").splitlines())
    assert "青山县村党组织书记和村“两委”班子年度考核" == schemes[SCHEME_ID]

    plugins = villageeval("plugins")
    block = plugins[plugins.index("qingshan\t") :]
    assert block.startswith("qingshan\tvillageeval-qingshan 2024.1.0\n")
    assert f"  schemes: {SCHEME_ID}\n" in block
    assert "  predicates: weak_collective_economy\n" in block

    installed = Path(purelib) / "villageeval_qingshan" / "schemes" / SCHEME_ID
    check = villageeval("check", SCHEME_ID)
    assert check.startswith(f"{installed / 'scheme.toml'}: ok ({SCHEME_ID}: ")

    result = json.loads(villageeval("evaluate", SCHEME_ID, str(installed / "demo.json"), "--format", "json"))
    outcomes = {o["subject"]: o for o in result["outcomes"]}
    liushu = outcomes["liushu-secretary"]
    assert (["cap:weak_economy"], "称职") == (liushu["flags"], liushu["final_grade"])
    assert [("weak_economy", "cap", "五、2", "优秀", "称职")] == [
        (a["rule"], a["kind"], a["clause"], a["from"], a["to"]) for a in liushu["adjustments"]
    ]
    # 12 万元 is not under 5 万元: only the predicate's per-household test (80 元) caps hekou
    assert (["cap:weak_economy"], "称职") == (outcomes["hekou-team"]["flags"], outcomes["hekou-team"]["final_grade"])
    assert ([], "优秀") == (outcomes["shiqiao-team"]["flags"], outcomes["shiqiao-team"]["final_grade"])
    dongping = outcomes["dongping-team"]
    assert [("qingshan:strong_economy", "plugin", "基本称职", "称职")] == [
        (a["rule"], a["kind"], a["from"], a["to"]) for a in dongping["adjustments"]
    ]
    assert SCHEME_ID == result["audit"]["scheme"]

    # the package's cases, run by villageeval's own runner through the installed plugin
    assert f"{len(CASES)} passed, 0 failed" == villageeval("test", SCHEME_ID).splitlines()[-1]

    # the off switch: without autoloading, the package's scheme is unknown
    assert SCHEME_ID not in villageeval("schemes", extra_env={AUTOLOAD_ENV: "1"})
