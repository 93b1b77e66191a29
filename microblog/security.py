"""Password hashing, random tokens and redirect-target checks.

Hashing is libpass's `CryptContext` (the maintained fork of passlib, imported as `passlib`) with
Argon2id through argon2-cffi; passlib 1.7.4's bcrypt backend was broken with bcrypt >= 4.1.
`verify_and_update` lets us raise the cost later: old hashes are upgraded at the next login.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import urlsplit

from passlib.context import CryptContext

# OWASP's minimum recommendation for Argon2id: 19 MiB, 2 iterations, 1 lane.
_pwd_context = CryptContext(
    schemes=["argon2"],
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)


def hash_password(password: str) -> str:
    return _pwd_context.hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one should be upgraded)."""
    try:
        return _pwd_context.verify_and_update(password, password_hash)
    except (ValueError, TypeError):
        return False, None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_password_check(password: str) -> None:
    """Spend the time a real check would, so a missing user cannot be told from a wrong password."""
    _pwd_context.verify(password, _dummy_hash())


def new_token() -> tuple[str, str]:
    """A random token (256 bits) for the client, and the hash we store instead of it."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def ticket_binding(ticket: str, secret_key: str) -> str:
    """The value that ties a login ticket to the browser that filled in the form: the form's
    page stores it in a cookie, and the ticket is redeemed only with it (see web/session_cookie.py).
    Another site can make a browser visit a ticket's address, but cannot put this cookie in it."""
    return hmac.new(secret_key.encode(), b"login-ticket:" + ticket.encode(), "sha256").hexdigest()


def is_cross_site(headers: Mapping[str, str], own_origins: tuple[str, ...]) -> bool:
    """Whether a browser request was started by another site.

    Fetch Metadata (`Sec-Fetch-Site`, sent by every current browser) says so directly; without
    it, an `Origin` or `Referer` of another origin does. A request with neither is not a
    browser's cross-site one (an old browser, or a client of our own), so it is let through."""
    get = headers.get
    site = (get("sec-fetch-site") or "").lower()
    if site:
        return site == "cross-site"
    source = get("origin") or get("referer") or ""
    if not source:
        return False
    parts = urlsplit(source)  # "null" (an opaque origin) has no scheme: another site's
    return f"{parts.scheme}://{parts.netloc}" not in own_origins


def safe_next_path(candidate: str | None, default: str = "/") -> str:
    """Return `candidate` only when it is a path on this site, else `default`.

    Refuses absolute URLs (`https://evil.com`), scheme-relative ones (`//evil.com`), the
    backslash trick browsers read as `//` (`/\\evil.com`), and control characters.
    """
    if not candidate or not candidate.startswith("/"):
        return default
    if candidate.startswith("//") or "\\" in candidate:
        return default
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
        return default
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return default
    return candidate
