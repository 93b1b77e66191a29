"""Every prerendered page in each of our languages: the server sends the reader's.

The build prerenders the pages without a reader, so their text used to be English, and a
Spanish or Chinese reader first saw English menus and buttons around posts drawn in their
language. React then had to hydrate that English page and render it all again in the reader's
language, changing hundreds of text nodes inside a task that blocks input (on a phone, 60-70 ms
of scripting and a style pass over the whole page; docs/performance.md).

Now the prerender writes every translated text in all our languages at once, between two
private-use characters (assets/i18n/runtime.js, `PRERENDER_OPEN`), each language's text made
by the browser's own `t()`. After the build (`PageLanguagesPlugin`), `write_page_languages`
turns each such page into:

- the English page, in place of the marked one, so the build's files are plain English pages
  that any server can send;
- one page per other language, named by the English page's content hash, in a folder beside the
  public files (`LANGUAGES_FOLDER`), whose `<html>` says its language and carries
  `data-drawn-lang`, from which the page's scripts know what their first render must draw, and
  whose loader asks for that language's catalog module with the page's own modules (the
  runtime waits for it before the first render; English's is part of the bundle).

A page with a first paint is sent in the reader's language by web/first_paint.py (it reads the
reader anyway); every other page by `PageLanguageMiddleware`. The reader's language is the one
the live page settles on (state/locale.py): a signed-in user's own choice, else the browser's
Accept-Language. The server cannot see a visitor's choice kept in the browser; the page then
switches to it after hydrating, as every page did before.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reflex_base.plugins.base import Plugin
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.config import get_settings
from microblog.db import run_read
from microblog.i18n import LANGUAGES, negotiate_language, normalize_language
from microblog.i18n.jsexport import module_name
from microblog.services.auth_sessions import SessionUser, session_user
from microblog.web.scripts_after_paint import with_preload
from microblog.web.whole_page import whole_page, without_validators
from microblog.widgets.navbar import LANGUAGE_SWITCHER_ID

log = logging.getLogger(__name__)

DRAWN = "en"
"""The language of the build's own pages (runtime.js `DRAWN_LANG` when a page says nothing)."""
LANGUAGES_FOLDER = "languages"
"""The other languages' pages: a folder beside the build's public files, not served as files."""

_MARKED = re.compile("\ue000(.*?)\ue001", re.DOTALL)
_HTML_TAG = re.compile(r"<html\b[^>]*>")
_LANG_ATTRIBUTE = re.compile(r'\s(?:lang|data-drawn-lang)="[^"]*"')
# <html lang> for our languages (runtime.js `htmlLang`): our Chinese is Simplified Chinese.
_HTML_LANG = {"zh": "zh-Hans"}
_SWITCHER = re.compile(
    rf'(<select\b[^>]*\bid="{LANGUAGE_SWITCHER_ID}"[^>]*>)(.*?)(</select>)', re.DOTALL
)
_SELECTED = ' selected=""'


def reader_language(reader: SessionUser | None, accept_language: str | None) -> str:
    """The language a page is drawn in for this reader: their own choice when signed in, else
    the browser's (LocaleState's order, less a visitor's choice kept in the browser, which the
    server never sees)."""
    if reader is not None and reader.language:
        return normalize_language(reader.language)
    return negotiate_language(accept_language)


class UnreadablePage(ValueError):
    """A prerendered text that is not the runtime's mark (the build stops: a page would reach
    readers with a mark in it, or in the wrong language)."""


def in_language(page: str, lang: str, catalog: str | None = None) -> str:
    """A marked prerendered page with each text in `lang`, escaped for HTML (text and attribute
    values alike), and `lang` chosen in the language menu; `<html>` says the language unless it
    is the build's own, and its loader preloads `catalog` (the address of the language's catalog
    module) when given."""

    def one(match: re.Match[str]) -> str:
        try:
            texts = json.loads(html.unescape(match.group(1)))
            return html.escape(texts[lang], quote=True)
        except (ValueError, KeyError, TypeError) as error:
            raise UnreadablePage(f"not a prerendered text in {lang}: {match.group(0)!r}") from error

    page = _MARKED.sub(one, page)
    if "\ue000" in page or "\ue001" in page:
        raise UnreadablePage("a prerendered text without its end")

    def menu(match: re.Match[str]) -> str:
        option = f'<option value="{lang}"'
        options = match.group(2).replace(_SELECTED, "").replace(option, option + _SELECTED, 1)
        return match.group(1) + options + match.group(3)

    # The language menu shows the page's language (the prerender's shows English).
    page = _SWITCHER.sub(menu, page, count=1)
    if lang == DRAWN:
        return page
    if catalog is not None:
        page = with_preload(page, catalog)

    def tag(match: re.Match[str]) -> str:
        opening = _LANG_ATTRIBUTE.sub("", match.group(0))[:-1]
        return f'{opening} lang="{_HTML_LANG.get(lang, lang)}" data-drawn-lang="{lang}">'

    return _HTML_TAG.sub(tag, page, count=1)


def _digest(page: bytes) -> str:
    return hashlib.sha256(page).hexdigest()


def catalog_modules(static_dir: Path) -> dict[str, str]:
    """The address of each other language's catalog module in a build (the bundler names its
    chunk after the module's file, `jsexport.module_name`), for the languages that have one."""
    found = {}
    for lang in LANGUAGES:
        if lang == DRAWN:
            continue  # English is part of the bundle
        stem = Path(module_name(lang)).stem
        chunks = sorted((static_dir / "assets").glob(f"{stem}-*.js"))
        if len(chunks) == 1:
            found[lang] = "/" + chunks[0].relative_to(static_dir).as_posix()
    return found


def write_page_languages(static_dir: Path) -> int:
    """Writes every marked page of a build in English, in place, and in each other language
    into `LANGUAGES_FOLDER` beside `static_dir`; how many pages were marked."""
    folder = static_dir.parent / LANGUAGES_FOLDER
    catalogs = catalog_modules(static_dir)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    marked = 0
    for page in sorted(static_dir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "\ue000" not in text:
            continue
        marked += 1
        english = in_language(text, DRAWN).encode()
        page.write_bytes(english)
        digest = _digest(english)
        for lang in LANGUAGES:
            if lang != DRAWN:
                translated = in_language(text, lang, catalogs.get(lang))
                (folder / f"{digest}.{lang}.html").write_text(translated, "utf-8")
    return marked


class PageLanguagesPlugin(Plugin):
    """After the production build: `write_page_languages`. Listed after every plugin that
    rewrites the built pages, so that the pages in each language are the final ones."""

    def post_build(self, **context: Any) -> None:
        write_page_languages(Path(context["static_dir"]))


@cache
def languages_folder() -> Path:
    """Where the running server's build keeps its pages in other languages."""
    from reflex.utils.prerequisites import get_web_dir
    from reflex_base import constants

    return (get_web_dir() / constants.Dirs.STATIC).parent / LANGUAGES_FOLDER


@lru_cache(maxsize=64)
def _page_file(folder: Path, digest: str, lang: str) -> bytes | None:
    try:
        return (folder / f"{digest}.{lang}.html").read_bytes()
    except OSError:
        return None


def page_in_language(page: bytes, lang: str, folder: Path | None = None) -> bytes | None:
    """The build's page `page` (the English one, as the static files send it) in `lang`, or
    None when the build has no such page (not a prerendered page, a build without languages,
    the dev server)."""
    if lang == DRAWN or lang not in LANGUAGES:
        return None
    return _page_file(folder or languages_folder(), _digest(page), lang)


VARY = b"Cookie, Accept-Language"
_ANSWER_WITHOUT = {b"content-length", b"etag", b"last-modified", b"vary"}


def page_headers(start: Message, length: int) -> Message:
    """The response start of a page sent in its reader's language: no validators (the same
    address sends each reader another page, so an ETag would let a browser keep the wrong
    language), varying with who asks."""
    kept = [(k, v) for k, v in start.get("headers", []) if k.lower() not in _ANSWER_WITHOUT]
    kept += [(b"content-length", str(length).encode()), (b"vary", VARY)]
    return {**start, "headers": kept}


def _asks_for_a_page(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] != "GET":
        return False
    return "text/html" in Headers(scope=scope).get("accept", "")


async def _language_of(scope: Scope) -> str:
    headers = Headers(scope=scope)
    accept_language = headers.get("accept-language")
    token = cookie_parser(headers.get("cookie", "")).get(get_settings().session_cookie_name, "")
    if not token:
        return reader_language(None, accept_language)
    try:
        reader = await run_read(lambda db: session_user(db, token=token))
    except Exception:
        log.warning("A page's reader could not be read; their browser's language", exc_info=True)
        reader = None
    return reader_language(reader, accept_language)


def _with_vary(send: Send) -> Send:
    """`send` adding `VARY` to a page's response start (a 200 or a 304 of HTML)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] in (200, 304):
            headers = MutableHeaders(scope=message)
            if headers.get("content-type", "text/html").startswith("text/html"):
                headers.add_vary_header(VARY.decode())
        await send(message)

    return sending


class PageLanguageMiddleware:
    """Pure ASGI. A browser's request for a page (GET, `Accept: text/html`) is answered in its
    reader's language (`reader_language`): an English reader gets the build's page as the static
    files send it (precompressed, with its validators); another reader the page in their
    language, when the build has it, asked for whole and sent without validators. Both vary with
    the reader. Pages with a first paint are left to web/first_paint.py, which reads the reader
    anyway; everything else passes through untouched."""

    def __init__(self, app: ASGIApp, *, skip: Callable[[str], bool] | None = None) -> None:
        self.app = app
        self.skip = skip  # paths another middleware sends in the reader's language

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _asks_for_a_page(scope) or (self.skip is not None and self.skip(scope["path"])):
            await self.app(scope, receive, send)
            return
        lang = await _language_of(scope)
        if lang == DRAWN:
            await self.app(scope, receive, _with_vary(send))
            return
        answer = await whole_page(self.app, without_validators(scope), receive, send)
        if answer is None:
            return  # not a page: already sent as it came
        start, body = answer
        translated = page_in_language(body, lang)
        if translated is not None:
            body, start = translated, page_headers(start, len(translated))
        await send(start)
        await send({"type": "http.response.body", "body": body})
