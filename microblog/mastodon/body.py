"""Mastodon clients send parameters as JSON, as a form (urlencoded or multipart) or in the
query string; `read_params` reads any of them into one dict. Repeated keys and Rails-style
`key[]` become lists."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from microblog.mastodon.errors import MastodonError

MAX_BODY = 64 * 1024


async def read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {}
    _merge(params, request.query_params.multi_items())
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise MastodonError(413, "The request body is too large")
    if kind == "application/json":
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise MastodonError(413, "The request body is too large")
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise MastodonError(400, "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise MastodonError(400, "The request body must be a JSON object")
        params.update(data)
    elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=0, max_fields=100)
        _merge(params, [(k, v) for k, v in form.multi_items() if isinstance(v, str)])
    return params


def _merge(params: dict[str, Any], items: list[tuple[str, str]]) -> None:
    for key, value in items:
        name = key[:-2] if key.endswith("[]") else key
        if name in params:
            previous = params[name]
            params[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            params[name] = [value] if key.endswith("[]") else value


def text(params: dict[str, Any], name: str) -> str:
    """A single text parameter ('' when absent; the first of a list)."""
    value = params.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ("" if value is None else str(value))
