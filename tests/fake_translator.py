"""A stand-in for Microsoft Translator v3 on loopback, for the unit and browser tests.

It checks each request the way the real service does (POST /translate, `api-version=3.0`, a `to`
language, the subscription key and region headers, a JSON array of `{"Text": ...}`), answers in
the real response format, and can be told to fail the way the real one does: 401, 429 and 5xx
with the service's error JSON, or no answer in time.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "test-translator-key"
REGION = "testregion"

ERRORS = {
    400: (400000, "One of the request inputs is not valid."),
    401: (401000, "The request is not authorized because credentials are missing or invalid."),
    429: (
        429000,
        "The server rejected the request because the client has exceeded request limits.",
    ),
    500: (500000, "An unexpected error occurred."),
    503: (503000, "Service is temporarily unavailable. Please retry."),
}
LANGUAGES = {"en", "es", "zh-Hans", "fr", "de"}


def fake_translation(text: str, to: str) -> str:
    """What the fake answers: recognisable, and different per target language."""
    return f"[{to}] {text}"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: object


@dataclass
class FakeTranslator:
    key: str = KEY
    region: str = REGION
    # None: translate; an int: answer with that error status; "hang": answer only after `release`.
    failure: int | str | None = None
    requests: list[Recorded] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeTranslator:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, payload: object) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int) -> None:
                code, message = ERRORS.get(status, (status * 1000, "Error"))
                self._send(status, {"error": {"code": code, "message": message}})

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = None
                fake.requests.append(
                    Recorded("POST", url.path, parse_qs(url.query), dict(self.headers), body)
                )
                self._answer(url.path, parse_qs(url.query), body)

            def _answer(self, path: str, query: dict[str, list[str]], body: object) -> None:
                if fake.failure == "hang":
                    fake.release.wait(30)
                    return self._error(503)
                if isinstance(fake.failure, int):
                    return self._error(fake.failure)
                if self.headers.get("Ocp-Apim-Subscription-Key") != fake.key:
                    return self._error(401)
                if fake.region and self.headers.get("Ocp-Apim-Subscription-Region") != fake.region:
                    return self._error(401)
                content_type = self.headers.get("Content-Type", "")
                if path != "/translate" or not content_type.startswith("application/json"):
                    return self._error(400)
                to = query.get("to", [""])
                if query.get("api-version") != ["3.0"] or len(to) != 1 or to[0] not in LANGUAGES:
                    return self._error(400)
                source = query.get("from", [None])[0]
                if source is not None and source not in LANGUAGES:
                    return self._error(400)
                if not (
                    isinstance(body, list)
                    and body
                    and all(
                        isinstance(item, dict) and isinstance(item.get("Text"), str)
                        for item in body
                    )
                ):
                    return self._error(400)
                answer = []
                for item in body:
                    entry: dict[str, object] = {
                        "translations": [
                            {"text": fake_translation(item["Text"], to[0]), "to": to[0]}
                        ]
                    }
                    if source is None:
                        entry["detectedLanguage"] = {"language": "en", "score": 1.0}
                    answer.append(entry)
                return self._send(200, answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
