"""The command line as another program calls it (issue #16, items 3 and 4): a real process,
the cohort on stdin, ``-o FILE`` written whole, UTF-8 whatever the locale, ``--no-trace``,
problems as JSON lines (``--errors json``) and the exit codes; in the process, the streaming
writer (the same bytes as ``result_to_json``) and the audit record of every result.

Expected values are written out by hand: the canonical JSON whose hash a cohort gets, the
codes and lines of each problem, the UTC time of a time given in Beijing's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timedelta, timezone
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

import villageeval as ve
from villageeval._audit import canonical_chunks
from villageeval._interchange import OUTCOMES_PER_CHUNK, result_json_chunks
from villageeval._result import DeferredHash
from villageeval.testing import check_outcomes

ROOT = Path(__file__).resolve().parent.parent
SCHEMES = ROOT / "schemes"
HUINING = SCHEMES / "huining-midterm-2023"
DEMO = HUINING / "demo.json"
BUNDLED = sorted(p.name for p in SCHEMES.iterdir() if (p / "demo.json").is_file())
SAME = {"decision_id": "00000000-0000-4000-8000-000000000000", "evaluated_at": "2026-12-04T00:00:00Z"}
PROBLEM_KEYS = {"file", "line", "path", "code", "message", "severity"}


def villageeval(
    *argv: str, stdin: bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python -m villageeval ARGV`` in a process of its own; its output as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "villageeval", *argv],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        check=False,
        env=env,
        cwd=cwd,
    )


def problems(stderr: bytes) -> list[dict[str, Any]]:
    """Every line of stderr as a problem object, each checked against the contract."""
    out = []
    for line in stderr.decode("utf-8").splitlines():
        p = json.loads(line)
        assert set(p) == PROBLEM_KEYS, line
        assert p["file"] is None or isinstance(p["file"], str)
        assert p["line"] is None or (isinstance(p["line"], int) and p["line"] >= 1)
        assert isinstance(p["path"], str)
        assert p["path"] != "(top level)"
        assert isinstance(p["code"], str)
        assert re.fullmatch("[a-z_]+", p["code"])
        assert isinstance(p["message"], str)
        assert p["message"]
        assert p["severity"] in ("error", "warning")
        out.append(p)
    return out


def without_decision(data: dict[str, Any]) -> dict[str, Any]:
    audit = {k: v for k, v in data["audit"].items() if k not in ("decision_id", "evaluated_at")}
    return {**data, "audit": audit}


# --- the real command ---------------------------------------------------------------------------


class TestStdin:
    def test_the_cohort_from_stdin_is_the_cohort_from_its_file(self) -> None:
        """``-`` reads the cohort's bytes from stdin: the same result as the file gives,
        cohort hash included (the same cohort)."""
        from_file = villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json")
        from_stdin = villageeval("evaluate", "huining-midterm-2023", "-", "--format", "json", stdin=DEMO.read_bytes())
        assert (0, 0, b"", b"") == (from_file.returncode, from_stdin.returncode, from_file.stderr, from_stdin.stderr)
        a, b = json.loads(from_file.stdout), json.loads(from_stdin.stdout)
        assert 50 == len(b["outcomes"])
        assert without_decision(a) == without_decision(b)

    def test_stdin_is_read_by_the_file_rules(self) -> None:
        """A byte order mark is read; GBK bytes are a not_text problem naming the encoding."""
        bom = villageeval("evaluate", "huining-midterm-2023", "-", stdin=b"\xef\xbb\xbf" + DEMO.read_bytes())
        assert 0 == bom.returncode
        gbk = json.dumps({"subjects": [{"id": "a", "role": "team", "unit": "北关村"}]}, ensure_ascii=False)
        bad = villageeval("--errors", "json", "evaluate", "huining-midterm-2023", "-", stdin=gbk.encode("gbk"))
        assert 2 == bad.returncode
        (p,) = problems(bad.stderr)
        assert ("not_text", "<cohort>", 1, "") == (p["code"], p["file"], p["line"], p["path"])
        assert "GBK" in p["message"]

    def test_explain_from_stdin(self) -> None:
        proc = villageeval("explain", "huining-midterm-2023", "-", "xicha-secretary", stdin=DEMO.read_bytes())
        assert 0 == proc.returncode
        assert proc.stdout.decode("utf-8").startswith("xicha-secretary")


class TestOutputFile:
    def test_o_writes_what_stdout_would_get(self, tmp_path: Path) -> None:
        target = tmp_path / "result.json"
        proc = villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json", "-o", str(target))
        assert (0, b"") == (proc.returncode, proc.stdout)
        shown = villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json")
        assert without_decision(json.loads(target.read_bytes())) == without_decision(json.loads(shown.stdout))
        assert target.read_bytes().endswith(b"\n}\n")
        assert ["result.json"] == [p.name for p in tmp_path.iterdir()]  # no temporary file is left

    def test_a_failed_command_leaves_the_file_as_it_was(self, tmp_path: Path) -> None:
        """Exit code 2: the earlier file stays whole, and nothing else is left beside it."""
        target = tmp_path / "result.json"
        target.write_text("earlier\n", encoding="utf-8")
        proc = villageeval("evaluate", "huining-midterm-2023", str(tmp_path / "none.json"), "-o", str(target))
        assert 2 == proc.returncode
        assert "earlier\n" == target.read_text(encoding="utf-8")
        assert ["result.json"] == [p.name for p in tmp_path.iterdir()]

    def test_problems_found_still_write_the_output(self, tmp_path: Path) -> None:
        """Exit code 1 (check found problems in one of two schemes): the output is written."""
        broken = tmp_path / "broken" / "scheme.toml"
        broken.parent.mkdir()
        broken.write_text(
            (HUINING / "scheme.toml")
            .read_text(encoding="utf-8")
            .replace("min_respondents = 20", "min_respondent = 20", 1),
            encoding="utf-8",
        )
        target = tmp_path / "check.txt"
        proc = villageeval("check", "huining-midterm-2023", str(broken), "-o", str(target))
        assert 1 == proc.returncode
        assert target.read_text(encoding="utf-8").startswith(f"{HUINING / 'scheme.toml'}: ok (huining-midterm-2023:")

    def test_a_directory_that_does_not_exist(self, tmp_path: Path) -> None:
        target = tmp_path / "no" / "such" / "result.json"
        proc = villageeval("--errors", "json", "evaluate", "huining-midterm-2023", str(DEMO), "-o", str(target))
        assert 2 == proc.returncode
        (p,) = problems(proc.stderr)
        assert "unwritable" == p["code"]
        assert not target.parent.exists()


class TestUtf8:
    """Output is UTF-8 whatever the locale says; without the wrapper these would be
    UnicodeEncodeErrors (or ``\\u5317`` escapes on stderr)."""

    ASCII_ENVS: ClassVar[dict[str, dict[str, str]]] = {
        "PYTHONIOENCODING=ascii": {"PYTHONIOENCODING": "ascii"},
        "LC_ALL=C without UTF-8 mode": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    }

    @pytest.fixture(params=list(ASCII_ENVS), ids=list(ASCII_ENVS))
    def env(self, request: pytest.FixtureRequest) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG")}
        env.update(self.ASCII_ENVS[request.param])
        seen = subprocess.run(
            [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"], capture_output=True, env=env, check=True
        )
        assert b"utf" not in seen.stdout.lower(), "this environment does not make stdout ASCII: the test tests nothing"
        return env

    @pytest.mark.parametrize(
        "argv",
        [
            ("evaluate", "huining-midterm-2023", str(DEMO)),
            ("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json"),
            ("explain", "huining-midterm-2023", str(DEMO), "beiguan-team"),
            ("check", "huining-midterm-2023"),
            ("describe", "huining-midterm-2023"),
            ("schema", "cohort"),
        ],
        ids=["table", "json", "explain", "check", "describe", "schema"],
    )
    def test_stdout(self, env: dict[str, str], argv: tuple[str, ...]) -> None:
        proc = villageeval(*argv, env=env)
        assert (0, b"") == (proc.returncode, proc.stderr), proc.stderr
        text = proc.stdout.decode("utf-8")  # strict: every byte is UTF-8
        if argv[0] != "check":  # check prints paths and ids: ASCII here
            assert any(ord(c) > 127 for c in text)

    def test_json_on_stderr(self, env: dict[str, str], tmp_path: Path) -> None:
        """A problem whose message holds Chinese is UTF-8 JSON on stderr."""
        cohort = tmp_path / "cohort.json"
        cohort.write_text(json.dumps({"subjects": [{"id": "a", "role": "书记"}]}, ensure_ascii=False), encoding="utf-8")
        proc = villageeval("--errors", "json", "evaluate", "huining-midterm-2023", str(cohort), env=env)
        assert 2 == proc.returncode
        (p,) = problems(proc.stderr)
        assert ("unknown_role", str(cohort), "subjects[0].role") == (p["code"], p["file"], p["path"])
        assert "'书记'" in p["message"]


class TestNoTrace:
    def test_no_trace_leaves_every_trace_out(self) -> None:
        traced = json.loads(villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json").stdout)
        bare = json.loads(
            villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json", "--no-trace").stdout
        )
        assert all(o["trace"] for o in traced["outcomes"])
        assert not any("trace" in o for o in bare["outcomes"])
        for o in traced["outcomes"]:
            del o["trace"]
        assert without_decision(traced) == without_decision(bare)


class TestErrorsJson:
    def test_a_cohort_with_a_duplicate_key(self, tmp_path: Path) -> None:
        cohort = tmp_path / "cohort.json"
        cohort.write_text(
            '{\n  "subjects": [\n    {"id": "a", "role": "team",\n     "id": "b"}\n  ]\n}\n', encoding="utf-8"
        )
        proc = villageeval("evaluate", "huining-midterm-2023", str(cohort), "--errors", "json")
        assert (2, b"") == (proc.returncode, proc.stdout)
        (p,) = problems(proc.stderr)
        assert {
            "file": str(cohort),
            "line": 4,
            "path": "subjects[0].id",
            "code": "duplicate_key",
            "severity": "error",
        } == {k: v for k, v in p.items() if k != "message"}
        assert p["message"].startswith("duplicate key 'id' (first on line 3)")

    def test_every_problem_of_a_scheme(self, tmp_path: Path) -> None:
        """check: a misspelt key and a missing one, each with its line, as JSON (exit 1)."""
        text = (HUINING / "scheme.toml").read_text(encoding="utf-8")
        line = text[: text.index("min_respondents = 20")].count("\n") + 1
        bad = tmp_path / "bad" / "scheme.toml"
        bad.parent.mkdir()
        bad.write_text(text.replace("min_respondents = 20", "min_respondent = 20", 1), encoding="utf-8")
        proc = villageeval("--errors", "json", "check", str(bad))
        assert 1 == proc.returncode
        found = problems(proc.stderr)
        assert ("unknown_key", str(bad), line) in {(p["code"], p["file"], p["line"]) for p in found}
        assert all(p["path"].startswith("instruments.") for p in found)

    def test_an_unknown_scheme_and_an_unreadable_file(self, tmp_path: Path) -> None:
        unknown = villageeval("--errors", "json", "evaluate", "huining-midterm-2032", str(DEMO))
        (p,) = problems(unknown.stderr)
        assert (2, "unknown_scheme") == (unknown.returncode, p["code"])
        assert "did you mean 'huining-midterm-2023'" in p["message"]
        missing = tmp_path / "none.json"
        gone = villageeval("--errors", "json", "evaluate", "huining-midterm-2023", str(missing))
        (p,) = problems(gone.stderr)
        assert (2, "unreadable", str(missing)) == (gone.returncode, p["code"], p["file"])

    def test_a_usage_error(self) -> None:
        """Even argparse's own error, before the command line is understood."""
        proc = villageeval("--errors", "json", "evaluate", "huining-midterm-2023")
        (p,) = problems(proc.stderr)
        assert (2, "usage", "") == (proc.returncode, p["code"], p["path"])
        assert "the following arguments are required: COHORT" in p["message"]
        after = villageeval("evaluate", "--errors=json", "huining-midterm-2023", str(DEMO), "--format", "xml")
        (p,) = problems(after.stderr)
        assert (2, "usage") == (after.returncode, p["code"])

    def test_an_unknown_subject_and_a_warning(self, tmp_path: Path) -> None:
        """A cohort naming another scheme is a warning (the command goes on, exit 0)."""
        raw = json.loads(DEMO.read_text(encoding="utf-8"))
        raw["scheme"] = "huining-annual-2023"
        cohort = tmp_path / "cohort.json"
        cohort.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
        proc = villageeval("--errors", "json", "explain", "huining-midterm-2023", str(cohort), "beiguan-tem")
        assert 2 == proc.returncode
        warning, error = problems(proc.stderr)
        assert ("scheme_mismatch", "warning", str(cohort), "scheme") == (
            warning["code"],
            warning["severity"],
            warning["file"],
            warning["path"],
        )
        assert ("unknown_subject", "error") == (error["code"], error["severity"])
        assert "did you mean 'beiguan-team'?" in error["message"]

    def test_an_internal_error_is_one_json_line(self, tmp_path: Path) -> None:
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
        proc = villageeval("--errors", "json", "evaluate", "huining-midterm-2023", str(DEMO), env=env)
        assert (3, b"") == (proc.returncode, proc.stdout)
        (p,) = problems(proc.stderr)
        assert "internal_error" == p["code"]
        assert p["message"].startswith("internal error: a bug in villageeval, not a problem of your files: KeyError")

    def test_text_stays_the_default(self, tmp_path: Path) -> None:
        """Without --errors json, problems are the compiler format, as before."""
        cohort = tmp_path / "cohort.json"
        cohort.write_text('{"subjects": [{"id": "a", "role": "team", "id": "b"}]}', encoding="utf-8")
        proc = villageeval("evaluate", "huining-midterm-2023", str(cohort))
        assert 2 == proc.returncode
        assert proc.stderr.decode("utf-8").startswith(f"{cohort}:1: subjects[0].id: duplicate key 'id'")


class TestExitCodes:
    def test_0_1_2_3_in_a_process_of_its_own(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text('id = "x"\n[roles\n', encoding="utf-8")
        assert 0 == villageeval("evaluate", "huining-midterm-2023", str(DEMO), "--format", "json").returncode
        checked = villageeval("--errors", "json", "check", str(bad))
        (p,) = problems(checked.stderr)
        assert (1, "toml_syntax", 2) == (checked.returncode, p["code"], p["line"])
        assert 2 == villageeval("evaluate", "huining-midterm-2023", "-", stdin=b"[1, 2").returncode

    def test_help_documents_them(self) -> None:
        text = villageeval("--help").stdout.decode("utf-8")
        for line in ("  0  fine", "  1  problems found", "  2  bad input or usage", "  3  an internal error"):
            assert line in text
        assert "--errors json" in text


# --- the streaming writer -------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BUNDLED)
def bundled(request: pytest.FixtureRequest) -> ve.Result:
    return ve.evaluate(ve.load_scheme(SCHEMES / request.param), ve.load_cohort(SCHEMES / request.param / "demo.json"))


class TestStreamingWriter:
    @pytest.mark.parametrize("trace", [True, False])
    def test_the_bytes_of_result_to_json(self, bundled: ve.Result, trace: bool) -> None:
        """To a binary and a text stream, the bytes of ``result_to_json(...).encode()``."""
        want = ve.result_to_json(bundled, trace=trace).encode("utf-8")
        binary, text = io.BytesIO(), io.StringIO()
        ve.write_result(bundled, binary, trace=trace)
        ve.write_result(bundled, text, trace=trace)
        assert want == binary.getvalue() == text.getvalue().encode("utf-8")

    def test_many_pieces(self, huining: ve.Scheme) -> None:
        """450 outcomes: three pieces of 200, 200 and 50, the same bytes; progress counts them."""
        raw = json.loads(DEMO.read_text(encoding="utf-8"))
        raw["subjects"] = [{**s, "id": f"{s['id']}-{n}"} for n in range(9) for s in raw["subjects"]]
        result = ve.evaluate(huining, ve.cohort_from_dict(raw))
        assert 200 == OUTCOMES_PER_CHUNK
        pieces = list(result_json_chunks(result))
        assert 3 == len(pieces)
        assert ve.result_to_json(result) == "".join(pieces)
        counted: list[int] = []
        out = io.BytesIO()
        ve.write_result(result, out, trace=False, progress=counted.append)
        assert ([200, 200, 50], ve.result_to_json(result, trace=False).encode()) == (counted, out.getvalue())

    def test_no_outcomes_and_a_result_built_by_hand(self) -> None:
        bare = ve.Result("x", "sha256:0", "0", "2023", ())
        out = io.StringIO()
        ve.write_result(bare, out)
        assert ve.result_to_json(bare) == out.getvalue()
        assert "" == json.loads(out.getvalue())["audit"]["cohort_hash"]

    def test_texts_that_need_escapes(self, huining: ve.Scheme) -> None:
        """Quotes, backslashes, newlines and controls in a note are escaped as json escapes them."""
        raw = json.loads(DEMO.read_text(encoding="utf-8"))
        raw["subjects"][0]["notes"] = {"存在问题": 'a "b" \\ c\nd\te\x01\u2028', "运行情况": "正常"}
        result = ve.evaluate(huining, ve.cohort_from_dict(raw))
        out = io.BytesIO()
        ve.write_result(result, out)
        assert ve.result_to_json(result).encode() == out.getvalue()


# --- the audit record ---------------------------------------------------------------------------


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


class TestCohortHash:
    def test_the_canonical_json(self) -> None:
        """The hash is of the canonical JSON written out here by hand: keys sorted, no spaces,
        Chinese as itself, the format added, a decimal as the number written."""
        cohort = ve.loads_cohort(
            '{"subjects": [{"unit": "北关村", "role": "team", "id": "a",'
            ' "evidence": {"party_committee": {"value": 88.50}}}], "period": "2023"}'
        )
        canonical = (
            '{"format":1,"period":"2023","subjects":[{"evidence":{"party_committee":{"value":88.50}},'
            '"id":"a","role":"team","unit":"北关村"}]}'
        )
        assert canonical == "".join(canonical_chunks(cohort))
        assert sha256(canonical) == ve.evaluate(ve.load_scheme(HUINING), cohort).cohort_hash

    def test_the_same_cohort_written_otherwise(self) -> None:
        """Keys in another order, other spacing, escapes for Chinese: the same hash."""
        a = ve.loads_cohort(
            '{"format": 1, "subjects": [{"id": "a", "role": "team", "unit": "北关村", "facts": {"x": true, "y": 2}}]}'
        )
        b = ve.loads_cohort(
            '{\n "subjects": [\n  {"facts": {"y": 2, "x": true}, "unit": "\\u5317\\u5173\\u6751",\n'
            '   "role": "team", "id": "a"}\n ]\n}'
        )
        huining = ve.load_scheme(HUINING)
        canonical = '{"format":1,"subjects":[{"facts":{"x":true,"y":2},"id":"a","role":"team","unit":"北关村"}]}'
        assert sha256(canonical) == ve.evaluate(huining, a).cohort_hash == ve.evaluate(huining, b).cohort_hash

    def test_a_changed_cohort(self) -> None:
        """One ballot more, 20 as 20.0, 88.5 as "88.5": each another hash."""
        huining = ve.load_scheme(HUINING)
        raw = json.loads(DEMO.read_text(encoding="utf-8"))
        hashes = {ve.evaluate(huining, ve.cohort_from_dict(raw)).cohort_hash}
        raw["subjects"][0]["evidence"]["appraisal"]["tallies"]["好"] += 1
        hashes.add(ve.evaluate(huining, ve.cohort_from_dict(raw)).cohort_hash)
        text = '{"subjects": [{"id": "a", "role": "team", "evidence": {"party_committee": {"value": %s}}}]}'
        for value in ("20", "20.0", "88.5", '"88.5"'):
            hashes.add(ve.evaluate(huining, ve.loads_cohort(text % value)).cohort_hash)
        assert 6 == len(hashes)

    def test_a_cohort_built_in_python(self) -> None:
        """Evidence objects and Fractions are hashed as cohort_to_dict writes them."""
        cohort = ve.Cohort(
            [
                ve.Subject(
                    "a",
                    "team",
                    evidence={
                        "appraisal": ve.BallotEvidence({"好": 20}),
                        "party_committee": ve.ScoreEvidence(Fraction(173, 2)),
                    },
                )
            ]
        )
        canonical = (
            '{"format":1,"subjects":[{"evidence":{"appraisal":{"tallies":{"好":20}},'
            '"party_committee":{"value":86.5}},"id":"a","role":"team"}]}'
        )
        assert sha256(canonical) == ve.evaluate(ve.load_scheme(HUINING), cohort).cohort_hash

    def test_read_when_first_asked_for(self, huining: ve.Scheme) -> None:
        """Evaluating does not hash the cohort; the first reading does, once."""
        result = ve.evaluate(huining, ve.load_cohort(DEMO))
        assert isinstance(result._cohort_hash, DeferredHash)
        first = result.cohort_hash
        assert first == result.cohort_hash == attrs.evolve(result, period="x").cohort_hash
        assert sha256("".join(canonical_chunks(ve.load_cohort(DEMO)))) == first


class TestDecision:
    def test_every_evaluation_is_a_decision_of_its_own(self, huining: ve.Scheme) -> None:
        cohort = ve.load_cohort(DEMO)
        ids = [ve.evaluate(huining, cohort, trace=False).decision_id for _ in range(20)]
        assert 20 == len(set(ids))
        for d in ids:
            assert (4, d) == (uuid.UUID(d).version, str(uuid.UUID(d)))

    def test_the_time_is_now_in_utc_to_the_second(self, huining: ve.Scheme) -> None:
        before = datetime.now(timezone.utc).replace(microsecond=0)
        at = ve.evaluate(huining, ve.load_cohort(DEMO)).evaluated_at
        after = datetime.now(timezone.utc)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", at)
        assert before <= datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) <= after

    def test_given_values_are_used(self, huining: ve.Scheme) -> None:
        """Beijing's 2026-12-05 05:58:33.9 is 2026-12-04 21:58:33 UTC (the fraction dropped)."""
        beijing = datetime(2026, 12, 5, 5, 58, 33, 900_000, tzinfo=timezone(timedelta(hours=8)))
        given = "3f1c2a4e-8b7d-4c6a-9e5f-0a1b2c3d4e5f"
        result = ve.evaluate(huining, ve.load_cohort(DEMO), decision_id=given, evaluated_at=beijing)
        assert (given, "2026-12-04T21:58:33Z") == (result.decision_id, result.evaluated_at)
        again = ve.evaluate(
            huining, ve.load_cohort(DEMO), decision_id=uuid.UUID(given), evaluated_at="2026-12-04T21:58:33Z"
        )
        assert ve.result_to_json(result) == ve.result_to_json(again)

    @pytest.mark.parametrize(
        ("decision_id", "evaluated_at", "error"),
        [
            ("not-a-uuid", None, ValueError),
            ("3F1C2A4E-8B7D-4C6A-9E5F-0A1B2C3D4E5F", None, ValueError),  # not the canonical text
            (12, None, TypeError),
            (None, datetime(2026, 12, 4, 21, 58, 33), ValueError),  # naive: which zone?
            (None, "2026-12-04 21:58:33", ValueError),
            (None, "2026-02-30T00:00:00Z", ValueError),
            (None, 1764885513, TypeError),
        ],
    )
    def test_values_that_are_refused(
        self, huining: ve.Scheme, decision_id: Any, evaluated_at: Any, error: type
    ) -> None:
        with pytest.raises(error):
            ve.evaluate(huining, ve.load_cohort(DEMO), decision_id=decision_id, evaluated_at=evaluated_at)

    def test_check_outcomes_flags_the_rules_not_the_decision(self, huining: ve.Scheme) -> None:
        cohort = ve.load_cohort(DEMO)
        result = ve.evaluate(huining, cohort, **SAME)
        assert [] == check_outcomes(huining, cohort, ve.result_from_dict(ve.result_to_dict(result)))
        (v,) = check_outcomes(huining, cohort, attrs.evolve(result, scheme_hash="sha256:0"))
        assert "audit" == v.kind


class TestReadBack:
    def test_the_audit_reads_back(self, huining: ve.Scheme) -> None:
        result = ve.evaluate(huining, ve.load_cohort(DEMO), **SAME)
        again = ve.result_from_dict(json.loads(ve.result_to_json(result)))
        assert result == again
        assert (result.cohort_hash, result.plugins) == (again.cohort_hash, again.plugins)

    def test_a_result_from_before_the_audit_record(self, huining: ve.Scheme) -> None:
        data = ve.result_to_dict(ve.evaluate(huining, ve.load_cohort(DEMO)))
        data["audit"] = {k: data["audit"][k] for k in ("scheme", "scheme_hash", "villageeval")}
        old = ve.result_from_dict(data)
        assert ("", "", "", ()) == (old.cohort_hash, old.decision_id, old.evaluated_at, old.plugins)

    def test_a_malformed_audit(self, huining: ve.Scheme) -> None:
        data = ve.result_to_dict(ve.evaluate(huining, ve.load_cohort(DEMO)))
        data["audit"]["decision_id"] = 7
        data["audit"]["plugins"] = [{"name": "x"}]
        with pytest.raises(ve.CohortError) as caught:
            ve.result_from_dict(data)
        assert [(("audit", "decision_id"), "result_format"), (("audit", "plugins", 0), "result_format")] == [
            (p.path, p.code) for p in caught.value.problems
        ]


def file_hash(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


BUILTIN_STAMP = {
    "name": "villageeval._builtin",
    "distribution": "villageeval",
    "version": ve.__version__,
    "code_hash": file_hash(ROOT / "src" / "villageeval" / "_builtin.py"),
}


class TestPlugins:
    @pytest.fixture
    def rules_dir(self, tmp_path: Path) -> Path:
        """zhen-midterm-2023 under another id, its rules.py registered with --with-rules."""
        target = tmp_path / "zhen-copy"
        shutil.copytree(SCHEMES / "zhen-midterm-2023", target)
        scheme = target / "scheme.toml"
        scheme.write_text(
            scheme.read_text(encoding="utf-8").replace('id = "zhen-midterm-2023"', 'id = "zhen-copy"', 1),
            encoding="utf-8",
        )
        return target

    def test_a_with_rules_scheme(self, rules_dir: Path) -> None:
        """The built-in plugin (its kinds) and the scheme's rules.py (its predicate), each
        with its version and the hash of its file."""
        proc = villageeval(
            "--with-rules", str(rules_dir), "evaluate", str(rules_dir), str(rules_dir / "demo.json"), "--format", "json"
        )
        assert 0 == proc.returncode, proc.stderr
        plugins = json.loads(proc.stdout)["audit"]["plugins"]
        assert [
            BUILTIN_STAMP,
            {
                "name": "rules:zhen-copy",
                "distribution": "rules.py of zhen-copy",
                "version": "-",
                "code_hash": file_hash(rules_dir / "rules.py"),
            },
        ] == plugins

    def test_rules_of_another_scheme_take_no_part(self, rules_dir: Path) -> None:
        registry = ve.Registry()
        registry.add_scheme_directory(rules_dir)
        huining = ve.load_scheme("huining-midterm-2023", registry=registry)
        result = ve.evaluate(huining, ve.load_cohort(DEMO))
        assert [BUILTIN_STAMP] == [attrs.asdict(p) for p in result.plugins]

    def test_an_adjuster_and_a_check_take_part(self) -> None:
        """Plugins registered in code: each that adjusts outcomes or checks schemes is listed,
        with the hash of the module it is defined in (this file); one that does neither is not."""

        class Adjuster:
            @ve.hookimpl
            def villageeval_adjust_outcome(self, outcome: ve.Outcome) -> None:
                return None

        class Checker:
            @ve.hookimpl
            def villageeval_validate_scheme(self, scheme: ve.Scheme) -> list[Any]:
                return []

        class Idle:
            @ve.hookimpl
            def villageeval_register_schemes(self) -> list[Any]:
                return []

        registry = ve.Registry(ve.make_plugin_manager(autoload=False))
        names = [registry.register(p()) for p in (Adjuster, Checker, Idle)]
        huining = ve.load_scheme("huining-midterm-2023", registry=registry)
        stamps = ve.evaluate(huining, ve.load_cohort(DEMO)).plugins
        this = file_hash(Path(__file__))
        assert [BUILTIN_STAMP] + [
            {"name": name, "distribution": "(registered in code)", "version": "-", "code_hash": this}
            for name in sorted(names[:2])
        ] == [attrs.asdict(p) for p in stamps]

    def test_a_scheme_built_in_python(self, huining: ve.Scheme) -> None:
        copy = attrs.evolve(huining)
        assert [BUILTIN_STAMP] == [attrs.asdict(p) for p in ve.evaluate(copy, ve.load_cohort(DEMO)).plugins]


# --- the problem codes ----------------------------------------------------------------------------

INTERCHANGE = (ROOT / "docs" / "interchange.md").read_text(encoding="utf-8")
CODE_LITERAL = re.compile(
    r'\bcode\s*(?::\s*str\s*)?=\s*(?:field\(default=)?"(\w+)"(?:\s+if\s+[^\n]+?\s+else\s+"(\w+)")?'
)


def documented_codes() -> list[str]:
    """The codes of the ``| code | meaning |`` table under the heading *Problems*."""
    section = INTERCHANGE.split("\n## Problems\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert "| code | meaning |" in section
    return rows


def codes_in_the_source() -> set[str]:
    """Every code a problem is given in villageeval's source (``code="..."``, a default)."""
    found: set[str] = set()
    for path in (ROOT / "src" / "villageeval").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("#"):
                continue
            for m in CODE_LITERAL.finditer(line):
                found.update(g for g in m.groups() if g)
    return found


class TestProblemCodes:
    def test_the_table_is_the_codes_used(self) -> None:
        """A code used and not documented fails, and a documented code nothing uses."""
        documented = documented_codes()
        assert len(documented) == len(set(documented)), "a code is documented twice"
        assert sorted(codes_in_the_source()) == sorted(documented)

    def test_the_scan_sees_codes(self) -> None:
        """The scan finds the codes of each stage (so that the test above tests something)."""
        assert {"not_text", "toml_syntax", "json_syntax", "unknown_key", "invalid_value", "duplicate_id"} <= (
            codes_in_the_source()
        )

    def test_to_dict(self) -> None:
        top = ve.Problem((), "m", "f.json", 3, code="json_syntax")
        assert {
            "file": "f.json",
            "line": 3,
            "path": "",
            "code": "json_syntax",
            "message": "m",
            "severity": "error",
        } == (top.to_dict())
        deep = ve.Problem(("subjects", 2, "evidence", "入户"), "m", severity="warning")
        assert ('subjects[2].evidence."入户"', "invalid_value", "warning") == (
            deep.to_dict()["path"],
            deep.to_dict()["code"],
            deep.to_dict()["severity"],
        )

    @pytest.mark.parametrize(
        ("old", "new", "code"),
        [
            ('id = "huining-midterm-2023"', 'id = "huining-midterm-2023"\n[roles', "toml_syntax"),
            ('id = "huining-midterm-2023"', 'id = "huining-midterm-2023"\nid = "x"', "duplicate_key"),
            ("min_respondents = 20", "min_respondent = 20", "unknown_key"),
            ("min_respondents = 20", 'min_respondents = "20"', "wrong_type"),
            ("min_respondents = 20", "min_respondents = -20", "invalid_value"),
        ],
    )
    def test_scheme_codes(self, old: str, new: str, code: str) -> None:
        text = (HUINING / "scheme.toml").read_text(encoding="utf-8")
        assert old in text
        with pytest.raises(ve.SchemeError) as caught:
            ve.loads_scheme(text.replace(old, new, 1))
        assert code in {p.code for p in caught.value.problems}, caught.value.problems

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("[1,", "json_syntax"),
            ('{"subjects": [], "subjects": []}', "duplicate_key"),
            ('{"subjects": [{"id": "a", "role": "team", "facts": {"x": 1e999999999}}]}', "too_large"),
            ('{"subjects": [], "format": 2}', "cohort_format"),
            ('{"subjects": [{"id": "a", "role": "team"}, {"id": "a", "role": "team"}]}', "duplicate_id"),
            ("[" * 2000 + "]" * 2000, "too_deep"),
        ],
    )
    def test_cohort_codes(self, text: str, code: str) -> None:
        with pytest.raises(ve.CohortError) as caught:
            ve.loads_cohort(text)
        assert code in {p.code for p in caught.value.problems}

    def test_engine_codes(self, huining: ve.Scheme) -> None:
        cohort = ve.cohort_from_dict({"subjects": [{"id": "a", "role": "leader"}]})
        with pytest.raises(ve.CohortError) as caught:
            ve.evaluate(huining, cohort)
        assert ["unknown_role"] == [p.code for p in caught.value.problems]


# --- progress -------------------------------------------------------------------------------------


def big_cohort(tmp_path: Path, copies: int = 100) -> Path:
    """The demo's 50 subjects a hundred times over, under other ids: 5,000 subjects."""
    raw = json.loads(DEMO.read_text(encoding="utf-8"))
    raw["subjects"] = [{**s, "id": f"{s['id']}-{n}"} for n in range(copies) for s in raw["subjects"]]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


class TestProgress:
    def test_quiet_off_a_terminal(self, tmp_path: Path) -> None:
        proc = villageeval(
            "evaluate", "huining-midterm-2023", str(big_cohort(tmp_path)), "--format", "json", "--no-trace"
        )
        assert (0, b"") == (proc.returncode, proc.stderr)

    @pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
    def test_shown_on_a_terminal(self, tmp_path: Path) -> None:
        """stderr a terminal and 5,000 subjects: reading, grading and writing are shown, on
        stderr only (stdout is the whole result still)."""
        main, side = os.openpty()
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "villageeval",
                    "evaluate",
                    "huining-midterm-2023",
                    str(big_cohort(tmp_path)),
                    "--format",
                    "json",
                    "--no-trace",
                ],
                stdout=subprocess.PIPE,
                stderr=side,
                check=False,
                env={**os.environ, "TERM": "dumb"},
            )
            os.close(side)
            shown = b""
            while True:
                try:
                    chunk = os.read(main, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
        finally:
            os.close(main)
        assert 0 == proc.returncode
        assert 5000 == len(json.loads(proc.stdout)["outcomes"])
        text = shown.decode("utf-8", "replace")
        assert "grading 5,000 subjects" in text
        assert "writing" in text
        assert "5,000" in text
        assert "\r" in text

    def test_never_with_json_problems(self) -> None:
        """--errors json keeps stderr to problem objects, on a terminal too."""
        from villageeval._cli_io import PROGRESS_AT, Progress, errors_json

        token = errors_json.set(True)
        try:
            assert not Progress(PROGRESS_AT * 10).shown
        finally:
            errors_json.reset(token)
        assert not Progress(PROGRESS_AT - 1).shown
