"""Search results (`/search?q=`) are sent with their first page in the page's HTML, as the feeds
are (web/first_paint.py, search_first_paint.py), over real HTTP with granian in front of a
build folder: the people who match, the count, the posts with the searched words marked, all
escaped; the bare page when no post matches."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import Session

from microblog.db import make_engine
from microblog.models import User
from microblog.services import search
from microblog.web.first_paint import PERSONAL
from microblog.widgets.search import SEARCH_RESULTS_CLASS
from tests.search_helpers import commit_post
from tests.unit.test_feed_first_paint import PAGE, _cards, _feed_part, _serve


@dataclass
class Site:
    base: str
    herons: list[int]  # the posts that say "heron", newest first


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    search.use_external(None)  # the built-in engine, in this process and the server's
    root = tmp_path_factory.mktemp("search-first-paint")
    db_path = root / "site.db"
    shutil.copy(sqlite_template, db_path)
    url = f"sqlite:///{db_path}"
    engine = make_engine(url)
    with Session(engine) as session:
        fan = User(username="heronfan", email="fan@example.com", password_hash="x")
        fan.about_me = 'I watch <b>"herons"</b> & egrets'
        session.add(fan)
        session.commit()
        herons = [
            commit_post(session, fan, "A heron by the river"),
            commit_post(session, fan, "Grey heron <script>alert(1)</script>"),
            commit_post(session, fan, "Another HERON, fishing"),
        ]
        commit_post(session, fan, "Only egrets today")
    engine.dispose()
    build = root / "build"
    (build / "search").mkdir(parents=True)
    (build / "search" / "index.html").write_text(PAGE)
    for base in _serve(build, url):
        yield Site(base=base, herons=herons)
    search.reset_external()


def _search(site: Site, q: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{site.base}/search?q={quote(q)}", headers=headers)


def test_results_are_sent_with_people_count_and_marked_posts(site: Site) -> None:
    response = _search(site, "heron")
    assert response.status_code == 200
    assert response.headers["cache-control"] == PERSONAL  # drawn for this reader, now
    drawn = _feed_part(response.text)
    assert f'<div class="{SEARCH_RESULTS_CLASS}">' in drawn
    cards = _cards(response.text)
    assert len(cards) == 2 and set(cards) <= set(site.herons)  # POSTS_PER_PAGE=2: two of three
    assert "3 posts match “heron”" in drawn
    assert 'href="/user/heronfan"' in drawn and "search-users" in drawn
    marks = drawn.count('<mark class="search-hit">')
    assert marks == 2  # one "heron" in each card's text
    # What users wrote is text: the about-me, the post's own markup.
    assert "<b>" not in drawn and "&lt;b&gt;&quot;herons&quot;&lt;/b&gt; &amp; egrets" in drawn
    assert "<script>" not in drawn


def test_the_query_is_shown_as_text(site: Site) -> None:
    drawn = _feed_part(_search(site, "<script> heron").text)
    assert "1 post matches “&lt;script&gt; heron”" in drawn
    assert "<script>" not in drawn
    marked = re.findall(r'<mark class="search-hit">([^<]*)</mark>', drawn)
    assert marked == ["heron", "script", "script"]  # the post's text, its words marked


def test_the_second_page_and_the_readers_language(site: Site) -> None:
    second = httpx.get(f"{site.base}/search?q=heron&page=2")
    first = _search(site, "heron")
    assert len(_cards(second.text)) == 1
    assert set(_cards(first.text)) | set(_cards(second.text)) == set(site.herons)
    spanish = _feed_part(_search(site, "heron", **{"Accept-Language": "es"}).text)
    assert "3 publicaciones coinciden con «heron»" in spanish
    assert ">Personas</h2>" in spanish


@pytest.mark.parametrize("q", ["", "nothingmatches", "heronfan"])
def test_no_matching_posts_is_the_bare_page(site: Site, q: str) -> None:
    """Nothing, or only people ("heronfan" names a user but no post): the live page says so."""
    response = _search(site, q)
    assert response.status_code == 200
    assert _cards(response.text) == [] and SEARCH_RESULTS_CLASS not in response.text
