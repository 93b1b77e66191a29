"""The backend compresses its own answers (microblog/web/compression.py), over real HTTP: a
client that accepts gzip gets gzip, one that does not gets the plain body, and small answers are
left alone."""

from __future__ import annotations

import gzip
import json

import httpx

from microblog.web.compression import MINIMUM_BYTES
from tests.api.conftest import ApiServer


def _raw_get(server: ApiServer, path: str, encoding: str) -> tuple[httpx.Response, bytes]:
    """The answer and its body as sent, not decoded by httpx."""
    with (
        httpx.Client(base_url=server.base, timeout=30) as client,
        client.stream("GET", path, headers={"Accept-Encoding": encoding}) as answer,
    ):
        return answer, b"".join(answer.iter_raw())


def test_json_is_gzipped_for_a_client_that_accepts_it(api_server: ApiServer) -> None:
    answer, raw = _raw_get(api_server, "/api/openapi.json", "gzip, deflate, br")
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in answer.headers["vary"].lower()
    body = gzip.decompress(raw)
    assert json.loads(body)["openapi"]
    assert len(raw) < len(body) / 3


def test_plain_for_a_client_that_does_not(api_server: ApiServer) -> None:
    answer, raw = _raw_get(api_server, "/api/openapi.json", "identity")
    assert answer.status_code == 200
    assert "content-encoding" not in answer.headers
    assert json.loads(raw)["openapi"]


def test_small_answers_are_left_alone(api_server: ApiServer) -> None:
    answer, raw = _raw_get(api_server, "/healthz", "gzip")
    assert answer.status_code == 200
    assert len(raw) < MINIMUM_BYTES
    assert "content-encoding" not in answer.headers
