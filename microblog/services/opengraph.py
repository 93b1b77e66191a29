"""What a web page says about itself for a link preview: OpenGraph (`og:`) and Twitter card
(`twitter:`) meta tags, with `<title>` and `<meta name="description">` as fallbacks.

The HTML is read with the standard library's `html.parser`, a tolerant tokenizer that is enough
for meta tags in a page's head and brings nothing to install; a full HTML5 tree builder
(html5lib, lxml) would only matter for pages whose markup we display, and we display none of it.
Everything taken from the page is plain text (entities decoded, tags never kept, whitespace and
control characters folded), capped in length, and escaped by whatever shows it. URLs (the
image, the canonical address) are resolved against the page's own address and kept only when
they are http(s); the canonical address only on the page's own host, so a page cannot make its
card point somewhere it is not.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

TITLE_MAX = 200
DESCRIPTION_MAX = 300
SITE_NAME_MAX = 80
URL_MAX = 2048


@dataclass(frozen=True)
class Preview:
    title: str
    description: str
    image: str  # an absolute http(s) URL, or ""
    site_name: str
    canonical_url: str  # on the page's own host, or ""

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.description)


# First found wins, in this order of preference.
_TITLE = ("og:title", "twitter:title")
_DESCRIPTION = ("og:description", "twitter:description", "description")
_IMAGE = ("og:image:secure_url", "og:image:url", "og:image", "twitter:image", "twitter:image:src")
_SITE = ("og:site_name", "application-name")
_URL = ("og:url",)
_WANTED = frozenset(_TITLE + _DESCRIPTION + _IMAGE + _SITE + _URL)


class _HeadReader(HTMLParser):
    """Collects the meta tags we want, `<link rel=canonical>` and the first `<title>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.title_parts: list[str] = []
        self._in_title = False
        self._title_done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key in _WANTED and key not in self.meta and values.get("content", "").strip():
                self.meta[key] = values["content"]
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href", "")
        elif tag == "title" and not self._title_done:
            self._in_title = True
        elif tag in ("svg", "math"):  # their <title> is not the page's
            self._title_done = self._title_done or self._in_title

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title, self._title_done = False, True

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)


def parse_preview(markup: str, *, page_url: str) -> Preview:
    """The preview a page at `page_url` (where it was fetched from, after redirects) gives."""
    reader = _HeadReader()
    reader.feed(markup)
    reader.close()
    meta = reader.meta

    def first(keys: tuple[str, ...]) -> str:
        return next((meta[key] for key in keys if key in meta), "")

    title = first(_TITLE) or "".join(reader.title_parts)
    image = next((url for key in _IMAGE if (url := _absolute(meta.get(key, ""), page_url))), "")
    canonical = _absolute(first(_URL) or reader.canonical, page_url)
    if canonical and _host(canonical) != _host(page_url):
        canonical = ""
    return Preview(
        title=plain_text(title, TITLE_MAX),
        description=plain_text(first(_DESCRIPTION), DESCRIPTION_MAX),
        image=image,
        site_name=plain_text(first(_SITE), SITE_NAME_MAX),
        canonical_url=canonical,
    )


_SPACES = re.compile(r"\s+")


def plain_text(text: str, limit: int) -> str:
    """One line of text: no control or format characters (bidi overrides included), spaces
    folded, at most `limit` characters (cut with an ellipsis)."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    folded = _SPACES.sub(" ", kept).strip()
    if len(folded) <= limit:
        return folded
    return folded[: limit - 1].rstrip() + "…"


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _absolute(url: str, base: str) -> str:
    url = url.strip()
    if not url:
        return ""
    try:
        resolved = urljoin(base, url)
        parts = urlsplit(resolved)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname or len(resolved) > URL_MAX:
        return ""
    return resolved


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)


def decode_page(body: bytes, charset: str | None) -> str:
    """The page as text: the Content-Type's charset, else a `<meta charset>` in its first
    kilobytes, else UTF-8; undecodable bytes become U+FFFD."""
    for candidate in (charset, _meta_charset(body[:4096])):
        if candidate:
            try:
                return body.decode(codecs.lookup(candidate).name, errors="replace")
            except LookupError:
                continue
    return body.decode("utf-8", errors="replace")


def _meta_charset(head: bytes) -> str | None:
    found = _META_CHARSET.search(head)
    return found.group(1).decode("ascii") if found else None
