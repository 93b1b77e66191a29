"""`python -m microblog.stack COMMAND`: the production stack's commands.

- `run`: check, build the frontend if its inputs changed, migrate, start the workers and nginx,
  keep them up until Ctrl-C (`make prod`). `--workers-only` leaves nginx out (a container
  behind a separate nginx); `--nginx-only` runs nginx alone, in front of workers elsewhere.
- `prepare`: the checks, the build and the migration, then exit (a systemd unit before the
  workers start; a container's start).
- `build`: the frontend build only, if needed (the container image's build stage).
- `worker --port N [--host H]`: one backend worker (what `run` starts N times; a systemd unit).
- `nginx-site`: print the nginx site for a Linux host's own nginx.
- `check`: the checks only: exit 0 when the database and Redis answer.
- `healthcheck [--workers]`: exit 0 when nginx (or, with `--workers`, every worker) answers
  /healthz: the container's HEALTHCHECK, without curl in the image.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from microblog.config import ConfigError, get_settings
from microblog.stack import build, checks, nginx, supervisor
from microblog.stack.settings import (
    StackSettings,
    fresh_metrics_folder,
    load_stack_settings,
    stack_environment,
)


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(f"stack: {line}", file=sys.stderr, flush=True)
    return 2


def _check(stack: StackSettings, *, need_nginx: bool) -> int:
    found = checks.problems(stack, need_nginx=need_nginx)
    if found:
        return _fail(["cannot start:", *found])
    return 0


def _build(stack: StackSettings) -> int:
    try:
        built = build.ensure_build(stack.public_url, stack.web_dir, may_build=build.can_build())
    except build.BuildFailed as problem:
        return _fail([str(problem)])
    if not built:
        supervisor.say(f"the frontend build is current ({stack.web_dir}); not rebuilding")
    return 0


def _migrate() -> int:
    supervisor.say(f"migrating {get_settings().database_url.split('@')[-1]}")
    done = subprocess.run([sys.executable, "-m", "microblog", "migrate"], check=False)
    return 0 if done.returncode == 0 else _fail(["the migration failed (see above)"])


def _prepare(stack: StackSettings, *, need_nginx: bool) -> int:
    """The checks, the build if needed, the migration, an empty metrics folder: the first
    failure's status, or 0."""
    status = _check(stack, need_nginx=need_nginx) or _build(stack) or _migrate()
    if status == 0:
        fresh_metrics_folder()
    return status


def _nginx_child(stack: StackSettings) -> supervisor.Child | None:
    config = nginx.write_configs(stack)
    tested = subprocess.run(  # noqa: S603
        [stack.nginx, "-t", "-q", "-c", str(config), "-e", "stderr"], check=False
    )
    if tested.returncode != 0:
        _fail([f"nginx refused its configuration ({config}); see above"])
        return None
    host = stack.listen_host if stack.listen_host not in ("", "0.0.0.0", "::") else "127.0.0.1"  # noqa: S104
    return supervisor.nginx_child(stack.nginx, config, (host, stack.listen_port))


def _run(stack: StackSettings, *, workers: bool, with_nginx: bool) -> int:
    if workers and (status := _prepare(stack, need_nginx=with_nginx)):
        return status
    if not workers and not stack.static_root.exists():
        return _fail([f"no frontend build in {stack.web_dir} for nginx to serve"])
    front = _nginx_child(stack) if with_nginx else None
    if with_nginx and front is None:
        return 2
    children = (
        [supervisor.worker_child(port, stack.worker_host) for port in stack.ports]
        if workers
        else []
    )
    what = (
        [f"{len(children)} workers on ports {stack.ports[0]}-{stack.ports[-1]}"] if workers else []
    )
    what += [f"nginx on {stack.listen_host or '*'}:{stack.listen_port}"] if front else []
    supervisor.say(f"starting {' and '.join(what)} for {stack.public_url}")
    return supervisor.Stack(children, front).run()


def _healthcheck(stack: StackSettings, *, workers: bool) -> int:
    """Probe from inside the host or container: the workers directly, or nginx under the
    public host name (any other name is redirected)."""
    import urllib.request

    everywhere = ("", "0.0.0.0", "::")  # noqa: S104 (addresses a server listens on, not ours)
    urls: list[tuple[str, str | None]]
    if workers:
        probe = "127.0.0.1" if stack.worker_host in everywhere else stack.worker_host
        urls = [(f"http://{probe}:{port}/healthz", None) for port in stack.ports]
    else:
        host = "127.0.0.1" if stack.listen_host in everywhere else stack.listen_host
        urls = [(f"http://{host}:{stack.listen_port}/healthz", stack.server_name)]
    for url, name in urls:
        request = urllib.request.Request(url, headers={"Host": name} if name else {})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (ours)
                if answer.status != 200:
                    return 1
        except OSError as problem:
            print(f"{url}: {problem}", file=sys.stderr)
            return 1
    return 0


def parser() -> argparse.ArgumentParser:
    """The commands and their arguments (also read by tests/unit/test_deploy_files.py, which
    checks that the Makefile, the Dockerfile, compose.yaml and the systemd units call them)."""
    found = argparse.ArgumentParser(
        prog="python -m microblog.stack", description=(__doc__ or "").split("\n\n")[0]
    )
    commands = found.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="check, build, migrate, serve (make prod)")
    only = run.add_mutually_exclusive_group()
    only.add_argument("--workers-only", action="store_true", help="no nginx")
    only.add_argument("--nginx-only", action="store_true", help="nginx alone")
    commands.add_parser("prepare", help="check, build, migrate")
    commands.add_parser("build", help="build the frontend if its inputs changed")
    commands.add_parser("check", help="check that the database and Redis answer")
    commands.add_parser("nginx-site", help="print the nginx site for this installation")
    health = commands.add_parser("healthcheck", help="exit 0 when nginx (or the workers) answer")
    health.add_argument("--workers", action="store_true", help="probe the workers, not nginx")
    worker = commands.add_parser("worker", help="one backend worker")
    worker.add_argument("--port", type=int, required=True)
    worker.add_argument("--host", default=None)
    return found


# The commands that run the app (and so need a SECRET_KEY, made on the first start if unset).
_RUN_THE_APP = {"run", "prepare", "worker", "check"}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    runs_app = args.command in _RUN_THE_APP and not getattr(args, "nginx_only", False)

    try:
        stack = load_stack_settings()
        stack_environment(stack, secret=runs_app)
    except ConfigError as problem:
        return _fail([str(problem)])
    if args.command == "healthcheck":
        return _healthcheck(stack, workers=args.workers)
    if args.command == "worker":
        from microblog.stack.worker import run_worker

        run_worker(args.host or stack.worker_host, args.port)
        return 0
    if args.command == "nginx-site":
        print(nginx.site_config(stack), end="")
        return 0
    if args.command == "check":
        return _check(stack, need_nginx=False)
    if args.command == "build":
        return _build(stack)
    if args.command == "prepare":
        return _prepare(stack, need_nginx=False)
    return _run(stack, workers=not args.nginx_only, with_nginx=not args.workers_only)


if __name__ == "__main__":
    sys.exit(main())
