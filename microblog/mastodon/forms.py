"""Request bodies as Mastodon clients send them: JSON, a form or multipart (Mastodon.py sends
forms), or the query string; `name[]` keys are lists."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from microblog.mastodon.errors import MastodonError

MAX_BODY = 64 * 1024  # the largest status is 5000 characters; uploads go to media.py
DRAIN_LIMIT = 1024 * 1024  # read on (and drop) a refused body up to this, then close


async def form_fields(request: Request) -> dict[str, Any]:
    """The parameters of a request: the query string's, then the body's over them (JSON, a
    urlencoded form or multipart). Over MAX_BODY is a 413, bad JSON a 422."""
    query = {
        key.removesuffix("[]"): request.query_params.getlist(key) if key.endswith("[]") else value
        for key, value in request.query_params.items()
    }
    return {**query, **await _body_fields(request)}


async def _body_fields(request: Request) -> dict[str, Any]:
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise MastodonError(413, "The body is too large")
    if media != "multipart/form-data":
        await _read_capped(request)
    if media == "application/json":
        try:
            data = await request.json()
        except ValueError:
            raise MastodonError(422, "The body is not valid JSON") from None
        if not isinstance(data, dict):
            raise MastodonError(422, "The body must be a JSON object")
        return data
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        return {
            key.removesuffix("[]"): form.getlist(key) if key.endswith("[]") else form.get(key)
            for key in form
        }
    return {}


def first_text(fields: dict[str, Any], name: str) -> str:
    """A text parameter that may have come as a list (the first), or '' when absent."""
    value = fields.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ("" if value is None else str(value))


def text_field(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise MastodonError(422, f"Validation failed: {name} must be text")
    return str(value)


def id_list(fields: dict[str, Any], name: str) -> list[int]:
    """A list of ids (`media_ids[]`, or a JSON list): each must be a number."""
    value = fields.get(name) or []
    items = value if isinstance(value, list) else [value]
    ids = []
    for item in items:
        text = str(item).strip()
        if not text.isdigit() or not 1 <= int(text) < 2**31:
            raise MastodonError(422, f"Validation failed: {name} holds an id that names nothing")
        ids.append(int(text))
    return ids


def optional_id(fields: dict[str, Any], name: str) -> int | None:
    value = fields.get(name)
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) < 2**31:
        raise MastodonError(404, "Record not found")
    return int(text)


async def _read_capped(request: Request) -> None:
    """Read the body, refusing one over MAX_BODY as it arrives (a chunked body has no declared
    length); Starlette keeps what was read for `json()` and `form()`.

    A refused body is still read on, without keeping it, up to DRAIN_LIMIT: a client that is
    still sending when the 413 is answered otherwise sees the connection reset instead of
    the answer (as nginx does, by its lingering close)."""
    body = bytearray()
    stream = request.stream()
    async for chunk in stream:
        body += chunk
        if len(body) > MAX_BODY:
            drained = len(body)
            async for rest in stream:
                drained += len(rest)
                if drained > DRAIN_LIMIT:
                    break
            raise MastodonError(413, "The body is too large")
    request._body = bytes(body)
