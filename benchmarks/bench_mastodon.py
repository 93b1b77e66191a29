"""The home timeline through the Mastodon API beside our own: `GET /api/v1/timelines/home`
and `GET /api/feed`, the same reader, the same page size (20), the same data and server.

    DATABASE_URL=sqlite:////tmp/api-scale.db python -m microblog seed --scale --yes
    python -m benchmarks.bench_mastodon --database-url sqlite:////tmp/api-scale.db
    python -m benchmarks.bench_mastodon --database-url postgresql://postgres@127.0.0.1/bench \
        --workers 2 --tool wrk

The server is bench_api.py's (granian with the backend's HTTP app on a free loopback port).
The load: `--tool wrk` (wrk, when installed: `--connections` connections on 2 threads,
`--seconds` long, its own latency percentiles) or `--tool python` (bench_api.py's keep-alive
asyncio loop, which also counts the server's CPU per request). Every answer must be a 200.
Both endpoints read the same page of cards (services/timeline.py); the Mastodon one then reads
the authors' accounts and counts and the boosts' boosters (present.py: three more statements)
and sends larger JSON. Results: docs/mastodon-api.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import statistics
import subprocess
from pathlib import Path

from benchmarks.bench_api import (
    USER,
    get_token,
    load,
    percentile,
    serve_api,
    server_cpu_seconds,
)
from microblog.config import normalize_database_url
from microblog.seed import DEMO_PASSWORD

TARGETS = ("/api/feed?per_page=20", "/api/v1/timelines/home?limit=20")


def run_wrk(base: str, path: str, token: str, connections: int, seconds: float) -> dict:
    """wrk's figures for one endpoint (requests per second, p50/p99 in ms, non-2xx count)."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{max(int(seconds), 1)}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {token}",
            f"{base}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        found = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        if not found:
            return 0.0
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "path": path,
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "errors": int(bad.group(1)) if bad else 0,
    }


def run_python(port: int, pid: int, path: str, token: str, args: argparse.Namespace) -> dict:
    asyncio.run(load(port, path, token, args.connections, args.warmup, record=False))
    before = server_cpu_seconds(pid)
    result = asyncio.run(load(port, path, token, args.connections, args.seconds, record=True))
    cpu_ms = (server_cpu_seconds(pid) - before) * 1000 / max(result.requests, 1)
    return {
        "path": path,
        "rps": round(result.rate, 1),
        "p50_ms": round(percentile(result.latencies_ms, 50), 2),
        "p99_ms": round(percentile(result.latencies_ms, 99), 2),
        "server_cpu_ms": round(cpu_ms, 3),
        "errors": result.errors,
    }


def check_same_page(base: str, token: str) -> None:
    """Both endpoints give the same entries, or the comparison means nothing."""
    import urllib.request

    def get(path: str) -> object:
        request = urllib.request.Request(  # noqa: S310 (loopback)
            f"{base}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)

    ours = [entry["id"] for entry in get(TARGETS[0])["items"]]  # type: ignore[index]
    theirs = [int(status["id"]) for status in get(TARGETS[1])]  # type: ignore[union-attr]
    if ours != theirs:
        raise SystemExit(f"the two pages differ: {ours} != {theirs}")


_FIGURES = ("rps", "p50_ms", "p99_ms", "errors", "server_cpu_ms")


def _print(label: str, result: dict) -> None:
    cpu = f"   server CPU {result['server_cpu_ms']:.2f} ms/req" if "server_cpu_ms" in result else ""
    print(
        f"{label:<46} {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.1f} ms"
        f"   p99 {result['p99_ms']:6.1f} ms{cpu}   ({result['errors']} not 200)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/api-scale.db")
    parser.add_argument("--user", default=USER)
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--tool", choices=("wrk", "python"), default="wrk" if shutil.which("wrk") else "python"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the two endpoints in turn this many times"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(
        f"database: {args.database_url}  workers: {args.workers}  "
        f"connections: {args.connections}  tool: {args.tool}"
    )
    results: list[dict] = []
    with serve_api(normalize_database_url(args.database_url), args.workers) as (base, pid):
        port = int(base.rsplit(":", 1)[1])
        token = get_token(base, args.user, args.password)
        check_same_page(base, token)
        if args.tool == "wrk":
            for path in TARGETS:
                run_wrk(base, path, token, args.connections, args.warmup)  # warm-up
        for round_number in range(1, args.rounds + 1):  # interleaved: A B A B ...
            for path in TARGETS:
                if args.tool == "wrk":
                    result = run_wrk(base, path, token, args.connections, args.seconds)
                else:
                    result = run_python(port, pid, path, token, args)
                results.append({"path": path, "round": round_number, **result})
                _print(f"{round_number}: GET {path}", result)
    if args.rounds > 1:
        for path in TARGETS:
            mine = [r for r in results if r["path"] == path]
            figures = [key for key in _FIGURES if key in mine[0]]
            medians = {key: statistics.median(r[key] for r in mine) for key in figures}
            _print(f"median: GET {path}", medians)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
