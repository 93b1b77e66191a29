"""Password hashing, tokens and redirect-target checks (no database needed)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from passlib.hash import argon2

from microblog.security import (
    hash_password,
    hash_token,
    new_token,
    safe_next_path,
    verify_password,
)
from tests.conftest import PROJECT_ROOT


def test_password_hashing() -> None:
    """The tutorial's first test: a hash is not the password, and only the password matches."""
    hashed = hash_password("cat")
    assert hashed != "cat"
    assert hashed.startswith("$argon2id$")
    assert verify_password("cat", hashed) == (True, None)
    assert verify_password("dog", hashed) == (False, None)


def test_same_password_hashes_differently() -> None:
    """Salted: two users with one password do not share a hash."""
    assert hash_password("cat") != hash_password("cat")


def test_hash_made_with_weaker_parameters_is_upgraded() -> None:
    """verify_and_update lets us raise the cost later: old hashes come back re-hashed."""
    weak = argon2.using(type="ID", memory_cost=1024, time_cost=1, parallelism=1).hash("cat")
    assert "m=1024" in weak

    ok, upgraded = verify_password("cat", weak)

    assert ok is True
    assert upgraded is not None
    assert upgraded != weak
    assert "m=19456" in upgraded
    assert verify_password("cat", upgraded) == (True, None)
    # A wrong password never yields a replacement hash.
    assert verify_password("dog", weak) == (False, None)


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$2b$12$garbage"])
def test_unusable_stored_hash_is_a_failed_check_not_a_crash(stored: str) -> None:
    """A corrupt row must read as 'wrong password', not as a server error."""
    assert verify_password("cat", stored) == (False, None)


def test_new_token_is_random_and_stored_only_as_sha256() -> None:
    raw, digest = new_token()
    raw2, _ = new_token()
    assert raw != raw2
    assert len(raw) >= 43  # 32 random bytes, base64url
    assert digest != raw
    assert digest == hashlib.sha256(raw.encode()).hexdigest() == hash_token(raw)


@pytest.mark.parametrize("path", ["/", "/user/x?page=2", "/explore", "/user/susan#posts"])
def test_safe_next_path_keeps_local_paths(path: str) -> None:
    assert safe_next_path(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "",
        None,
        "/\nfoo",
        "/\tfoo",
        "/foo\x7f",
        "evil.com/path",
        "///evil.com",
    ],
)
def test_safe_next_path_refuses_off_site_targets(path: str | None) -> None:
    """An open redirect after login is a phishing tool: anything not plainly local is refused."""
    assert safe_next_path(path) == "/"
    assert safe_next_path(path, default="/index") == "/index"


# Made by passlib 1.7.4 (the library before libpass) with this module's parameters, and with
# weaker ones: accounts registered before the move must still log in.
PASSLIB_174_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$1Lq3ljJGqLU2JqT0vreW8g$"
    "RncNSMii87uah0Re1H02cioYC37b3yjg4PbFHcnxpzU"
)
PASSLIB_174_WEAK_HASH = (
    "$argon2id$v=19$m=1024,t=1,p=1$+B/DGCOktPae854zJsT4Pw$"
    "fK5xLnMwsJBNpJwnKQSEOkhD+zQTCtKkl1YmZkNujrQ"
)


def test_hashes_made_before_the_move_to_libpass_still_verify() -> None:
    assert verify_password("correct horse battery staple", PASSLIB_174_HASH) == (True, None)
    assert verify_password("correct horse battery stapler", PASSLIB_174_HASH) == (False, None)
    ok, upgraded = verify_password("correct horse battery staple", PASSLIB_174_WEAK_HASH)
    assert ok is True
    assert upgraded is not None and "m=19456" in upgraded


_FIRST_USE = """
import warnings
warnings.simplefilter("error", DeprecationWarning)
warnings.simplefilter("error", PendingDeprecationWarning)
from microblog.security import burn_password_check, hash_password, verify_password
from passlib.hash import argon2
hashed = hash_password("cat")
assert verify_password("cat", hashed) == (True, None)
weak = argon2.using(type="ID", memory_cost=1024, time_cost=1, parallelism=1).hash("cat")
assert verify_password("cat", weak)[1] is not None
burn_password_check("dog")
print("clean")
"""


def test_password_hashing_raises_no_deprecation_warning_at_import_or_first_use() -> None:
    """passlib 1.7.4 read `argon2.__version__` (deprecated by argon2-cffi: when it goes, every
    login fails) and imported the stdlib `crypt` (gone in Python 3.13). A fresh interpreter
    turns deprecation warnings into errors, so one from the hashing stack fails here, whichever
    Python runs the suite; pytest's own filters cannot hide it."""
    env = {**os.environ, "MICROBLOG_ENV": "test", "PYTHONWARNINGS": "error::DeprecationWarning"}
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_USE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "clean"
