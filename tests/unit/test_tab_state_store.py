"""Where Reflex keeps each tab's state: Redis when configured, the disk while developing (it
survives hot reloads), memory otherwise (the disk store rescans its folder every few seconds)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from microblog.config import PROJECT_ROOT, tab_state_store


@pytest.mark.parametrize(
    ("env", "redis_url", "expected"),
    [
        ("development", None, None),
        ("dev", None, None),
        (" Development ", None, None),
        ("production", None, "memory"),
        ("test", None, "memory"),
        ("production", "redis://127.0.0.1:6379/0", None),
        ("development", "redis://127.0.0.1:6379/0", None),
    ],
)
def test_store_choice(env: str, redis_url: str | None, expected: str | None) -> None:
    assert tab_state_store(env, redis_url) == expected


@pytest.mark.parametrize(
    ("variables", "manager"),
    [
        ({"MICROBLOG_ENV": "development"}, "StateManagerDisk"),
        ({"MICROBLOG_ENV": "production"}, "StateManagerMemory"),
        (
            {"MICROBLOG_ENV": "production", "REDIS_URL": "redis://127.0.0.1:6379/15"},
            "StateManagerRedis",
        ),
    ],
)
def test_reflex_builds_the_chosen_store_from_rxconfig(
    variables: dict[str, str], manager: str
) -> None:
    """The state manager Reflex itself builds from rxconfig.py (no connection is made)."""
    env = {k: v for k, v in os.environ.items() if k not in {"MICROBLOG_ENV", "REDIS_URL"}}
    env.update(variables)
    code = (
        "from reflex.istate.manager import StateManager; "
        "print(type(StateManager.create()).__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip().splitlines()[-1] == manager
