"""Pictures as posts carry them: upload, describe (alt text), discard, attach to a post, and the
clean-up of what is never attached or belongs to a deleted post.

An upload is processed and stored at once (`upload_media`), before any post exists, so the
compose box can show its thumbnail and the person can write its alt text while it waits. It is
an orphan until `attach_media` (called by create_post / edit_post) gives it a post. Orphans
older than MEDIA_ORPHAN_HOURS go (`delete_orphaned_media`, run by jobs.py).

A post keeps a copy of its pictures as its card shows them (`post.media_json`) and of their alt
texts (`post.media_alt_text`, searched with the body), written here whenever its attachments
change, in the same transaction, like the counters: a list of 25 cards reads them with the
posts in its one statement (services/post_rows.py).

Files are deleted only after the transaction that let go of them commits, and only when no row
names them any more: no attachment, and no user's avatar (services/avatars.py lets go of an old
picture's files here too). The same picture uploaded twice is one file (services/media/store.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import PurePath

from sqlalchemy import Connection, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.after_commit import defer
from microblog.config import get_settings
from microblog.i18n import _l, _ln
from microblog.live.events import post_changed, publish_after_commit
from microblog.models import (
    MEDIA_ALT_MAX,
    LinkCard,
    MediaAttachment,
    Post,
    User,
    row_id,
    table_of,
)
from microblog.services import search
from microblog.services.errors import Invalid, NotFound
from microblog.services.media.images import (
    ImageLimits,
    ProcessedImage,
    placeholder_data_url,
    process_image,
)
from microblog.services.media.store import (
    MediaStore,
    MediaStoreError,
    content_name,
    get_store,
)
from microblog.services.text import require_storable

log = logging.getLogger(__name__)

_MEDIA = table_of(MediaAttachment).c
_LINK_CARD = table_of(LinkCard).c
_POST = table_of(Post).c
_USER = table_of(User).c
PENDING_PER_USER = 40
"""Uploads one person may hold unattached at once: enough for several drafts, not a store."""

# File deletions leave the committing thread (S3 is a network call).
_deleter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="media-delete")


class MediaUnavailable(Exception):
    """The media store failed (S3 down...): the upload is refused with a message, nothing kept."""


def upload_media(
    session: Session, *, user_id: int, data: bytes, filename: str = ""
) -> MediaAttachment:
    """Check, re-encode and store one picture of `user_id`'s; the row is flushed, unattached.
    Raises `Invalid` (field "file") for what is not a picture we take, and MediaUnavailable
    when the store cannot take it. CPU and I/O bound: call from a worker thread."""
    pending = session.execute(
        select(func.count())
        .select_from(table_of(MediaAttachment))
        .where(_MEDIA.user_id == user_id, _MEDIA.post_id.is_(None))
    ).scalar_one()
    if pending >= PENDING_PER_USER:
        raise Invalid(
            {
                "file": _l(
                    "You have too many pictures waiting to be posted. Post or remove some first."
                )
            }
        )
    image = process_image(data, limits=ImageLimits.from_settings())
    try:
        file_name, thumb_name = store_image(image)
    except (MediaStoreError, OSError) as problem:
        log.exception("The media store refused an upload")
        raise MediaUnavailable(str(problem)) from problem
    row = MediaAttachment(
        user_id=user_id,
        file_name=file_name,
        thumb_name=thumb_name,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        thumb_width=image.thumb_width,
        thumb_height=image.thumb_height,
        blurhash=image.blurhash,
        byte_size=len(image.display),
    )
    session.add(row)
    session.flush()
    # The name a person gave the file is not kept (nothing shows it); the log names it.
    log.info("Stored picture %s (%s) for user %d", row.id, PurePath(filename).name, user_id)
    return row


def store_image(image: ProcessedImage, store: MediaStore | None = None) -> tuple[str, str]:
    """Put a processed picture's two files in the store (the configured one unless given);
    their content names (display, thumbnail). Raises MediaStoreError or OSError."""
    store = store or get_store()
    file_name = content_name(image.display, image.extension)
    thumb_name = content_name(image.thumbnail, image.thumb_extension)
    store.put(file_name, image.display, image.content_type)
    store.put(thumb_name, image.thumbnail, image.thumb_content_type)
    return file_name, thumb_name


def own_media(session: Session, *, user_id: int, media_id: int) -> MediaAttachment:
    """One of `user_id`'s uploads; anyone else's is "not found", so ids reveal nothing."""
    row = session.get(MediaAttachment, media_id)
    if row is None or row.user_id != user_id:
        raise NotFound(_l("No such picture."))
    return row


def describe_media(
    session: Session, *, user_id: int, media_id: int, alt_text: str
) -> MediaAttachment:
    """Set the alt text of one of your pictures, attached or not. An attached picture's post
    shows it at once on every open page, and search finds the new words."""
    alt_text = _checked_alt_text(alt_text)
    row = own_media(session, user_id=user_id, media_id=media_id)
    row.alt_text = alt_text
    session.add(row)
    session.flush()
    if row.post_id is not None:
        refresh_post_media(session, post_id=row.post_id)
        post = session.get(Post, row.post_id)
        if post is not None:
            session.refresh(post)
            search.post_saved(session, post_id=row.post_id, body=searchable_text(post))
        publish_after_commit(session, post_changed(row.post_id, actor_id=user_id))
    return row


def searchable_text(post: Post) -> str:
    """What search indexes of a post: its text and its pictures' alt texts."""
    return f"{post.body}\n{post.media_alt_text}" if post.media_alt_text else post.body


def _checked_alt_text(alt_text: str) -> str:
    alt_text = (alt_text or "").strip()
    require_storable(description=alt_text)
    if len(alt_text) > MEDIA_ALT_MAX:
        raise Invalid(
            {"description": _l("Alt text can have at most %(max)d characters.", max=MEDIA_ALT_MAX)}
        )
    return alt_text


def discard_media(session: Session, *, user_id: int, media_id: int) -> None:
    """Remove an upload that is not on a post yet (the compose box's remove button). A picture
    already on a post goes by editing the post or deleting it."""
    row = own_media(session, user_id=user_id, media_id=media_id)
    if row.post_id is not None:
        raise Invalid({"media_ids": _l("This picture is on a post: edit the post instead.")})
    session.delete(row)
    session.flush()
    forget_files_after_commit(session, [(row.file_name, row.thumb_name)])


def discard_uploads(session: Session, *, user_id: int, media_ids: Sequence[int]) -> int:
    """Remove those of `media_ids` that are `user_id`'s uploads on no post (a draft given up:
    an edit cancelled, a reply box left for another thread); anyone else's, and pictures on a
    post, are left as they are. Returns how many went; files go after the commit."""
    ids = [int(i) for i in media_ids]
    if not ids:
        return 0
    rows = session.execute(
        delete(MediaAttachment)
        .where(_MEDIA.id.in_(ids), _MEDIA.user_id == user_id, _MEDIA.post_id.is_(None))
        .returning(_MEDIA.file_name, _MEDIA.thumb_name)
    ).all()
    if rows:
        forget_files_after_commit(session, [(f, t) for f, t in rows])
    return len(rows)


def attach_media(
    session: Session,
    *,
    user_id: int,
    post_id: int,
    media_ids: Sequence[int],
    alt_texts: dict[int, str] | None = None,
) -> None:
    """Give `post_id` exactly these pictures, in this order: your own uploads that are on no
    post, or already on this one. Pictures the post had and the list leaves out are deleted.
    `alt_texts` (id -> text) sets descriptions in the same step, of new uploads and of pictures
    already on the post alike (a post created with alt text, the edit box's changed alt text)."""
    ids = list(dict.fromkeys(int(i) for i in media_ids))
    most = get_settings().media_per_post
    if len(ids) > most:
        raise Invalid(
            {
                "media_ids": _ln(
                    "A post can have at most %(num)d picture.",
                    "A post can have at most %(num)d pictures.",
                    most,
                )
            }
        )
    found: Iterable[MediaAttachment] = (
        session.execute(select(MediaAttachment).where(_MEDIA.id.in_(ids))).scalars() if ids else ()
    )
    rows = {row_id(row): row for row in found}
    for media_id in ids:
        row = rows.get(media_id)
        if row is None or row.user_id != user_id:
            raise Invalid({"media_ids": _l("No such picture.")})
        if row.post_id is not None and row.post_id != post_id:
            raise Invalid({"media_ids": _l("This picture is already on another post.")})
    current = session.execute(select(MediaAttachment).where(_MEDIA.post_id == post_id)).scalars()
    dropped = [row for row in current if row.id not in rows]
    for position, media_id in enumerate(ids):
        row = rows[media_id]
        row.post_id = post_id
        row.position = position
        if alt_texts and media_id in alt_texts:
            row.alt_text = _checked_alt_text(alt_texts[media_id])
        session.add(row)
    for row in dropped:
        session.delete(row)
    session.flush()
    if dropped:
        forget_files_after_commit(session, [(r.file_name, r.thumb_name) for r in dropped])
    refresh_post_media(session, post_id=post_id)


def refresh_post_media(session: Session, *, post_id: int) -> None:
    """Write the post's copy of its pictures (what its card shows) and of their alt texts."""
    rows = session.execute(
        select(MediaAttachment).where(_MEDIA.post_id == post_id).order_by(_MEDIA.position)
    ).scalars()
    attached = list(rows)
    session.execute(
        update(table_of(Post))
        .where(_POST.id == post_id)
        .values(
            media_json=media_json(attached),
            media_alt_text="\n".join(r.alt_text for r in attached if r.alt_text),
        )
    )


def media_json(rows: Iterable[MediaAttachment]) -> str | None:
    """The card's copy: short keys, file names not URLs (the store's address can change)."""
    items = [
        {
            "id": row_id(row),
            "f": row.file_name,
            "t": row.thumb_name,
            "ct": row.content_type,
            "w": row.width,
            "h": row.height,
            "tw": row.thumb_width,
            "th": row.thumb_height,
            "b": row.blurhash,
            "p": placeholder_data_url(row.blurhash, row.thumb_width, row.thumb_height),
            "a": row.alt_text,
        }
        for row in rows
    ]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":")) if items else None


def post_media(session: Session, *, post_id: int) -> list[MediaAttachment]:
    """A post's pictures in order (the export)."""
    return list(
        session.execute(
            select(MediaAttachment).where(_MEDIA.post_id == post_id).order_by(_MEDIA.position)
        ).scalars()
    )


def delete_post_media(session: Session, *, post_id: int) -> None:
    """A post is being deleted: its pictures go with it (rows now, files after the commit)."""
    rows = session.execute(
        delete(MediaAttachment)
        .where(_MEDIA.post_id == post_id)
        .returning(_MEDIA.file_name, _MEDIA.thumb_name)
    ).all()
    if rows:
        forget_files_after_commit(session, [(f, t) for f, t in rows])


ORPHAN_BATCH = 500


def delete_orphaned_media(
    session: Session, *, older_than: datetime, limit: int = ORPHAN_BATCH
) -> int:
    """Delete uploads never attached (or left by a post deleted with its author) created
    before `older_than`, at most `limit` a call; returns how many. Files go after the commit."""
    ids = list(
        session.execute(
            select(_MEDIA.id)
            .where(_MEDIA.post_id.is_(None), _MEDIA.created_at < older_than)
            .order_by(_MEDIA.created_at)
            .limit(limit)
        ).scalars()
    )
    if not ids:
        return 0
    rows = session.execute(
        delete(MediaAttachment)
        .where(_MEDIA.id.in_(ids), _MEDIA.post_id.is_(None))
        .returning(_MEDIA.file_name, _MEDIA.thumb_name)
    ).all()
    forget_files_after_commit(session, [(f, t) for f, t in rows])
    return len(rows)


def forget_files_after_commit(session: Session, pairs: Sequence[tuple[str, ...]]) -> None:
    """Once this transaction commits, delete each named file that no row names any more."""
    names = sorted({name for pair in pairs for name in pair})
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    if not names or not isinstance(engine, Engine):
        return
    defer(session, lambda: _deleter.submit(delete_unreferenced_files, engine, names))


def delete_unreferenced_files(engine: Engine, names: Sequence[str]) -> list[str]:
    """Delete the files of `names` that no attachment and no avatar names; returns those
    deleted."""
    with Session(engine) as session:
        used = set(
            session.execute(select(_MEDIA.file_name).where(_MEDIA.file_name.in_(names))).scalars()
        ) | set(
            session.execute(select(_MEDIA.thumb_name).where(_MEDIA.thumb_name.in_(names))).scalars()
        )
        # Link cards keep their pictures in the same store (services/link_cards.py).
        used |= set(
            session.execute(select(_LINK_CARD.image).where(_LINK_CARD.image.in_(names))).scalars()
        )
        # `user.avatar` holds two names with a space between (services/avatars.py). A scan of
        # the avatar column, paid only when files are let go of, never by a page.
        avatars = session.execute(
            select(_USER.avatar).where(or_(*(_USER.avatar.contains(name) for name in names)))
        ).scalars()
        used |= {name for value in avatars if value for name in value.split()}
    store = get_store()
    deleted = []
    for name in names:
        if name in used:
            continue
        try:
            store.delete(name)
            deleted.append(name)
        except (MediaStoreError, OSError):
            log.exception("Could not delete media file %s (it stays until deleted by hand)", name)
    return deleted


def wait_for_deletions() -> None:
    """Tests: let the deletions queued so far finish."""
    _deleter.submit(lambda: None).result(timeout=30)
