"""PLACEHOLDER until the renderer lands (branch h19-richtext): escapes the text, no links."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RenderedPost:
    html: str
    mentions: tuple[str, ...]
    tags: tuple[str, ...]
    length: int


def post_length(body: str) -> int:
    return len(body)


def render_post(body: str, *, known_users: Callable[[set[str]], dict[str, str]]) -> RenderedPost:
    text = "<br>".join(html.escape(line) for line in body.split("\n"))
    return RenderedPost(html=f"<p>{text}</p>", mentions=(), tags=(), length=len(body))
