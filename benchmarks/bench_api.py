"""REST API benchmark: requests per second and latency of three reads on the scale data set.

    DATABASE_URL=sqlite:////tmp/api-scale.db python -m microblog seed --scale --yes
    python -m benchmarks.bench_api --database-url sqlite:////tmp/api-scale.db
    python -m benchmarks.bench_api --database-url postgresql://postgres@127.0.0.1/bench --workers 2

The server is the backend's HTTP app (`microblog.web:create_http_app`, the object Reflex mounts
with `api_transformer`) under granian (`reflex run` serves it under uvicorn), on a free
loopback port with `--workers` processes. The load generator is this process: `--connections`
keep-alive HTTP/1.1 connections on asyncio streams (a raw client, so the generator costs far
less CPU per request than the server and measures the server, not itself), each sending its
next request as soon as the previous answer is in. Every answer must be a 200, or the run fails.

For each endpoint: a warm-up, then `--seconds` of load; prints requests per second and the
p50/p90/p99 latency (nearest rank) of every request. As `user2` (follows 50, ~100 posts):
`GET /api/users/2`, `GET /api/users?page=2`, `GET /api/feed`. Results: docs/api.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from microblog.config import normalize_database_url
from microblog.seed import DEMO_PASSWORD
from tests.app_server import serve_asgi

ROOT = Path(__file__).resolve().parent.parent
USER = "user2"
TARGETS = ("/api/users/{uid}", "/api/users?page=2", "/api/feed")


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by the server and its worker processes, from
    /proc (Linux): it tells the server's cost per request apart from the load generator's and
    from anything else the machine is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, cpu seconds)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / ticks)
    family, total, grew = {pid}, 0.0, True
    while grew:
        more = {child for child, (parent, _) in stats.items() if parent in family} - family
        family |= more
        grew = bool(more)
    for member in family:
        total += stats.get(member, (0, 0.0))[1]
    return total


@contextmanager
def serve_api(database_url: str, workers: int) -> Iterator[tuple[str, int]]:
    """granian with the backend's HTTP app on 127.0.0.1; stopped (with its workers) on exit."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MICROBLOG_ENV": os.environ.get("MICROBLOG_ENV", "development"),
        # The benchmark asks for a token per run; the limits are not what is measured.
        "API_TOKEN_RATE_LIMIT": "1000/60",
        "LOG_TO_STDOUT": "1",
    }
    with serve_asgi(
        "microblog.web:create_http_app",
        env=env,
        ready_path="/api/openapi.json",
        workers=workers,
        access_log=False,
        start_timeout=60,
    ) as server:
        yield server.base, server.process.pid


def get_token(base: str, username: str, password: str) -> str:
    credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/api/tokens", method="POST", headers={"Authorization": f"Basic {credentials}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)["token"]


def get_json(base: str, path: str, token: str) -> dict:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


@dataclass
class Result:
    path: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int
    server_cpu_ms: float = 0.0  # server CPU time per request

    @property
    def per_core(self) -> float:
        """Requests per second one fully busy core would serve at this CPU cost."""
        return 1000 / self.server_cpu_ms if self.server_cpu_ms else 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


async def load(
    port: int, path: str, token: str, connections: int, seconds: float, *, record: bool
) -> Result:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def one_connection() -> int:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        try:
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    errors += 1
                done += 1
        finally:
            writer.close()
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(one_connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return Result(path, sum(counts), elapsed, latencies, errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/api-scale.db")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    database_url = normalize_database_url(args.database_url)
    print(
        f"database: {args.database_url}  workers: {args.workers}  connections: {args.connections}"
    )
    results: list[Result] = []
    with serve_api(database_url, args.workers) as (base, pid):
        port = int(base.rsplit(":", 1)[1])
        token = get_token(base, USER, DEMO_PASSWORD)
        listed = get_json(base, "/api/users?per_page=5", token)["items"]
        uid = next(user["id"] for user in listed if user["username"] == USER)
        for template in TARGETS:
            path = template.format(uid=uid)
            asyncio.run(load(port, path, token, args.connections, args.warmup, record=False))
            cpu_before = server_cpu_seconds(pid)
            result = asyncio.run(
                load(port, path, token, args.connections, args.seconds, record=True)
            )
            cpu_used = server_cpu_seconds(pid) - cpu_before
            result.server_cpu_ms = cpu_used * 1000 / max(result.requests, 1)
            results.append(result)
            lat = result.latencies_ms
            print(
                f"GET {path:<22} {result.rate:8.0f} req/s   p50 {percentile(lat, 50):6.1f} ms"
                f"   p90 {percentile(lat, 90):6.1f} ms   p99 {percentile(lat, 99):6.1f} ms"
                f"   server CPU {result.server_cpu_ms:4.2f} ms/req"
                f" (~{result.per_core:4.0f}/s per core)"
                f"   ({result.requests} requests, {result.errors} not 200)"
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "path": r.path,
                        "rps": round(r.rate, 1),
                        "p50_ms": round(percentile(r.latencies_ms, 50), 2),
                        "p99_ms": round(percentile(r.latencies_ms, 99), 2),
                        "server_cpu_ms": round(r.server_cpu_ms, 3),
                        "requests": r.requests,
                        "errors": r.errors,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
