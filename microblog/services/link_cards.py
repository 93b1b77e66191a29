"""Link previews: the first web link of a post gets a card (title, description, picture, site),
fetched in the background after the post is saved and shown live on every open page.

- **When**: `create_post` and `edit_post` call `attach_link_card` with the rendered body's first
  link (services/rich_text.py `RenderedPost.links`). The post points at the card of that URL,
  normalised (`normalize_url`), made if new: one `link_card` row per page, shared by every post
  that links it. An edit that changes the first link points at another card; one that removes
  it points at none.
- **Fetching**: when the card was never fetched, or longer ago than LINK_CARD_TTL_HOURS, a fetch
  is kicked once the transaction commits (`after_commit.defer`), onto a small pool of threads:
  never on the event loop, never before the post is saved, never delaying it. A fetch first
  claims the card with one conditional UPDATE (a lease), so two posts of one link fetch it once.
  The page is read by services/safe_fetch.py (public addresses only, limits on time, size,
  redirects and type) and its tags by services/opengraph.py.
- **The picture**: the page's `og:image` is fetched by the same rules, re-encoded small and kept
  in our media store (`_store_image`); the card shows our copy, never the remote file.
- **Results**: a card with a title or a description becomes "ok"; the posts that show it (the
  newest `NOTIFY_POSTS`) are announced as `POST_CHANGED`, which every open page showing one of
  them answers by re-reading its card (state/post_cards.py). Anything else (refused, unreachable,
  not HTML, no title) is logged on one line and the card is "failed" until the TTL has passed:
  no card, never a broken post, and no retry loop. A refetch that fails keeps what was there.
- **Showing**: every list of posts reads the card with the post, by a join in
  services/post_rows.py, only when it is "ok".
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.after_commit import defer
from microblog.config import get_settings
from microblog.db import engine_of, session_scope
from microblog.live.events import POST_CHANGED, LiveEvent, publish_after_commit
from microblog.models import LINK_URL_MAX, LinkCard, Post, table_of, utcnow
from microblog.services import opengraph
from microblog.services.errors import Invalid
from microblog.services.media.attachments import forget_files_after_commit
from microblog.services.media.images import ImageLimits, process_image
from microblog.services.media.store import MediaStoreError, content_name, get_store
from microblog.services.safe_fetch import (
    IMAGE_TYPES,
    PAGE_TYPES,
    FetchRefused,
    fetch,
    policy_from_settings,
)

log = logging.getLogger(__name__)

_CARD = table_of(LinkCard).c
_POST = table_of(Post).c
LEASE = timedelta(minutes=2)  # longer than any fetch may take (safe_fetch's deadline)
NOTIFY_POSTS = 50  # the newest posts showing a card that are told it changed


def normalize_url(url: str) -> str | None:
    """The key of a page's card: scheme and host lower-cased (the host in IDNA), the default
    port and the fragment dropped, an empty path as `/`; None for what is not an http(s) URL
    we would fetch (credentials in it, no host, too long)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    normal = urlunsplit((scheme, host, parts.path or "/", parts.query, ""))
    return normal if len(normal) <= LINK_URL_MAX else None


def attach_link_card(session: Session, *, post: Post, links: tuple[str, ...]) -> None:
    """Point `post` at the card of its first link (or at none), and have the card fetched
    after the commit when it is new or older than the TTL. Unchanged when the first link's card
    is fresh (an edit that kept the link, or a link posted earlier today)."""
    settings = get_settings()
    url = normalize_url(links[0]) if links and settings.link_previews else None
    if url is None:
        post.link_card_id = None
        return
    card = _card_for(session, url)
    post.link_card_id = card.id
    if _is_due(card, now=utcnow()):
        engine, card_id = engine_of(session), card.id or 0
        defer(session, lambda: kick(engine, card_id))


def _card_for(session: Session, url: str) -> LinkCard:
    """The card of `url`, made if new. Two posts may bring a new URL at once: the insert of a
    URL that exists only marks the card used now (ON CONFLICT DO UPDATE), and the row is read
    after. That update also locks the card until this post commits, so the clean-up
    (`delete_unused_link_cards`) cannot delete a card a post is taking: it waits, then finds it
    used."""
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    statement = make(LinkCard).values(
        url=url,
        status="pending",
        title="",
        description="",
        site_name="",
        canonical_url="",
        image="",
        created=now,
        used_at=now,
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=[_CARD.url], set_={"used_at": now})
    )
    read = select(LinkCard).where(_CARD.url == url).execution_options(populate_existing=True)
    card: LinkCard = session.execute(read).scalar_one()
    return card


def _is_due(card: LinkCard, *, now: datetime) -> bool:
    ttl = timedelta(hours=get_settings().link_card_ttl_hours)
    return card.fetched_at is None or card.fetched_at < now - ttl


# -- the fetch, on a background thread ---------------------------------------------------------

WORKERS = 2
MAX_WAITING = 1000  # fetches waiting for a thread; beyond, new ones are dropped (and logged)
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="link-card")
_waiting = threading.BoundedSemaphore(MAX_WAITING)
_lock = threading.Lock()
_pending: set[Future[None]] = set()


def kick(engine: Engine, card_id: int) -> None:
    """Fetch the card soon, on the pool (called after the commit that made the post)."""
    if not _waiting.acquire(blocking=False):
        log.warning("Too many link previews waiting; card %d is left without one", card_id)
        return
    future = _pool.submit(_fetch_quietly, engine, card_id)
    with _lock:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[None]) -> None:
    with _lock:
        _pending.discard(future)


def _fetch_quietly(engine: Engine, card_id: int) -> None:
    try:
        refresh_card(engine, card_id=card_id)
    except Exception:
        log.exception("Link card %d: the fetch failed", card_id)
    finally:
        _waiting.release()


def settle(timeout: float = 60.0) -> None:
    """Wait until the fetches kicked so far are done (tests)."""
    with _lock:
        kicked = list(_pending)
    wait(kicked, timeout=timeout)


def refresh_card(engine: Engine, *, card_id: int) -> bool:
    """Fetch the card's page now, if it is due and no other fetch holds it; store what was
    found and tell the open pages. Returns whether a fetch was made."""
    claim = _claim(engine, card_id)
    if claim is None:
        return False
    url, was_ok = claim
    try:
        preview = _read_page(url)
    except FetchRefused as refused:
        log.info("Link card %d (%s): no card, %s", card_id, url, refused)
        preview = None
    image = _store_image(card_id, preview.image) if preview and preview.image else ""
    with session_scope(engine) as session:
        changes: dict[str, object] = {"fetched_at": utcnow(), "claimed_until": None}
        if preview is not None:
            changes |= {
                "status": "ok",
                "title": preview.title,
                "description": preview.description,
                "site_name": preview.site_name,
                "canonical_url": preview.canonical_url,
                "image": image,
            }
        elif not was_ok:
            changes["status"] = "failed"
        old_image = session.execute(select(_CARD.image).where(_CARD.id == card_id)).scalar()
        session.execute(update(table_of(LinkCard)).where(_CARD.id == card_id).values(**changes))
        if preview is not None:
            _tell_open_pages(session, card_id)
            if old_image and old_image != image:  # a refetch found another picture
                forget_files_after_commit(session, [(old_image, old_image)])
    return True


def _claim(engine: Engine, card_id: int) -> tuple[str, bool] | None:
    """Take the card for one fetch: only if it is due and nobody holds it (one conditional
    UPDATE, so of two fetches exactly one wins). Its URL and whether it was "ok" before."""
    now = utcnow()
    ttl = timedelta(hours=get_settings().link_card_ttl_hours)
    with session_scope(engine) as session:
        claimed = session.execute(
            update(table_of(LinkCard))
            .where(
                _CARD.id == card_id,
                or_(_CARD.fetched_at.is_(None), _CARD.fetched_at < now - ttl),
                or_(_CARD.claimed_until.is_(None), _CARD.claimed_until < now),
            )
            .values(claimed_until=now + LEASE),
            execution_options={"preserve_rowcount": True},
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        url, status = session.execute(
            select(_CARD.url, _CARD.status).where(_CARD.id == card_id)
        ).one()
    return url, status == "ok"


def _read_page(url: str) -> opengraph.Preview:
    fetched = fetch(url, accept=PAGE_TYPES, policy=policy_from_settings())
    markup = opengraph.decode_page(fetched.body, fetched.charset)
    preview = opengraph.parse_preview(markup, page_url=fetched.url)
    if preview.is_empty:
        raise FetchRefused("empty", "no title or description")
    return preview


CARD_IMAGE_SIZE = 320  # pixels a side at most: the card shows it 88 CSS pixels wide


def _store_image(card_id: int, url: str) -> str:
    """Our own copy of the page's picture, so readers never load it from that site (the
    Content-Security-Policy forbids it, and it would tell the site who reads us): fetched by
    the same rules as the page (an image type, LINK_PREVIEW_IMAGE_MAX_BYTES), decoded and
    re-encoded small by services/media/images.py (no metadata, no decompression bombs, no
    SVG), stored in the media store under its content hash. Its file name, or "" (a card
    without a picture) when anything fails."""
    settings = get_settings()
    try:
        fetched = fetch(
            url,
            accept=IMAGE_TYPES,
            policy=policy_from_settings(max_bytes=settings.link_preview_image_max_bytes),
        )
        limits = ImageLimits(
            max_bytes=settings.link_preview_image_max_bytes,
            max_pixels=settings.media_max_pixels,
            display_size=CARD_IMAGE_SIZE,
            thumbnail_size=CARD_IMAGE_SIZE,
        )
        picture = process_image(fetched.body, limits=limits)
        name = content_name(picture.thumbnail, picture.thumb_extension)
        get_store().put(name, picture.thumbnail, picture.thumb_content_type)
    except (FetchRefused, Invalid, MediaStoreError, OSError) as problem:
        log.info("Link card %d: no picture from %s (%s)", card_id, url, problem)
        return ""
    return name


def _tell_open_pages(session: Session, card_id: int) -> None:
    post_ids = session.execute(
        select(_POST.id)
        .where(_POST.link_card_id == card_id)
        .order_by(_POST.id.desc())
        .limit(NOTIFY_POSTS)
    ).scalars()
    for post_id in post_ids:
        publish_after_commit(session, LiveEvent(POST_CHANGED, ref_id=post_id))


def delete_unused_link_cards(session: Session, *, now: datetime | None = None) -> int:
    """Delete the cards no post names any more (their posts deleted, or edited to another
    link) that no post took for the grace period: LINK_CARD_TTL_HOURS, at least an hour. Such a
    card would be fetched again when next used anyway, so nothing is lost. One statement over
    the unused cards only (`ix_link_card_used_at`), each checked with one probe of
    `ix_post_link_card`; a card being fetched is left alone. Their pictures go after the commit
    when nothing else names them. Returns how many cards went (jobs.py, hourly)."""
    now = now or utcnow()
    grace = timedelta(hours=max(1.0, get_settings().link_card_ttl_hours))
    gone = session.execute(
        delete(LinkCard)
        .where(
            _CARD.used_at < now - grace,
            or_(_CARD.claimed_until.is_(None), _CARD.claimed_until < now),
            ~exists().where(_POST.link_card_id == _CARD.id),
        )
        .returning(_CARD.image)
    ).all()
    images = sorted({image for (image,) in gone if image})
    if images:
        forget_files_after_commit(session, [(image,) for image in images])
    return len(gone)
