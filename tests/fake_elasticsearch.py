"""A small Elasticsearch on loopback: the REST calls our adapter makes, spoken over real HTTP so
the official client (with its product check, serialisation and errors) runs unchanged.

It implements: `HEAD/PUT/DELETE /<index>` (PUT keeps the mapping), `GET /<index>/_mapping`,
`GET /<index>/_doc/<id>`, `POST /_bulk` (index and delete, external versions), `POST
/<index>/_search` (multi_match with operator "and" and fuzziness, sorted by score then post_id,
from/size with the 10,000 result window, search_after, track_total_hits), and `POST
/<index>/_refresh`. Every answer carries `X-Elastic-Product: Elasticsearch`, without which the
client refuses to talk. Matching is simpler than Lucene's (lower-cased words, one edit for
fuzziness, a made-up score), which is enough to test the adapter, not Elasticsearch.

Like Elasticsearch, it checks each indexed document against the index's mapping: a `date`
field takes only its default format, `strict_date_optional_time||epoch_millis` (ISO 8601 with a
`T`, or epoch milliseconds), and a `long` field only integers; anything else refuses that bulk
item with status 400 and the `document_parsing_exception` body Elasticsearch 8.8+ sends, while
the other items of the request are written.

`stop()` and `start()` again on the same port simulate an outage; the data survives, as it would
on a real server's disk. `outage` makes every request answer an error status instead (503, 429),
`item_errors` makes the bulk items of given ids answer one (429 rejected execution), and `delay`
holds every answer back (a timeout).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from microblog.services.search.analysis import within_one_edit, words

PRODUCT_HEADER = ("X-Elastic-Product", "Elasticsearch")


class FakeElasticsearch:
    def __init__(
        self, *, max_result_window: int = 10_000, credentials: tuple[str, str] | None = None
    ):
        self.max_result_window = max_result_window
        self.credentials = credentials
        self.indices: dict[str, dict[str, dict]] = {}
        self.mappings: dict[str, dict[str, dict]] = {}  # index -> field -> its mapping
        self.outage: tuple[int, str] | None = None  # (status, error type) for every request
        self.item_errors: dict[str, tuple[int, str]] = {}  # doc id -> (status, error type)
        self.delay = 0.0
        self.versions: dict[tuple[str, str], int] = {}  # survives deletes (tombstones)
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeElasticsearch:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, body = fake.handle(self.command, self.path, raw, dict(self.headers))
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(*PRODUCT_HEADER)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # A short poll: stop() (every test's teardown) waits for it, 0.5 s by default.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeElasticsearch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the protocol -------------------------------------------------------------------

    def handle(self, method: str, path: str, raw: bytes, headers: dict) -> tuple[int, Any]:
        self.requests.append((method, path))
        if self.delay:
            time.sleep(self.delay)  # a stalled server: the client's timeout runs out first
        if self.outage:
            status, kind = self.outage
            return status, _error(status, kind, "the fake was told to fail")
        if self.credentials and not self._authorised(headers):
            return 401, _error(401, "security_exception", "missing authentication credentials")
        path = path.split("?", 1)[0]
        with self._lock:
            if path == "/":
                return 200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}
            if path == "/_bulk" and method in ("POST", "PUT"):
                return 200, self._bulk(raw)
            match = re.fullmatch(r"/([^/_][^/]*)(?:/(_search|_refresh|_mapping|_doc/[^/]+))?", path)
            if not match:
                return 404, _error(404, "not_found", path)
            index, action = match.groups()
            if action == "_search":
                return self._search(index, json.loads(raw or b"{}"))
            if action == "_refresh":
                return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
            if action == "_mapping":
                if index not in self.indices:
                    return 404, _error(404, "index_not_found_exception", index)
                return 200, {index: {"mappings": {"properties": self.mappings.get(index, {})}}}
            if action:
                return self._get(index, action.split("/", 1)[1])
            return self._index_admin(method, index, raw)

    def _authorised(self, headers: dict) -> bool:
        sent = headers.get("Authorization") or headers.get("authorization") or ""
        user, password = self.credentials or ("", "")
        expected = base64.b64encode(f"{user}:{password}".encode()).decode()
        return sent == f"Basic {expected}"

    def _get(self, index: str, doc_id: str) -> tuple[int, Any]:
        if index not in self.indices:
            return 404, _error(404, "index_not_found_exception", index)
        found = {"_index": index, "_id": doc_id}
        if doc_id not in self.indices[index]:
            return 404, {**found, "found": False}
        version = self.versions.get((index, doc_id))
        return 200, {
            **found,
            "_version": version,
            "found": True,
            "_source": self.indices[index][doc_id],
        }

    def _index_admin(self, method: str, index: str, raw: bytes) -> tuple[int, Any]:
        exists = index in self.indices
        if method == "HEAD":
            return (200 if exists else 404), None
        if method == "PUT":
            if exists:
                return 400, _error(400, "resource_already_exists_exception", index)
            self.indices[index] = {}
            body = json.loads(raw or b"{}")
            self.mappings[index] = dict(body.get("mappings", {}).get("properties", {}))
            return 200, {"acknowledged": True, "index": index}
        if method == "DELETE":
            if not exists:
                return 404, _error(404, "index_not_found_exception", index)
            del self.indices[index]
            self.mappings.pop(index, None)
            self.versions = {k: v for k, v in self.versions.items() if k[0] != index}
            return 200, {"acknowledged": True}
        return 405, _error(405, "method_not_allowed", method)

    def _bulk(self, raw: bytes) -> dict:
        lines = [line for line in raw.splitlines() if line.strip()]
        items, errors, i = [], False, 0
        while i < len(lines):
            (action, meta), *_ = json.loads(lines[i]).items()
            i += 1
            source = None
            if action in ("index", "create"):
                source, i = lines[i], i + 1
            result = self._write(action, meta, source)
            errors = errors or result["status"] >= 300
            items.append({action: result})
        return {"took": 1, "errors": errors, "items": items}

    def _write(self, action: str, meta: dict, raw_source: bytes | None) -> dict:
        index, doc_id = meta["_index"], str(meta["_id"])
        docs = self.indices.setdefault(index, {})
        version = meta.get("version")
        current = self.versions.get((index, doc_id))
        result = {"_index": index, "_id": doc_id}
        if doc_id in self.item_errors:
            status, kind = self.item_errors[doc_id]
            return {**result, "status": status, "error": {"type": kind, "reason": "told to"}}
        source = None if raw_source is None else json.loads(raw_source)
        if source is not None:
            # Elasticsearch parses the document before it looks at versions: a refused
            # document changes nothing, not even the version it holds.
            error = _mapping_error(self.mappings.get(index, {}), source, raw_source, doc_id)
            if error:
                return {**result, "status": 400, "error": error}
        if version is not None and meta.get("version_type") == "external":
            if current is not None and version <= current:
                return {
                    **result,
                    "status": 409,
                    "error": {"type": "version_conflict_engine_exception"},
                }
            self.versions[(index, doc_id)] = version
        else:
            self.versions[(index, doc_id)] = (current or 0) + 1
        if action == "delete":
            found = docs.pop(doc_id, None)
            return {
                **result,
                "status": 200 if found else 404,
                "result": "deleted" if found else "not_found",
            }
        docs[doc_id] = source or {}
        return {**result, "status": 201, "result": "created"}

    def _search(self, index: str, body: dict) -> tuple[int, Any]:
        if index not in self.indices:
            return 404, _error(404, "index_not_found_exception", index)
        start, size = int(body.get("from", 0)), int(body.get("size", 10))
        if start + size > self.max_result_window:
            reason = (
                f"Result window is too large, from + size must be less than or equal to: "
                f"[{self.max_result_window}] but was [{start + size}]."
            )
            return 400, _error(400, "illegal_argument_exception", reason)
        multi = body["query"]["multi_match"]
        wanted = words(multi["query"])
        fuzzy = multi.get("fuzziness") is not None
        scored = []
        for doc_id, doc in self.indices[index].items():
            score = _score(doc, multi["fields"], wanted, fuzzy)
            if score > 0:
                scored.append((score, int(doc.get("post_id", doc_id)), doc_id))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        total = len(scored)
        if "search_after" in body:
            after_score, after_id = body["search_after"]
            scored = [s for s in scored if (-s[0], -s[1]) > (-after_score, -after_id)]
        page = scored[start : start + size]
        cap = body.get("track_total_hits", 10_000)
        cap = 10_000 if cap is True else cap
        hits_total = {"value": min(total, cap), "relation": "gte" if total > cap else "eq"}
        hits = [{"_index": index, "_id": d, "_score": s, "sort": [s, p]} for s, p, d in page]
        return 200, {"took": 1, "timed_out": False, "hits": {"total": hits_total, "hits": hits}}


def _score(doc: dict, fields: list[str], wanted: list[str], fuzzy: bool) -> float:
    """best_fields with operator "and": every word must match in one field."""
    best = 0.0
    for name in fields:
        tokens = words(str(doc.get(name.split("^")[0], "")))
        score = 0.0
        for word in wanted:
            if word in tokens:
                score += 1.0
            elif fuzzy and len(word) >= 3 and any(within_one_edit(word, t) for t in tokens):
                score += 0.5
            else:
                score = 0.0
                break
        best = max(best, score)
    return best


_STRICT_DATE_OPTIONAL_TIME = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2}))?)?"
    r"(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?)?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_EPOCH_MILLIS = re.compile(r"-?\d+(?:\.\d+)?")
DATE_FORMAT = "strict_date_optional_time||epoch_millis"


def _valid_date(value: Any) -> bool:
    """Whether Elasticsearch's default date format takes `value`: epoch milliseconds (a number
    or a string of digits) or ISO 8601 with at least the year and, if there is a time, a `T`
    before it (never a space), each part in its range."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if not isinstance(value, str):
        return False
    if _EPOCH_MILLIS.fullmatch(value):
        return True
    match = _STRICT_DATE_OPTIONAL_TIME.fullmatch(value)
    if not match:
        return False
    part = {k: int(v) for k, v in match.groupdict().items() if v and k != "zone"}
    try:
        datetime(
            part["y"],
            part.get("mo", 1),
            part.get("d", 1),
            part.get("h", 0),
            part.get("mi", 0),
            part.get("s", 0),
        )
    except ValueError:
        return False
    zone = match["zone"] or ""
    return zone in ("", "Z") or int(zone[1:3]) <= 18


def _valid_long(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (
        isinstance(value, str) and bool(re.fullmatch(r"-?\d+", value))
    )


def _mapping_error(mapping: dict, source: dict, raw: bytes, doc_id: str) -> dict | None:
    """The error Elasticsearch (8.8 and later) gives for the first field of `source` that its
    mapping's type cannot parse, or None. The `[line:column]` is where the value starts in the
    document's JSON, as Elasticsearch's parser reports it."""
    for name, value in source.items():
        kind = (mapping.get(name) or {}).get("type")
        if value is None or kind not in ("date", "long"):
            continue
        shown = value if isinstance(value, str) else json.dumps(value)  # true, not True
        if kind == "date" and not _valid_date(value):
            cause = {
                "type": "illegal_argument_exception",
                "reason": f"failed to parse date field [{shown}] with format [{DATE_FORMAT}]",
                "caused_by": {
                    "type": "date_time_parse_exception",
                    "reason": "Failed to parse with all enclosed parsers",
                },
            }
        elif kind == "long" and not _valid_long(value):
            cause = {"type": "illegal_argument_exception", "reason": f'For input string: "{shown}"'}
        else:
            continue
        key = re.search(rb'"%s"\s*:\s*' % re.escape(name.encode()), raw)
        column = key.end() + 1 if key else 1
        return {
            "type": "document_parsing_exception",
            "reason": (
                f"[1:{column}] failed to parse field [{name}] of type [{kind}] in document with "
                f"id '{doc_id}'. Preview of field's value: '{shown}'"
            ),
            "caused_by": cause,
        }
    return None


def _error(status: int, kind: str, reason: str) -> dict:
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], **cause}, "status": status}
