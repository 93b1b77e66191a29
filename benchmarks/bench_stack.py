"""The production stack (`make prod`'s `python -m microblog.stack run`): how long a start takes,
with and without a frontend rebuild, and what the API and a feed page serve through nginx.

    python -m benchmarks.bench_stack --database-url postgresql://postgres@127.0.0.1:5432/bench_stack

The database is created if missing and filled with the demo data (`python -m microblog seed`);
Redis is `--redis-url`'s database (emptied). The stack runs as `make prod` runs it: nginx on a
free loopback port in front of `--workers` workers.

1. Starts: a cold start (the build's stamp removed, so the frontend is built again; the
   frontend's packages stay installed) and a warm restart (nothing changed: no rebuild), each
   timed from the command to "stack: ready" (workers answering, nginx started).
2. Load through nginx: `--connections` keep-alive connections, each sending its next request
   when the previous answer is in, for `--seconds` per target after a warm-up: `GET /api/feed`
   (susan's home feed over the API, a bearer token), `GET /api/users/1`, `GET /explore` (the
   feed page's HTML with its first page of posts drawn by the server, for a visitor) and one
   hashed build asset (nginx alone). Every answer must be a 200. Prints requests per second,
   p50/p90/p99 latency and the stack's CPU time per request (nginx and workers, from /proc).

The load generator shares the machine's cores with the stack: on 2 cores the figures are a
floor. Results: docs/deploying.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.bench_api import (
    Result,
    _read_response,
    get_token,
    percentile,
    server_cpu_seconds,
)
from microblog.config import PROJECT_ROOT, normalize_database_url
from microblog.seed import DEMO_PASSWORD
from microblog.stack.build import stamp_of
from tests.app_server import free_port

BUN_BIN = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
WEB_DIR = PROJECT_ROOT / ".web-prod-bench"


def _free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (the workers')."""
    import socket

    while True:
        first, taken = free_port(), False
        for port in range(first + 1, first + count):
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    taken = True
        if not taken:
            return first


def _ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    parts = urlsplit(normalize_database_url(url))
    name = parts.path.lstrip("/")
    admin = create_engine(
        urlunsplit(parts._replace(path="/postgres")), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _environment(args: argparse.Namespace, port: int, first_worker: int, run: Path) -> dict:
    return {
        **os.environ,
        "PUBLIC_URL": f"http://localhost:{port}",
        "LISTEN_HOST": "127.0.0.1",
        "WEB_WORKERS": str(args.workers),
        "WEB_WORKER_PORT": str(first_worker),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "STACK_RUN_DIR": str(run),
        "REFLEX_WEB_WORKDIR": str(WEB_DIR),
        "NGINX_ACCESS_LOG": "off",
        "API_TOKEN_RATE_LIMIT": "1000/3600",
        "PATH": f"{BUN_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
    }


@contextmanager
def running_stack(env: dict, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    """The stack until the block ends (then Ctrl-C); yields it and its start time (s)."""
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "microblog.stack", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while "stack: ready" not in log.read_text(errors="replace"):
            if process.poll() is not None:
                sys.exit(f"the stack did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield process, time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


async def load(
    port: int, host: str, path: str, headers: str, connections: int, seconds: float
) -> Result:
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode()
    latencies: list[float] = []
    errors = 0
    stop_at = time.perf_counter() + seconds

    async def one_connection() -> int:
        """Requests on one keep-alive connection, opened again when nginx closes it (after
        `keepalive_requests`, 1000)."""
        nonlocal errors
        done = 0
        while time.perf_counter() < stop_at:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                while time.perf_counter() < stop_at:
                    began = time.perf_counter()
                    writer.write(request)
                    try:
                        status = await _read_response(reader)
                    except asyncio.IncompleteReadError:
                        break  # closed by the server before this request: not counted
                    latencies.append((time.perf_counter() - began) * 1000)
                    errors += status != 200
                    done += 1
            finally:
                writer.close()
        return done

    began = time.perf_counter()
    counts = await asyncio.gather(*(one_connection() for _ in range(connections)))
    return Result(path, sum(counts), time.perf_counter() - began, latencies, errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/bench_stack"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--skip-cold", action="store_true", help="only the warm restart")
    parser.add_argument(
        "--port",
        type=int,
        default=18080,
        help="nginx's port (part of the build's key: a fixed one "
        "lets a later run find its build current)",
    )
    args = parser.parse_args(argv)

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    _ensure_database(args.database_url)
    seed_env = {**os.environ, "DATABASE_URL": args.database_url}
    subprocess.run([sys.executable, "-m", "microblog", "migrate"], env=seed_env, check=True)
    subprocess.run([sys.executable, "-m", "microblog", "seed", "--yes"], env=seed_env, check=True)

    port, first_worker = args.port, _free_ports(args.workers)
    with tempfile.TemporaryDirectory() as work:
        env = _environment(args, port, first_worker, Path(work) / "run")
        log = Path(work) / "stack.log"
        print(f"stack with {args.workers} workers on {env['PUBLIC_URL']}")
        if not args.skip_cold:
            stamp_of(WEB_DIR).unlink(missing_ok=True)
            with running_stack(env, log) as (_, seconds):
                print(f"cold start (frontend built again): {seconds:.1f} s")
        with running_stack(env, log) as (process, seconds):
            rebuilt = "building the frontend" in log.read_text()
            print(f"warm restart ({'REBUILT' if rebuilt else 'no rebuild'}): {seconds:.1f} s")
            base = env["PUBLIC_URL"]
            token = get_token(base, "susan", DEMO_PASSWORD)
            with urllib.request.urlopen(f"{base}/explore", timeout=30) as answer:  # noqa: S310
                html = answer.read().decode()
            asset = re.search(r'(/assets/[^"]+\.js)"', html)
            targets = [
                ("/api/feed", f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"),
                ("/api/users/1", f"Authorization: Bearer {token}\r\nAccept: application/json\r\n"),
                ("/explore", "Accept: text/html\r\nAccept-Encoding: gzip\r\n"),
            ]
            if asset:
                targets.append((asset.group(1), "Accept-Encoding: gzip\r\n"))
            columns = ("req/s", "p50 ms", "p90 ms", "p99 ms")
            print(f"{'GET':<34} " + " ".join(f"{c:>7}" for c in columns) + f" {'CPU ms/req':>10}")
            for path, headers in targets:
                asyncio.run(load(port, f"localhost:{port}", path, headers, args.connections, 2))
                cpu_before = server_cpu_seconds(process.pid)
                result = asyncio.run(
                    load(port, f"localhost:{port}", path, headers, args.connections, args.seconds)
                )
                cpu = (
                    (server_cpu_seconds(process.pid) - cpu_before) * 1000 / max(1, result.requests)
                )
                if result.errors:
                    sys.exit(f"{path}: {result.errors} answers were not 200")
                shown = path if len(path) <= 34 else path[:20] + "…" + path[-13:]
                print(
                    f"{shown:<34} {result.rate:7.0f} {percentile(result.latencies_ms, 50):7.1f} "
                    f"{percentile(result.latencies_ms, 90):7.1f} "
                    f"{percentile(result.latencies_ms, 99):7.1f} {cpu:10.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
