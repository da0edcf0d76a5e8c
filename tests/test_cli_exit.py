"""Exit codes of the ``villageeval`` command: 0 fine, 1 problems found, 2 bad input or
usage, 3 an internal error (a bug), which says so on one line and shows its traceback
only with ``--debug``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import villageeval._cli as cli
from villageeval._cli import EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_PROBLEMS, main

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
DEMO = HUINING / "demo.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def broken_scheme(tmp_path: Path) -> Path:
    """The huining scheme with one misspelt key: a scheme with problems."""
    text = (HUINING / "scheme.toml").read_text(encoding="utf-8")
    bad = tmp_path / "broken" / "scheme.toml"
    bad.parent.mkdir()
    bad.write_text(text.replace("min_respondents = 20", "min_respondent = 20", 1), encoding="utf-8")
    return bad


def skeleton(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    target = tmp_path / "county"
    assert EXIT_OK == run(capsys, "init", str(target))[0]
    return target


def test_the_codes_are_the_documented_numbers() -> None:
    """The constants are the numbers scripts test for."""
    assert (0, 1, 2, 3) == (EXIT_OK, EXIT_PROBLEMS, EXIT_INPUT, EXIT_INTERNAL)


class TestFine:
    def test_a_clean_run_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """schemes, check, evaluate and explain on the bundled scheme exit 0."""
        assert EXIT_OK == run(capsys, "schemes")[0]
        assert EXIT_OK == run(capsys, "check", "huining-midterm-2023")[0]
        assert EXIT_OK == run(capsys, "evaluate", "huining-midterm-2023", str(DEMO))[0]
        assert EXIT_OK == run(capsys, "explain", "huining-midterm-2023", str(DEMO), "xicha-secretary")[0]

    def test_help_and_version_exit_0_and_are_returned(self, capsys: pytest.CaptureFixture[str]) -> None:
        """main returns argparse's code rather than raising SystemExit."""
        code, out, _ = run(capsys, "--help")
        assert EXIT_OK == code
        assert "exit codes:" in out
        assert EXIT_OK == run(capsys, "--version")[0]

    def test_help_documents_every_code(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help (and each verb's --help) lists 0, 1, 2 and 3 with what they mean."""
        for argv in (["--help"], ["evaluate", "--help"], ["check", "--help"]):
            code, out, _ = run(capsys, *argv)
            assert EXIT_OK == code
            epilog = out[out.index("exit codes:") :]
            for line in ("  0  fine", "  1  problems found", "  2  bad input or usage", "  3  an internal error"):
                assert line in epilog, argv

    def test_the_module_docstring_documents_every_code(self) -> None:
        """The module docstring carries the same table."""
        doc = cli.__doc__ or ""
        for code in ("- 0: fine", "- 1: problems found", "- 2: bad input or usage", "- 3: an internal error"):
            assert code in doc


class TestProblemsFound:
    def test_check_of_a_scheme_with_problems(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """check exits 1 when it found problems, printed in the compiler format."""
        code, _, err = run(capsys, "check", str(broken_scheme(tmp_path)))
        assert EXIT_PROBLEMS == code
        assert "unknown key 'min_respondent'; did you mean 'min_respondents'?" in err

    def test_evaluate_under_a_scheme_with_problems(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A scheme that does not load is "problems found" for evaluate too, as it was."""
        code, out, err = run(capsys, "evaluate", str(broken_scheme(tmp_path)), str(DEMO))
        assert (EXIT_PROBLEMS, "") == (code, out)
        assert "min_respondent" in err

    def test_a_failing_case(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """test exits 1 when a case fails."""
        target = skeleton(capsys, tmp_path)
        case = target / "cases" / "example.toml"
        text = case.read_text(encoding="utf-8")
        case.write_text(text.replace('score = "76.8"', 'score = "76.9"', 1), encoding="utf-8")
        code, out, _ = run(capsys, "test", str(target))
        assert EXIT_PROBLEMS == code
        assert "FAIL" in out


class TestBadInput:
    def test_a_file_that_does_not_exist(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """An unreadable cohort file exits 2 with one line naming it."""
        missing = tmp_path / "nowhere.json"
        code, _, err = run(capsys, "evaluate", "huining-midterm-2023", str(missing))
        assert EXIT_INPUT == code
        assert [f"error: [Errno 2] No such file or directory: {str(missing)!r}"] == err.splitlines()

    def test_a_malformed_cohort(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A cohort that is not JSON exits 2."""
        bad = tmp_path / "cohort.json"
        bad.write_text("{not json", encoding="utf-8")
        code, _, err = run(capsys, "evaluate", "huining-midterm-2023", str(bad))
        assert EXIT_INPUT == code
        assert "not valid JSON" in err

    def test_an_unknown_scheme(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown scheme exits 2 from check and from evaluate alike."""
        code, _, err = run(capsys, "check", "huining-midterm-2022")
        assert EXIT_INPUT == code
        assert "did you mean 'huining-midterm-2023'?" in err
        assert EXIT_INPUT == run(capsys, "evaluate", "huining-midterm-2022", str(DEMO))[0]

    def test_check_exits_with_the_worst(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """A scheme with problems and one that cannot be found: 2, and both are reported."""
        code, out, err = run(capsys, "check", str(broken_scheme(tmp_path)), "no-such-scheme", "huining-midterm-2023")
        assert EXIT_INPUT == code
        assert "min_respondent" in err
        assert "no scheme 'no-such-scheme'" in err
        assert ": ok (huining-midterm-2023" in out

    def test_an_unknown_subject(self, capsys: pytest.CaptureFixture[str]) -> None:
        """explain of a subject the cohort does not have exits 2."""
        assert EXIT_INPUT == run(capsys, "explain", "huining-midterm-2023", str(DEMO), "nobody")[0]

    @pytest.mark.parametrize(
        "argv",
        [
            ["bogus-verb"],
            [],
            ["evaluate", "huining-midterm-2023"],
            ["evaluate", "huining-midterm-2023", str(DEMO), "--format", "xml"],
            ["--no-such-flag", "schemes"],
        ],
        ids=["unknown verb", "no verb", "missing argument", "bad choice", "unknown flag"],
    )
    def test_usage_errors(self, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
        """argparse's usage errors exit 2, returned by main rather than raised."""
        code, _, err = run(capsys, *argv)
        assert EXIT_INPUT == code
        assert "usage: villageeval" in err

    def test_init_refusals(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """init into a directory that has a scheme, or with an id that is not a slug, exits 2."""
        target = skeleton(capsys, tmp_path)
        assert EXIT_INPUT == run(capsys, "init", str(target))[0]
        code, _, err = run(capsys, "init", str(tmp_path / "other"), "--id", 'a"b')
        assert EXIT_INPUT == code
        assert "not a lowercase slug" in err
        assert not (tmp_path / "other" / "scheme.toml").exists()


def _boom(*args: object, **kwargs: object) -> object:
    raise ZeroDivisionError("something divided by nothing\nwith a second line")


class TestInternalError:
    def test_a_bug_exits_3_on_one_line(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An exception that is neither a villageeval error nor an OSError: exit 3, one line
        saying it is a bug, with the exception's type and message and where to report it."""
        monkeypatch.setattr(cli, "evaluate", _boom)
        code, out, err = run(capsys, "evaluate", "huining-midterm-2023", str(DEMO))
        assert (EXIT_INTERNAL, "") == (code, out)
        assert 1 == len(err.splitlines()), err
        assert "bug in villageeval" in err
        assert "ZeroDivisionError: something divided by nothing\\nwith a second line" in err
        assert cli.REPORT_BUGS_TO in err
        assert "--debug" in err
        assert "Traceback" not in err

    @pytest.mark.parametrize("where", ["before the verb", "after the verb"])
    def test_debug_shows_the_traceback(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, where: str
    ) -> None:
        """--debug, before or after the verb, prints the traceback, then the same line."""
        monkeypatch.setattr(cli, "evaluate", _boom)
        argv = ["evaluate", "huining-midterm-2023", str(DEMO)]
        argv = ["--debug", *argv] if where == "before the verb" else [*argv, "--debug"]
        code, _, err = run(capsys, *argv)
        assert EXIT_INTERNAL == code
        assert err.startswith("Traceback (most recent call last):")
        assert "in _boom" in err
        assert "bug in villageeval" in err.splitlines()[-1]
        assert "--debug for the traceback" not in err

    def test_a_type_error_inside_is_a_bug_too(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Any exception class, from any verb: here a TypeError while loading for check."""

        def wrong(*args: object, **kwargs: object) -> object:
            raise TypeError("unsupported operand")

        monkeypatch.setattr(cli, "load_scheme", wrong)
        code, _, err = run(capsys, "check", "huining-midterm-2023")
        assert EXIT_INTERNAL == code
        assert "TypeError: unsupported operand" in err

    def test_debug_shows_where_an_input_error_came_from(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With --debug an input error keeps its code and message, with its traceback."""
        code, _, err = run(capsys, "--debug", "evaluate", "huining-midterm-2023", "/no/such/cohort.json")
        assert EXIT_INPUT == code
        assert "Traceback (most recent call last):" in err
        assert err.splitlines()[-1].startswith("error: [Errno 2]")


def _python_m(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "villageeval", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env=env,
    )


def test_python_dash_m_exit_codes(tmp_path: Path) -> None:
    """The real command, in a process of its own: 0, 1, 2 and 3, and --debug."""
    assert EXIT_OK == _python_m(["check", "huining-midterm-2023"]).returncode
    assert EXIT_PROBLEMS == _python_m(["check", str(broken_scheme(tmp_path))]).returncode
    usage = _python_m(["evaluate"])
    assert EXIT_INPUT == usage.returncode
    assert "usage: villageeval" in usage.stderr
    assert EXIT_INPUT == _python_m(["evaluate", "huining-midterm-2023", str(tmp_path / "none.json")]).returncode
    # A bug, provoked before the command runs: a sitecustomize on the path breaks evaluate.
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import villageeval._cli

            def _boom(*args, **kwargs):
                raise KeyError("boom")

            villageeval._cli.evaluate = _boom
            """
        ),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])}
    bug = _python_m(["evaluate", "huining-midterm-2023", str(DEMO)], env)
    assert (EXIT_INTERNAL, "") == (bug.returncode, bug.stdout)
    assert 1 == len(bug.stderr.splitlines()), bug.stderr
    assert bug.stderr.startswith("internal error: a bug in villageeval, not a problem of your files: KeyError: 'boom';")
    debug = _python_m(["--debug", "evaluate", "huining-midterm-2023", str(DEMO)], env)
    assert EXIT_INTERNAL == debug.returncode
    assert "Traceback (most recent call last):" in debug.stderr
