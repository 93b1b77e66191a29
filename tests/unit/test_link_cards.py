"""Link previews end to end below the browser (services/link_cards.py): a post's first link gets
a card fetched after the commit from a real page server on 127.0.0.1 (through the test-only
allowance, LINK_PREVIEW_TEST_LOOPBACK), shown in the feeds' one statement and the API, told to
open pages as POST_CHANGED; failures leave no card and are not retried before the TTL."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.api.representations import post_json
from microblog.config import get_settings
from microblog.models import LinkCard, Post, User, table_of, utcnow
from microblog.services import link_cards, posts
from microblog.services.link_cards import normalize_url, refresh_card
from microblog.services.media.store import LocalStore, use_store
from tests.page_server import PageServer
from tests.recording_hub import RecordingHub

ARTICLE = b"""<!doctype html><html><head><title>Ignored</title>
<meta property="og:title" content="Tides &amp; moons">
<meta property="og:description" content="Why the sea comes and goes.">
<meta property="og:site_name" content="Sea Notes">
</head><body>...</body></html>"""


@pytest.fixture
def previews(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Link previews on, reaching loopback only (the test allowance)."""
    monkeypatch.setenv("LINK_PREVIEWS", "1")
    monkeypatch.setenv("LINK_PREVIEW_TEST_LOOPBACK", "1")
    monkeypatch.setenv("LINK_PREVIEW_TIMEOUT", "3")
    get_settings.cache_clear()
    yield
    link_cards.settle()
    get_settings.cache_clear()


@pytest.fixture
def pages() -> Iterator[PageServer]:
    with PageServer() as server:
        yield server


def _post(session: Session, author: User, body: str) -> Post:
    post = posts.create_post(session, author_id=author.id or 0, body=body, language="en")
    session.commit()
    return post


def _card(session: Session, post_id: int) -> LinkCard | None:
    session.expire_all()
    post = session.get(Post, post_id)
    assert post is not None
    return session.get(LinkCard, post.link_card_id) if post.link_card_id else None


def _shown(session: Session, post_id: int) -> dict[str, str]:
    row = posts.get_post_row(session, post_id=post_id)
    return {name: getattr(row, name) for name in vars(row) if name.startswith("card_")}


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("HTTPS://News.Example/Path?q=1#part", "https://news.example/Path?q=1"),
        ("http://news.example:80", "http://news.example/"),
        ("https://news.example:8443/a", "https://news.example:8443/a"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("http://[2001:db8::1]/x", "http://[2001:db8::1]/x"),
        ("ftp://news.example/", None),
        ("https://user:pw@news.example/", None),
        ("https:///nohost", None),
        ("https://news.example/" + "a" * 3000, None),
    ],
)
def test_cards_are_keyed_by_the_normalised_url(given: str, key: str | None) -> None:
    assert normalize_url(given) == key


@pytest.mark.usefixtures("previews")
def test_the_first_link_gets_a_card_after_the_commit(
    session: Session,
    engine: Engine,
    make_user: Callable[..., User],
    pages: PageServer,
    hub: RecordingHub,
) -> None:
    ann = make_user(session, "ann")
    url = pages.route("/tides", body=ARTICLE)
    other = pages.route("/other", body=ARTICLE)
    post = _post(session, ann, f"Read @ann #sea {url} and then {other}")
    link_cards.settle()

    card = _card(session, post.id or 0)
    assert card is not None and card.url == url and card.status == "ok"
    assert (card.title, card.description, card.site_name) == (
        "Tides & moons",
        "Why the sea comes and goes.",
        "Sea Notes",
    )
    assert pages.requests_for("/other") == []  # only the first link
    assert ("post_changed", post.id) in [(e.kind, e.ref_id) for e in hub.events]
    assert _shown(session, post.id or 0) == {
        "card_url": url,
        "card_title": "Tides & moons",
        "card_description": "Why the sea comes and goes.",
        "card_domain": "127.0.0.1",
        "card_site_name": "Sea Notes",
        "card_image": "",
    }
    shown = posts.get_post_row(session, post_id=post.id or 0)
    assert post_json(shown)["card"] == {
        "url": url,
        "title": "Tides & moons",
        "description": "Why the sea comes and goes.",
        "image": None,
        "provider_name": "Sea Notes",
    }


@pytest.mark.usefixtures("previews")
def test_one_card_per_page_fetched_once_per_ttl(
    session: Session, engine: Engine, make_user: Callable[..., User], pages: PageServer
) -> None:
    ann = make_user(session, "ann")
    url = pages.route("/tides", body=ARTICLE)
    first = _post(session, ann, url)
    link_cards.settle()
    second = _post(session, ann, f"again: {url}#comments")  # the same page
    link_cards.settle()
    assert _card(session, first.id or 0) == _card(session, second.id or 0)
    assert len(pages.requests_for("/tides")) == 1
    assert _shown(session, second.id or 0)["card_title"] == "Tides & moons"

    # A day later, a new post of the link fetches it again; the old card shows meanwhile.
    card = _card(session, first.id or 0)
    assert card is not None
    with engine.begin() as conn:
        conn.execute(update(table_of(LinkCard)).values(fetched_at=utcnow() - timedelta(hours=25)))
    refetch = threading.Event()  # the new page is answered only after the look "meanwhile"
    revised = ARTICLE.replace(b"Tides &amp; moons", b"Tides, revised")
    pages.route("/tides", body=revised, gate=refetch)
    third = _post(session, ann, url)
    assert _shown(session, third.id or 0)["card_title"] == "Tides & moons"
    refetch.set()
    link_cards.settle()
    assert len(pages.requests_for("/tides")) == 2
    assert _shown(session, first.id or 0)["card_title"] == "Tides, revised"


@pytest.mark.usefixtures("previews")
def test_a_card_is_fetched_by_one_fetch_at_a_time(
    session: Session, engine: Engine, pages: PageServer
) -> None:
    """Two fetches of one card (two posts at once, two workers): the claim lets one through."""
    url = pages.route("/tides", body=ARTICLE)
    with engine.begin() as conn:
        conn.execute(
            table_of(LinkCard)
            .insert()
            .values(
                url=url,
                status="pending",
                title="",
                description="",
                site_name="",
                canonical_url="",
                image="",
                created=utcnow(),
                claimed_until=utcnow() + timedelta(minutes=1),  # another fetch holds it
            )
        )
    card_id = session.execute(select(LinkCard.id)).scalar_one()  # type: ignore[call-overload]
    assert refresh_card(engine, card_id=card_id) is False
    assert pages.seen == []
    with engine.begin() as conn:
        conn.execute(update(table_of(LinkCard)).values(claimed_until=utcnow() - timedelta(1)))
    assert refresh_card(engine, card_id=card_id) is True
    assert refresh_card(engine, card_id=card_id) is False  # fresh now
    assert len(pages.seen) == 1


@pytest.mark.usefixtures("previews")
@pytest.mark.parametrize(
    "route",
    [
        {"status": 404, "body": b"gone"},
        {"body": b'{"title": "x"}', "content_type": "application/json"},
        {"body": b"<html><body>no title at all</body></html>"},
        {"status": 302, "headers": {"Location": "http://169.254.169.254/"}},
    ],
    ids=["missing", "json", "untitled", "metadata-redirect"],
)
def test_a_page_without_a_preview_leaves_no_card_and_is_not_retried(
    session: Session,
    engine: Engine,
    make_user: Callable[..., User],
    pages: PageServer,
    route: dict,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ann = make_user(session, "ann")
    url = pages.route("/page", **route)
    with caplog.at_level(logging.INFO, logger="microblog.services.link_cards"):
        post = _post(session, ann, f"look {url}")
        link_cards.settle()
    card = _card(session, post.id or 0)
    assert card is not None and card.status == "failed" and card.fetched_at is not None
    assert _shown(session, post.id or 0)["card_url"] == ""
    assert post_json(posts.get_post_row(session, post_id=post.id or 0))["card"] is None
    assert any("no card" in record.getMessage() for record in caplog.records)
    _post(session, ann, f"and again {url}")
    link_cards.settle()
    assert len(pages.requests_for("/page")) == 1  # not again before the TTL


@pytest.mark.usefixtures("previews")
def test_an_edit_that_changes_the_first_link_changes_the_card(
    session: Session, engine: Engine, make_user: Callable[..., User], pages: PageServer
) -> None:
    ann = make_user(session, "ann")
    first = pages.route("/tides", body=ARTICLE)
    second = pages.route("/moons", body=ARTICLE.replace(b"Tides &amp; moons", b"Moons"))
    post = _post(session, ann, f"see {first}")
    link_cards.settle()
    posts.edit_post(session, post_id=post.id or 0, user_id=ann.id or 0, body=f"or {first} !")
    session.commit()
    link_cards.settle()
    assert len(pages.requests_for("/tides")) == 1  # same link, fresh card: nothing fetched
    posts.edit_post(session, post_id=post.id or 0, user_id=ann.id or 0, body=f"see {second}")
    session.commit()
    link_cards.settle()
    assert _shown(session, post.id or 0)["card_title"] == "Moons"
    posts.edit_post(session, post_id=post.id or 0, user_id=ann.id or 0, body="no link now")
    session.commit()
    assert _card(session, post.id or 0) is None
    assert _shown(session, post.id or 0)["card_url"] == ""


def test_with_previews_off_nothing_is_fetched(
    session: Session, make_user: Callable[..., User], pages: PageServer
) -> None:
    """The tests' default (tests/conftest.py), and an operator's choice (LINK_PREVIEWS=0)."""
    assert get_settings().link_previews is False
    ann = make_user(session, "ann")
    post = _post(session, ann, pages.route("/tides", body=ARTICLE))
    link_cards.settle()
    assert _card(session, post.id or 0) is None and pages.seen == []


def test_feeds_read_cards_in_their_one_statement(
    session: Session, engine: Engine, make_user: Callable[..., User], sent_sql: list[str]
) -> None:
    """The card comes by a join in services/post_rows.py: a page of posts with cards is still
    one statement."""
    ann = make_user(session, "ann")
    session.commit()
    with engine.begin() as conn:
        for n in range(3):
            card_id = conn.execute(
                table_of(LinkCard)
                .insert()
                .values(
                    url=f"https://site{n}.example/",
                    status="ok",
                    title=f"Site {n}",
                    description="",
                    site_name="",
                    canonical_url="",
                    image="",
                    created=utcnow(),
                    fetched_at=utcnow(),
                )
            ).inserted_primary_key[0]
            post = Post(body=f"https://site{n}.example/", user_id=ann.id or 0, link_card_id=card_id)
            session.add(post)
    session.commit()
    sent_sql.clear()
    page = posts.explore_posts(session, page=1, per_page=10)
    assert [row.card_title for row in page.items] == ["Site 2", "Site 1", "Site 0"]
    assert [row.card_domain for row in page.items] == [f"site{n}.example" for n in (2, 1, 0)]
    reads = [s for s in sent_sql if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) == 1


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalStore]:
    made = LocalStore(tmp_path / "media", "http://media.test/media")
    use_store(made)
    yield made
    use_store(None)


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 630), (30, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: a latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.usefixtures("previews")
def test_the_picture_is_our_own_small_copy(
    session: Session,
    make_user: Callable[..., User],
    pages: PageServer,
    store: LocalStore,
) -> None:
    """The page's og:image is fetched by the same rules, re-encoded small without its metadata
    and served from our media store: the card never points at the remote file."""
    ann = make_user(session, "ann")
    photo = _photo_with_gps()
    assert b"Exif" in photo
    pages.route("/lead.jpg", body=photo, content_type="image/jpeg")
    with_picture = ARTICLE.replace(
        b"</head>", b'<meta property="og:image" content="/lead.jpg"></head>'
    )
    post = _post(session, ann, pages.route("/tides", body=with_picture))
    link_cards.settle()
    card = _card(session, post.id or 0)
    assert card is not None and card.image.endswith(".jpg")
    shown = _shown(session, post.id or 0)["card_image"]
    assert shown == f"http://media.test/media/{card.image}"
    kept = store.read(card.image)
    picture = Image.open(io.BytesIO(kept))
    assert max(picture.size) <= link_cards.CARD_IMAGE_SIZE
    assert b"Exif" not in kept and not picture.getexif()
    assert len(pages.requests_for("/lead.jpg")) == 1


@pytest.mark.usefixtures("previews")
@pytest.mark.parametrize(
    "picture",
    [
        {"body": b'<svg xmlns="http://www.w3.org/2000/svg"/>', "content_type": "image/svg+xml"},
        {"body": b"<html>not a picture</html>", "content_type": "image/png"},  # disguised
        {"status": 302, "headers": {"Location": "http://10.0.0.1/x.png"}},
    ],
    ids=["svg", "disguised", "private-redirect"],
)
def test_a_picture_that_is_refused_leaves_a_card_without_one(
    session: Session,
    make_user: Callable[..., User],
    pages: PageServer,
    store: LocalStore,
    picture: dict,
) -> None:
    ann = make_user(session, "ann")
    pages.route("/lead", **picture)
    with_picture = ARTICLE.replace(b"</head>", b'<meta property="og:image" content="/lead"></head>')
    post = _post(session, ann, pages.route("/tides", body=with_picture))
    link_cards.settle()
    shown = _shown(session, post.id or 0)
    assert shown["card_title"] == "Tides & moons" and shown["card_image"] == ""
    assert not store.root.exists() or not any(p.is_file() for p in store.root.rglob("*"))
