"""Every prerendered page in each language, and the reader's sent (microblog/web/page_languages.py):
the build's step over its pages, and the pages over real HTTP (granian) through our middlewares
as the production mount serves them. That the marks hold what the browser's own t() draws is
tests/unit/test_i18n_runtime.py's."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import make_engine
from microblog.models import User
from microblog.services import users
from microblog.services.auth_sessions import SessionUser
from microblog.web.first_paint import NAV_PLACEHOLDER_CLASS, PLACEHOLDER_CLASS
from microblog.web.page_languages import (
    LANGUAGES_FOLDER,
    UnreadablePage,
    in_language,
    page_in_language,
    reader_language,
    write_page_languages,
)
from microblog.web.scripts_after_paint import scripts_after_paint
from microblog.widgets.navbar import LANGUAGE_SWITCHER_ID
from tests.app_server import serve_asgi
from tests.tab_state import session_token

HOME = {"en": "Home", "es": "Inicio", "zh": "首页"}
SEARCH = {"en": "Search", "es": "Buscar", "zh": "搜索"}
TRICKY = {"en": 'Say "hi" & <wave>', "es": "Di «hola» & <saluda>", "zh": "说“你好”"}


def _marked(texts: dict[str, str]) -> str:
    """A text as the prerender writes it (runtime.js, PRERENDER_OPEN), escaped as React does."""
    return "\ue000" + html.escape(json.dumps(texts, ensure_ascii=False)) + "\ue001"


# The language menu as the prerender writes it: English chosen (components/language_switcher.py).
MENU = (
    f'<select class="language-switcher" disabled="" id="{LANGUAGE_SWITCHER_ID}">'
    '<option value="en" selected="">English</option><option value="es">Español</option>'
    '<option value="zh">中文</option></select>'
)


def _page(title: str, body: str = "") -> str:
    return (
        f'<!doctype html><html dir="ltr" lang="en"><head><title>{title}</title></head><body>'
        f'<nav><a href="/">{_marked(HOME)}</a><input aria-label="{_marked(SEARCH)}"/>'
        f'<div class="{NAV_PLACEHOLDER_CLASS}"></div>{MENU}</nav>'
        f"<main><p>{_marked(TRICKY)}</p>{body}</main></body></html>"
    )


def _chosen(page: str) -> list[str]:
    return re.findall(r'<option value="(\w+)" selected="">', page)


def test_a_page_in_each_language_escapes_its_texts_and_says_its_language() -> None:
    page = _page("Log in")
    english = in_language(page, "en")
    assert '<html dir="ltr" lang="en">' in english and "data-drawn-lang" not in english
    assert ">Home</a>" in english and 'aria-label="Search"' in english
    assert "Say &quot;hi&quot; &amp; &lt;wave&gt;" in english
    spanish = in_language(page, "es")
    assert '<html dir="ltr" lang="es" data-drawn-lang="es">' in spanish
    assert ">Inicio</a>" in spanish and 'aria-label="Buscar"' in spanish
    assert "Di «hola» &amp; &lt;saluda&gt;" in spanish
    chinese = in_language(page, "zh")
    assert '<html dir="ltr" lang="zh-Hans" data-drawn-lang="zh">' in chinese
    assert ">首页</a>" in chinese
    for text in (english, spanish, chinese):
        assert "\ue000" not in text and "\ue001" not in text
    assert (_chosen(english), _chosen(spanish), _chosen(chinese)) == (["en"], ["es"], ["zh"])


@pytest.mark.parametrize(
    "broken",
    [
        "<p>\ue000not json\ue001</p>",
        "<p>\ue000" + html.escape(json.dumps({"en": "Home"})) + "\ue001</p>",  # no Spanish
        "<p>\ue000{&quot;en&quot;: &quot;Home&quot;}</p>",  # no end
    ],
)
def test_a_text_the_build_cannot_read_stops_it(broken: str) -> None:
    with pytest.raises(UnreadablePage):
        in_language(broken, "es")


def _build(static: Path) -> None:
    (static / "login").mkdir(parents=True)
    (static / "login" / "index.html").write_text(_page("Log in"), encoding="utf-8")
    (static / "login.html").write_text(_page("Log in"), encoding="utf-8")  # the same page twice
    first_paint = f'<div class="{PLACEHOLDER_CLASS}"></div>'
    (static / "explore").mkdir()
    (static / "explore" / "index.html").write_text(_page("Explore", first_paint), "utf-8")
    (static / "plain.html").write_text("<html><body>No texts</body></html>", encoding="utf-8")


def test_the_build_writes_english_in_place_and_each_other_language_beside_it(
    tmp_path: Path,
) -> None:
    static = tmp_path / "build" / "client"
    _build(static)
    stale = tmp_path / "build" / LANGUAGES_FOLDER / "stale.es.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("an earlier build's")
    assert write_page_languages(static) == 3
    folder = tmp_path / "build" / LANGUAGES_FOLDER
    english = (static / "login" / "index.html").read_bytes()
    assert english == in_language(_page("Log in"), "en").encode()
    assert (static / "plain.html").read_text() == "<html><body>No texts</body></html>"
    assert not stale.exists()
    assert sorted(path.name.split(".", 1)[1] for path in folder.iterdir()) == [
        "es.html",
        "es.html",
        "zh.html",
        "zh.html",
    ]  # two pages (login twice is one page) in two languages
    assert page_in_language(english, "es", folder) == in_language(_page("Log in"), "es").encode()
    assert page_in_language(english, "zh", folder) == in_language(_page("Log in"), "zh").encode()
    assert page_in_language(english, "en", folder) is None
    assert page_in_language(english, "fr", folder) is None
    assert page_in_language((static / "plain.html").read_bytes(), "es", folder) is None


def _reader(language: str | None) -> SessionUser:
    return SessionUser(1, "susan", "susan@example.com", None, language, None)


def _preloads(page: str) -> list[str]:
    found = re.search(r"var preloads = (\[.*?\]), started", page, re.S)
    assert found, page
    return json.loads(found.group(1))


def test_each_languages_page_asks_for_its_own_catalog_with_its_modules(tmp_path: Path) -> None:
    """The runtime waits for the catalog of the page's language before the first render: the
    page's loader asks for it with the page's modules, so that wait costs no extra round trip.
    The English page asks for no catalog (English is in the bundle)."""
    static = tmp_path / "build" / "client"
    (static / "assets").mkdir(parents=True)
    for name in ("catalog_es-Ab1.js", "catalog_zh-Cd2.js", "root-2.js"):
        (static / "assets" / name).write_text("export default {};", encoding="utf-8")
    scripts = (
        '<link rel="modulepreload" href="/assets/root-2.js"/>'
        '<script type="module" async="">import("/assets/root-2.js");</script>'
    )
    (static / "explore").mkdir()
    (static / "explore" / "index.html").write_text(
        scripts_after_paint(_page("Explore", scripts)), encoding="utf-8"
    )
    assert write_page_languages(static) == 1
    english = (static / "explore" / "index.html").read_bytes()
    assert _preloads(english.decode()) == ["/assets/root-2.js"]
    for lang, catalog in (("es", "/assets/catalog_es-Ab1.js"), ("zh", "/assets/catalog_zh-Cd2.js")):
        page = page_in_language(english, lang, tmp_path / "build" / LANGUAGES_FOLDER)
        assert page is not None
        assert _preloads(page.decode()) == [catalog, "/assets/root-2.js"]


def test_the_readers_language_is_their_own_then_their_browsers() -> None:
    assert reader_language(_reader("zh"), "es-ES,es;q=0.9") == "zh"
    assert reader_language(_reader(None), "es-ES,es;q=0.9") == "es"
    assert reader_language(None, "zh-CN,zh;q=0.9,en;q=0.5") == "zh"
    assert reader_language(None, None) == "en"


@dataclass(frozen=True)
class Site:
    base: str
    cookie: str  # Susan, signed in, whose language is Chinese


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("page-languages")
    static = root / "web" / "build" / "client"  # where Reflex keeps its build under the web dir
    _build(static)
    write_page_languages(static)
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    engine = make_engine(f"sqlite:///{db_path}")
    with Session(engine) as session:
        susan = User(username="susan", email="susan@example.com", password_hash="x")
        session.add(susan)
        session.commit()
        users.set_language(session, user_id=susan.id or 0, language="zh")
        session.commit()
        token = session_token(session, susan)
    engine.dispose()
    env = {
        **os.environ,
        "PROD_FRONTEND_DIR": str(static),
        "REFLEX_WEB_WORKDIR": str(root / "web"),
        "DATABASE_URL": f"sqlite:///{db_path}",
    }
    with serve_asgi(
        "tests.prod_frontend_app:create", env=env, log_path=root / "granian.log"
    ) as server:
        yield Site(server.base, f"{get_settings().session_cookie_name}={token}")


PAGE_REQUEST = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _get(site: Site, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{site.base}{path}", headers={**PAGE_REQUEST, **headers})


def test_a_visitor_gets_the_page_in_their_browsers_language(site: Site) -> None:
    response = _get(site, "/login", **{"Accept-Language": "es-ES,es;q=0.9"})
    assert response.status_code == 200
    assert 'lang="es" data-drawn-lang="es"' in response.text
    assert ">Inicio</a>" in response.text and 'aria-label="Buscar"' in response.text
    assert "Di «hola» &amp; &lt;saluda&gt;" in response.text
    assert "etag" not in response.headers and "last-modified" not in response.headers
    assert "Cookie" in response.headers["vary"] and "Accept-Language" in response.headers["vary"]
    assert response.headers["content-length"] == str(len(response.content))


def test_english_is_the_builds_own_page_as_the_static_files_send_it(site: Site) -> None:
    response = _get(site, "/login", **{"Accept-Language": "en-GB"})
    assert ">Home</a>" in response.text and "data-drawn-lang" not in response.text
    assert "\ue000" not in response.text
    assert "Accept-Language" in response.headers["vary"]
    again = _get(site, "/login", **{"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and "Accept-Language" in again.headers["vary"]


def test_a_signed_in_reader_gets_their_own_language_whatever_the_browser_says(
    site: Site,
) -> None:
    response = _get(site, "/login", Cookie=site.cookie, **{"Accept-Language": "es"})
    assert 'lang="zh-Hans" data-drawn-lang="zh"' in response.text and ">首页</a>" in response.text


def test_a_revalidation_cannot_keep_the_page_in_another_language(site: Site) -> None:
    """The English page's validators (if a browser has any) must not bring back a 304 when the
    reader now reads Spanish: the page is asked whole."""
    plain = httpx.get(f"{site.base}/login")  # not a browser's page request: the file as it is
    assert plain.headers.get("etag")
    response = _get(
        site,
        "/login",
        **{"Accept-Language": "es", "If-None-Match": plain.headers["etag"]},
    )
    assert response.status_code == 200 and ">Inicio</a>" in response.text


def test_what_is_not_a_browsers_page_request_passes_through(site: Site) -> None:
    plain = httpx.get(f"{site.base}/login", headers={"Accept-Language": "es"})
    assert ">Home</a>" in plain.text and plain.headers.get("etag")  # the static file as it is
    api = _get(site, "/api/thing", **{"Accept-Language": "es"})
    assert api.json() == {"ok": True} and api.headers["cache-control"] == "no-store"
    missing = _get(site, "/no/such/page.txt", **{"Accept-Language": "es"})
    assert missing.status_code == 404


def test_a_page_with_a_first_paint_is_drawn_in_the_readers_language(site: Site) -> None:
    response = _get(site, "/explore", Cookie=site.cookie, **{"Accept-Language": "es"})
    assert 'lang="zh-Hans" data-drawn-lang="zh"' in response.text and ">首页</a>" in response.text
    assert 'href="/user/susan"' in response.text  # the navbar drawn for her
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["vary"] == "Cookie, Accept-Language"
    visitor = _get(site, "/explore", **{"Accept-Language": "es"})
    assert ">Inicio</a>" in visitor.text and f'class="{PLACEHOLDER_CLASS}"' in visitor.text
