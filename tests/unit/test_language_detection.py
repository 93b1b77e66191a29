# ruff: noqa: RUF001 (Chinese text is written with full-width punctuation)
"""Each new post's language is detected; short or uncertain text gets none rather than a wrong
one (a wrong language would offer a useless Translate link)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from microblog.services import posts
from microblog.services.language_detection import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello everyone, I am writing my first post on this new microblog today.", "en"),
        ("The weather is lovely this morning, so I am going for a long walk.", "en"),
        ("Hola a todos, hoy escribo mi primera publicación en este microblog.", "es"),
        ("Mañana vamos a la playa con mis amigos si no llueve.", "es"),
        ("今天天气很好，我们去公园散步吧。", "zh"),
        ("我正在学习如何用 Python 写网站。", "zh"),
    ],
)
def test_clear_texts_get_their_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "lol",
        "hi there",
        "你好",
        "12345 !!! :-)",
        "https://example.com/a/b",
        "I love tacos y burritos con salsa",  # half English, half Spanish
    ],
)
def test_short_or_uncertain_texts_get_no_language(text: str) -> None:
    assert detect_language(text) is None


def test_detection_is_deterministic() -> None:
    text = "Me gusta mucho este lugar, volveremos pronto."
    assert {detect_language(text) for _ in range(5)} == {"es"}


def test_create_post_stores_the_detected_language(session: Session, make_user: Callable) -> None:
    author = make_user(session, "polyglot")
    spanish = posts.create_post(
        session, author_id=author.id, body="Hola a todos, ¿qué tal el fin de semana?"
    )
    short = posts.create_post(session, author_id=author.id, body="ok")
    given = posts.create_post(
        session, author_id=author.id, body="Hola a todos, ¿qué tal?", language="fr"
    )
    session.commit()
    assert (spanish.language, short.language, given.language) == ("es", None, "fr")
    row = posts.get_post_row(session, post_id=spanish.id)
    assert row.language == "es"
