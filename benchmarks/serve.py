"""A bounded load test of ``villageeval serve``: 50 concurrent clients for 30 s on 127.0.0.1.

    python benchmarks/serve.py                    # 50 clients, 30 s, the huining demo (77 subjects)
    python benchmarks/serve.py --clients 10 --seconds 10 --no-trace

Starts the service as a child process on a free loopback port, has ``--clients`` asyncio
clients (httpx) post a township's cohort to ``/schemes/huining-midterm-2023/evaluate``
back to back until ``--seconds`` have passed, stops the service, and prints the
throughput, the p50 and p99 latencies and the number of errors (any answer but 200).
It stops by itself. Needs the server extra and httpx (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "schemes" / "huining-midterm-2023" / "demo.json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _client(url: str, body: bytes, until: float, latencies: list[float], errors: list[int]) -> None:
    async with httpx.AsyncClient(timeout=60) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            try:
                answer = await client.post(url, content=body)
                ok = answer.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            if not ok:
                errors.append(1)


async def _load(url: str, body: bytes, clients: int, seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(*(_client(url, body, until, latencies, errors) for _ in range(clients)))
    return latencies, len(errors), time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=30)
    p.add_argument("--no-trace", action="store_true", help="post with ?trace=false")
    args = p.parse_args(argv)
    port = _free_port()
    env = {**os.environ, "VILLAGEEVAL_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "villageeval", "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise SystemExit("the service did not start")
        url = f"{base}/schemes/huining-midterm-2023/evaluate" + ("?trace=false" if args.no_trace else "")
        body = DEMO.read_bytes()
        httpx.post(url, content=body, timeout=60)  # load the scheme before the clock starts
        latencies, errors, took = asyncio.run(_load(url, body, args.clients, args.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    latencies.sort()
    n = len(latencies)
    p50 = statistics.median(latencies) if n else float("nan")
    p99 = latencies[min(n - 1, int(n * 0.99))] if n else float("nan")
    subjects = body.count(b'"role"')
    trace = "no" if args.no_trace else "yes"
    print(f"{args.clients} clients, {took:.1f} s, trace={trace}, {subjects} subjects a request")
    print(f"  requests: {n}  throughput: {n / took:.1f} requests/s ({n * subjects / took:,.0f} subjects/s)")
    print(f"  latency p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms; errors: {errors}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
