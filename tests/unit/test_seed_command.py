"""`python -m microblog seed` and `make seed` never replace data silently: the command asks on a
terminal when there is data, refuses without one unless given --yes, and `make seed` passes
--yes only when asked to (YES=1). Run as real subprocesses (a real pseudo-terminal for the
question) against a SQLite file of their own."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from microblog.config import PROJECT_ROOT
from microblog.db import make_engine
from microblog.models import User
from tests.conftest import migrate


def _env(url: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "MICROBLOG_ENV": "test"}
    env.pop("REDIS_URL", None)
    return env


def _usernames(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(select(User.username)).scalars())  # type: ignore[arg-type]
    finally:
        engine.dispose()


@pytest.fixture
def url_with_data(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            'INSERT INTO "user" (username, email, password_hash, last_seen, created) '
            "VALUES ('keepme', 'k@example.com', 'x', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    engine.dispose()
    return url


def test_without_a_terminal_it_refuses_and_changes_nothing(url_with_data: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "microblog", "seed"],
        cwd=PROJECT_ROOT,
        env=_env(url_with_data),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "holds data" in done.stderr and "--yes" in done.stderr and "YES=1" in done.stderr
    assert _usernames(url_with_data) == ["keepme"]


def _on_a_terminal(url: str, answer: bytes) -> tuple[int, str]:
    """Run the seed with a pseudo-terminal as stdin and stdout, answering its question."""
    main, child = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "microblog", "seed"],
            cwd=PROJECT_ROOT,
            env=_env(url),
            stdin=child,
            stdout=child,
            stderr=child,
            start_new_session=True,  # the terminal is the child's alone
        )
        os.close(child)
        seen = b""
        while b"Continue? [y/N]" not in seen:
            chunk = os.read(main, 4096)
            assert chunk, seen
            seen += chunk
        os.write(main, answer)
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        return process.wait(timeout=120), seen.decode(errors="replace")
    finally:
        os.close(main)


def test_on_a_terminal_it_asks_and_no_keeps_the_data(url_with_data: str) -> None:
    code, shown = _on_a_terminal(url_with_data, b"n\n")
    assert code == 1 and "Nothing was changed" in shown
    assert _usernames(url_with_data) == ["keepme"]


def test_on_a_terminal_yes_replaces_the_data(url_with_data: str) -> None:
    code, shown = _on_a_terminal(url_with_data, b"y\n")
    assert code == 0, shown
    names = _usernames(url_with_data)
    assert "keepme" not in names and "susan" in names


def test_an_empty_database_is_seeded_without_a_question(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "microblog", "seed"],
        cwd=PROJECT_ROOT,
        env=_env(url),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 12
    engine.dispose()


@pytest.mark.parametrize(
    ("target", "extra", "passes_yes"),
    [
        ("seed", [], False),
        ("seed", ["YES=1"], True),
        ("seed", ["YES=0"], False),
        ("seed-scale", [], False),
        ("seed-scale", ["YES=1"], True),
    ],
)
def test_make_passes_yes_only_when_asked(target: str, extra: list[str], passes_yes: bool) -> None:
    """What `make seed` runs (make -n prints the commands without running them)."""
    done = subprocess.run(
        ["make", "-n", target, *extra],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seed_line = next(line for line in done.stdout.splitlines() if "microblog seed" in line)
    assert ("--yes" in seed_line.split()) is passes_yes
