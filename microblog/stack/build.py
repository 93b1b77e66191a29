"""The frontend build, made once and again only when something it is made from changed.

`reflex export --frontend-only --no-zip --env prod` compiles the pages and has Vite build them
into `<REFLEX_WEB_WORKDIR>/build/client`, which nginx serves and each worker mounts for page
HTML. It takes 20-30 s and needs bun, so a start with nothing changed must not pay it: the
build is stamped with a key, a hash of everything it is made from (the Python the pages are
written in, the assets, rxconfig.py, the JavaScript lock file, Reflex's version, PUBLIC_URL,
which the build writes into the pages), and `make prod` rebuilds only when the key differs.
The container image is built the same way, so at run time it finds its build current.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path

from microblog.config import PROJECT_ROOT

STAMP = "microblog-build-key"
FORMAT = "1"  # bump when what goes into a build changes in a way the inputs do not show
BUN_BIN = PROJECT_ROOT / ".tools" / "node_modules" / ".bin"
_SKIPPED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache"}


class BuildFailed(RuntimeError):
    """The frontend could not be built; the message says why."""


def build_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    """What the frontend build is made from, in a stable order."""
    found = [root / "rxconfig.py"]
    for folder, pattern in (("microblog", "*.py"), ("assets", "*"), ("reflex.lock", "*")):
        found += [
            path
            for path in (root / folder).rglob(pattern)
            if path.is_file() and not _SKIPPED_PARTS & set(path.parts)
        ]
    return sorted(found)


def build_key(public_url: str, root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for part in (FORMAT, version("reflex"), public_url):
        digest.update(part.encode() + b"\0")
    for path in build_inputs(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stamp_of(web_dir: Path) -> Path:
    return web_dir / "build" / STAMP


def built_key(web_dir: Path) -> str | None:
    """The key of the build in `web_dir`, if there is a whole one."""
    stamp = stamp_of(web_dir)
    if not stamp.exists() or not (web_dir / "build" / "client" / "index.html").exists():
        return None
    return stamp.read_text().strip()


@contextmanager
def _locked(web_dir: Path) -> Iterator[None]:
    """One build at a time per folder (two `make prod` started together)."""
    web_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(web_dir.parent / f"{web_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _build_environment(web_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The build imports the app: it needs a key (it signs nothing) but no database or Redis.
    env.setdefault("SECRET_KEY", "build-only-" + "x" * 40)
    env.pop("REDIS_URL", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # a build counts nothing
    env.update(
        MICROBLOG_ENV="production",  # a production page (no development-only scripts)
        REFLEX_WEB_WORKDIR=str(web_dir),
        REFLEX_ENV_MODE="prod",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        REFLEX_CHECK_LATEST_VERSION="false",
        PATH=f"{BUN_BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def ensure_build(
    public_url: str, web_dir: Path, *, may_build: bool = True, root: Path = PROJECT_ROOT
) -> bool:
    """Build the frontend into `web_dir` unless the build there is current. True when it built.
    Without `may_build` (a container at run time has no bun) a missing or stale build fails,
    saying why."""
    with _locked(web_dir):
        wanted = build_key(public_url, root)
        if built_key(web_dir) == wanted:
            return False
        if not may_build:
            have = built_key(web_dir)
            msg = (
                f"The frontend in {web_dir} was built for other sources or another PUBLIC_URL "
                f"(asked for {public_url}) and this installation cannot build it: rebuild the "
                "image with this PUBLIC_URL (docker compose build --build-arg PUBLIC_URL=...)."
                if have
                else f"There is no frontend build in {web_dir}."
            )
            raise BuildFailed(msg)
        env = _build_environment(web_dir)
        command = [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip"]
        command += ["--env", "prod", "--loglevel", "warning"]
        print(f"stack: building the frontend for {public_url} into {web_dir} ...", flush=True)
        done = subprocess.run(command, cwd=root, env=env, check=False)  # noqa: S603
        if done.returncode != 0 or not (web_dir / "build" / "client" / "index.html").exists():
            msg = f"The frontend build failed (reflex export exited with {done.returncode})."
            raise BuildFailed(msg)
        # Keyed after the build: `reflex export` may rewrite reflex.lock/, one of the inputs.
        stamp_of(web_dir).write_text(build_key(public_url, root) + "\n")
        return True


def can_build() -> bool:
    """Whether this installation can build the frontend (bun is there: `make setup` puts it in
    .tools/; a container's runtime stage has none and uses the build it was made with)."""
    import shutil

    return (
        shutil.which("bun", path=f"{BUN_BIN}{os.pathsep}{os.environ.get('PATH', '')}") is not None
    )
