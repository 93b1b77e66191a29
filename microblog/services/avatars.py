"""Uploaded avatars: a user's own picture, cropped to a square and re-encoded, in the two sizes
the pages draw, kept in the media store; and how a user is drawn (`user_face`).

Gravatar stays the picture of anyone who has not uploaded one (schemas.avatar_url is the rule),
and the pages draw the user's initial under either, which shows when neither loads.

Sizes, measured: a 256-pixel WebP of a photo is 8-20 KB, a 96-pixel one 2-4 KB. A profile
(80 px on screen, up to 3x on a phone) and the user card take the large file; the cards, lists
and navbar (24-48 px, 2x) the small one, so a feed of 25 authors costs 50-100 KB of faces rather
than 200-500 KB.

`User.avatar` holds the two files' names (the large, a space, the small). Names are content
hashes (services/media/store.py): the same picture uploaded by two people is one pair of files,
so an old picture's files are deleted only when nobody else's avatar names them, and only once
the change has committed (a rolled-back change still has its files).
"""

from __future__ import annotations

import logging

from sqlalchemy import func
from sqlmodel import Session, col, select

from microblog.after_commit import defer
from microblog.i18n import _l
from microblog.live import events as ev
from microblog.models import User
from microblog.schemas import UserFace
from microblog.services.errors import Unavailable
from microblog.services.media.images import SquareImage, process_square
from microblog.services.media.store import MediaStoreError, content_name, get_store
from microblog.services.users import get_user

log = logging.getLogger(__name__)

LARGE, SMALL = 256, 96
AVATAR_SIZES = (LARGE, SMALL)


def user_face(session: Session, *, user_id: int) -> UserFace | None:
    """How the user is drawn now (None: there is no such user any more)."""
    user = session.get(User, user_id)
    return UserFace.of(user) if user is not None else None


def set_avatar(session: Session, *, user_id: int, data: bytes) -> User:
    """Make `data` (an uploaded file) the user's avatar: checked and cleaned as every upload is
    (services/media/images.py: not a picture, too big, too many pixels are `Invalid`, with the
    field "file"), centre-cropped to a square, written at `AVATAR_SIZES` and stored; the old
    picture's files go once this commits. Raises `Unavailable` when the store fails.
    Blocking (decoding, the store): call it from a worker thread, as `run_db` does."""
    user = get_user(session, user_id)
    pictures = process_square(data, sizes=AVATAR_SIZES)
    names = [_stored(picture) for picture in pictures]
    old = user.avatar
    user.avatar = " ".join(names)
    session.add(user)
    session.flush()
    _forget(session, old, keep=set(names), user_id=user_id)
    ev.publish_after_commit(session, ev.user_changed(user_id))
    return user


def remove_avatar(session: Session, *, user_id: int) -> User:
    """Back to the Gravatar; the picture's files go once this commits. Removing nothing is
    not an error (another tab may have removed it first)."""
    user = get_user(session, user_id)
    old = user.avatar
    if old is None:
        return user
    user.avatar = None
    session.add(user)
    session.flush()
    _forget(session, old, keep=set(), user_id=user_id)
    ev.publish_after_commit(session, ev.user_changed(user_id))
    return user


def _stored(picture: SquareImage) -> str:
    name = content_name(picture.data, picture.extension)
    try:
        get_store().put(name, picture.data, picture.content_type)
    except MediaStoreError as problem:
        log.warning("Avatar not stored: %s", problem)
        raise Unavailable(
            _l("Pictures cannot be saved right now. Please try again in a moment.")
        ) from None
    return name


def _forget(session: Session, old: str | None, *, keep: set[str], user_id: int) -> None:
    """Delete the files of the user's previous picture after the commit, but those another
    user's avatar still names, or the new picture (the same file again)."""
    if not old:
        return
    gone = [name for name in old.split() if name not in keep]
    unused = [name for name in gone if not _named_by_another(session, name, user_id=user_id)]
    if unused:
        defer(session, lambda: _delete(unused))


def _named_by_another(session: Session, name: str, *, user_id: int) -> bool:
    """Whether another user's avatar names this file: a scan of the avatar column, which only
    an avatar change pays (rarely, and never a page)."""
    found = session.exec(
        select(func.count())
        .select_from(User)
        .where(col(User.avatar).contains(name), col(User.id) != user_id)
    ).one()
    return bool(found)


def _delete(names: list[str]) -> None:
    """After the commit: a file that cannot be deleted now stays, unnamed (logged)."""
    store = get_store()
    for name in names:
        try:
            store.delete(name)
        except MediaStoreError as problem:
            log.warning("Old avatar file %s not deleted: %s", name, problem)
