"""``villageeval serve`` as a real process on 127.0.0.1, called with a real HTTP client (httpx).

The service is started with ``python -m villageeval serve`` on a free loopback port, once
for the module, and answers are compared with what the command line gives for the same
input: the same result (but for the audit's decision id and time, which are per call),
the same describe document, the same problem objects. Bad input of every kind must be a
4xx with problem objects, never a 500.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="the server tests need httpx (the test extra)")
pytest.importorskip("starlette", reason="the server tests need the server extra (starlette, uvicorn)")

ROOT = Path(__file__).resolve().parent.parent
HUINING = ROOT / "schemes" / "huining-midterm-2023"
DEMO = HUINING / "demo.json"
TOKEN = "s3cret-token-for-the-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(*args: str, before: tuple[str, ...] = ()) -> tuple[subprocess.Popen[bytes], str]:
    """The service as a child process (``before``: global options), and its base URL once /health answers."""
    port = _free_port()
    env = {**os.environ, "VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "villageeval", *before, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the service exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    _stop(proc)
    raise AssertionError("the service did not answer /health within 30 s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the service, and close its pipes (communicate reads them to the end)."""
    proc.terminate()
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


@pytest.fixture(scope="module")
def rules_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scheme directory with a rules.py (a Python veto on a weak collective economy)."""
    from tests.test_plugins import RULES, scheme, write_scheme

    return write_scheme(tmp_path_factory.mktemp("schemes") / "rules-a", scheme(id="rules-a"), RULES)


@pytest.fixture(scope="module")
def service(rules_dir: Path) -> Iterator[str]:
    proc, url = _start(before=("--with-rules", str(rules_dir)))
    try:
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    token_file = tmp_path_factory.mktemp("token") / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    proc, url = _start("--token-file", str(token_file), "--max-body", "2000")
    try:
        yield url
    finally:
        _stop(proc)


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-m", "villageeval", *args], input=stdin, capture_output=True, env=env)


def _without_the_call(result: dict[str, Any]) -> dict[str, Any]:
    """A result without what differs from call to call: the decision id and the time."""
    audit = {k: v for k, v in result["audit"].items() if k not in ("decision_id", "evaluated_at")}
    return {**result, "audit": audit}


class TestAnswers:
    def test_health(self, service: str) -> None:
        """GET /health: ok, and the version."""
        import villageeval as ve

        assert {"status": "ok", "villageeval": ve.__version__} == httpx.get(f"{service}/health").json()

    def test_schemes(self, service: str) -> None:
        """GET /schemes: the bundled ones, with their titles."""
        listed = {s["id"]: s["title"] for s in httpx.get(f"{service}/schemes").json()["schemes"]}
        assert "村“两委”班子届中履职分析(2023)" == listed["huining-midterm-2023"]

    def test_describe_is_the_clis(self, service: str) -> None:
        """GET /schemes/{id} is what `villageeval describe --format json` prints."""
        cli = _cli("describe", "huining-midterm-2023", "--format", "json")
        assert 0 == cli.returncode, cli.stderr.decode()
        assert json.loads(cli.stdout) == httpx.get(f"{service}/schemes/huining-midterm-2023").json()

    @pytest.mark.parametrize("trace", [True, False])
    def test_evaluate_is_the_clis(self, service: str, rules_dir: Path, trace: bool) -> None:
        """POST /schemes/{id}/evaluate gives the result `villageeval evaluate --format json` gives
        (with the same plugins, so the audit lists the same ones)."""
        args = ["--with-rules", str(rules_dir), "evaluate", "huining-midterm-2023", str(DEMO), "--format", "json"]
        args += [] if trace else ["--no-trace"]
        cli = _cli(*args)
        assert 0 == cli.returncode, cli.stderr.decode()
        answer = httpx.post(
            f"{service}/schemes/huining-midterm-2023/evaluate",
            params={} if trace else {"trace": "false"},
            content=DEMO.read_bytes(),
            timeout=60,
        )
        assert (200, "application/json") == (answer.status_code, answer.headers["content-type"].split(";")[0])
        assert _without_the_call(json.loads(cli.stdout)) == _without_the_call(answer.json())

    def test_the_audit_of_each_call(self, service: str) -> None:
        """Each call has its own decision id; the cohort hash is the same for the same cohort."""
        first, second = (
            httpx.post(
                f"{service}/schemes/huining-midterm-2023/evaluate?trace=false", content=DEMO.read_bytes()
            ).json()["audit"]
            for _ in range(2)
        )
        assert first["decision_id"] != second["decision_id"]
        assert first["cohort_hash"] == second["cohort_hash"]

    def test_explain(self, service: str) -> None:
        """POST /schemes/{id}/explain/{subject}: the outcome with its trace, and the text `explain` prints."""
        answer = httpx.post(
            f"{service}/schemes/huining-midterm-2023/explain/xicha-secretary", content=DEMO.read_bytes()
        ).json()
        cli = _cli("explain", "huining-midterm-2023", str(DEMO), "xicha-secretary")
        assert cli.stdout.decode("utf-8") == answer["text"]
        # 会组发〔2023〕60号 四、6: the absentee veto takes 87.44 (好) to 差
        assert ("好", "差", "absentee") == (
            answer["outcome"]["raw_grade"],
            answer["outcome"]["final_grade"],
            answer["outcome"]["adjustments"][0]["rule"],
        )

    def test_with_rules(self, service: str) -> None:
        """A scheme whose rules.py was registered with --with-rules is graded with its Python rules:
        committee 95 → 好, but an income of 3 (万元, under 5) is weak, so the veto gives 差."""
        cohort = {
            "subjects": [
                {"id": "poor", "role": "team", "evidence": {"committee": {"value": 95}}, "facts": {"income": 3}},
                {"id": "rich", "role": "team", "evidence": {"committee": {"value": 95}}, "facts": {"income": 9}},
            ]
        }
        answer = httpx.post(f"{service}/schemes/rules-a/evaluate?trace=false", json=cohort, timeout=60)
        assert 200 == answer.status_code, answer.text
        grades = {o["subject"]: o["final_grade"] for o in answer.json()["outcomes"]}
        assert {"poor": "差", "rich": "好"} == grades

    def test_check(self, service: str) -> None:
        """POST /check: ok for the bundled scheme's TOML; every problem, with its line, for a broken one."""
        good = httpx.post(f"{service}/check", content=(HUINING / "scheme.toml").read_bytes()).json()
        assert (True, []) == (good["ok"], good["problems"])
        text = (HUINING / "scheme.toml").read_text(encoding="utf-8")
        assert "min_respondents = 20" in text
        broken = text.replace("min_respondents = 20", "min_respondent = 20", 1)
        answer = httpx.post(f"{service}/check", content=broken.encode("utf-8")).json()
        assert False is answer["ok"]
        assert any("did you mean 'min_respondents'?" in p["message"] and p["line"] for p in answer["problems"])

    def test_openapi(self, service: str) -> None:
        """GET /openapi.json: OpenAPI 3.1 with every route, its bodies from the JSON Schemas."""
        doc = httpx.get(f"{service}/openapi.json").json()
        assert "3.1.0" == doc["openapi"]
        assert {"/health", "/schemes", "/schemes/{scheme_id}", "/schemes/{scheme_id}/evaluate", "/check"} <= set(
            doc["paths"]
        )
        assert {"Cohort", "Result", "Problem", "Describe"} <= set(doc["components"]["schemas"])


BAD_BODIES: list[tuple[str, bytes]] = [
    ("not JSON", b"{"),
    ("binary", bytes(range(256))),
    ("GBK", json.dumps({"subjects": [{"id": "北关村", "role": "team"}]}, ensure_ascii=False).encode("gbk")),
    ("UTF-16", json.dumps({"subjects": []}).encode("utf-16")),
    ("a duplicate key", b'{"subjects": [], "subjects": []}'),
    ("not an object", b"[1, 2, 3]"),
    ("a huge number", b'{"subjects": [], "period": 1e999999999}'),
    ("deep nesting", b'{"subjects": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    ("an unknown role", b'{"subjects": [{"id": "a", "role": "mayor"}]}'),
    ("a string for the subjects", b'{"subjects": "all of them"}'),
]


class TestBadInput:
    @pytest.mark.parametrize(("what", "body"), BAD_BODIES, ids=[w for w, _ in BAD_BODIES])
    def test_a_4xx_with_problems_never_a_500(self, service: str, what: str, body: bytes) -> None:
        """Every bad body is answered 400 with problem objects (file, line, path, code, message, severity)."""
        answer = httpx.post(f"{service}/schemes/huining-midterm-2023/evaluate", content=body, timeout=30)
        assert 400 == answer.status_code, (what, answer.text)
        problems = answer.json()["problems"]
        assert problems
        assert all({"file", "line", "path", "code", "message", "severity"} == set(p) for p in problems)

    def test_the_same_problems_as_the_cli(self, service: str) -> None:
        """A duplicate key: the problem objects `--errors json` writes, the file named as the body."""
        body = b'{"subjects": [],\n "subjects": []}'
        answer = httpx.post(f"{service}/schemes/huining-midterm-2023/evaluate", content=body).json()["problems"]
        cli = _cli("--errors", "json", "evaluate", "huining-midterm-2023", "-", stdin=body)
        assert 2 == cli.returncode
        from_cli = [json.loads(line) for line in cli.stderr.decode().splitlines() if line.strip()]
        assert [{**p, "file": None} for p in from_cli] == [{**p, "file": None} for p in answer]

    def test_an_unknown_scheme(self, service: str) -> None:
        """404, with a did-you-mean."""
        answer = httpx.post(f"{service}/schemes/huining-midterm-2024/evaluate", content=b"{}")
        assert 404 == answer.status_code
        assert "did you mean 'huining-midterm-2023'?" in answer.json()["problems"][0]["message"]

    def test_an_unknown_subject(self, service: str) -> None:
        """Explaining a subject that is not in the cohort: 404."""
        answer = httpx.post(f"{service}/schemes/huining-midterm-2023/explain/nobody", content=DEMO.read_bytes())
        assert 404 == answer.status_code


class TestGuards:
    def test_a_token_is_required(self, guarded: str) -> None:
        """With --token-file: 401 without it or with another, through with it; /health stays open."""
        url = f"{guarded}/schemes"
        assert 401 == httpx.get(url).status_code
        assert 401 == httpx.get(url, headers={"Authorization": "Bearer wrong"}).status_code
        assert 200 == httpx.get(url, headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        assert 200 == httpx.get(f"{guarded}/health").status_code

    def test_the_body_limit(self, guarded: str) -> None:
        """With --max-body 2000: the demo cohort (about 20 kB) is 413, with a problem saying the limit."""
        answer = httpx.post(
            f"{guarded}/schemes/huining-midterm-2023/evaluate",
            content=DEMO.read_bytes(),
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert 413 == answer.status_code
        assert "2000 bytes" in answer.json()["problems"][0]["message"]

    def test_binds_loopback_by_default(self) -> None:
        """Without --host the service listens on 127.0.0.1 only."""
        from villageeval._cli import _parser

        args = _parser().parse_args(["serve"])
        assert "127.0.0.1" == args.host
