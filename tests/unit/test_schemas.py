"""What leaves the database: avatars, public user rows, page arithmetic."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from microblog.models import Post, User
from microblog.schemas import Page, PostRow, UserPublic, avatar_url, gravatar_url, iso_utc

JOHN_128 = "https://www.gravatar.com/avatar/d4c74594d841139328695756648b6bd6?d=identicon&s=128"


def test_avatar() -> None:
    """The tutorial's avatar test, byte for byte."""
    assert gravatar_url("john@example.com", 128) == JOHN_128
    assert avatar_url("john@example.com", 128, picture=None) == JOHN_128


@pytest.mark.parametrize("email", ["John@Example.COM", "  john@example.com\n", "JOHN@EXAMPLE.COM "])
def test_avatar_normalises_case_and_whitespace(email: str) -> None:
    """Gravatar hashes the trimmed, lower-cased address; anything else shows the wrong face."""
    assert gravatar_url(email, 128) == JOHN_128


def test_avatar_size_is_in_the_url() -> None:
    assert gravatar_url("john@example.com", 36).endswith("?d=identicon&s=36")


def _john() -> User:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return User(
        id=7,
        username="john",
        email="john@example.com",
        password_hash="$argon2id$secret",
        about_me=None,
        last_seen=moment,
        created=moment,
    )


def test_user_public_never_carries_email_or_hash() -> None:
    """These rows go to the browser: another user's email or the hash must not."""
    public = UserPublic.of(_john())
    values = asdict(public)
    assert "email" not in values and "password_hash" not in values
    assert not any("john@example.com" in str(v) or "argon2" in str(v) for v in values.values())
    assert public.avatar == JOHN_128
    assert public.about_me == ""
    assert public.last_seen == "2026-01-02T03:04:05Z"


def test_post_row_uses_author() -> None:
    john = _john()
    post = Post(id=3, body="hi", user_id=7, timestamp=datetime(2026, 1, 1, tzinfo=UTC))
    row = PostRow.of(post, john)
    assert (row.id, row.author_id, row.author_username, row.language) == (3, 7, "john", "")
    assert row.timestamp == "2026-01-01T00:00:00Z"
    assert "email" not in asdict(row)


def test_iso_utc_converts_to_z() -> None:
    assert iso_utc(datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)) == "2026-05-06T07:08:09Z"


@pytest.mark.parametrize(
    ("total", "per_page", "pages"),
    [(None, 10, None), (0, 10, 1), (1, 10, 1), (10, 10, 1), (11, 10, 2), (25, 3, 9)],
)
def test_total_pages(total: int | None, per_page: int, pages: int | None) -> None:
    page = Page(items=[], page=1, per_page=per_page, has_next=False, has_prev=False, total=total)
    assert page.total_pages == pages
