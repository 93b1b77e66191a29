"""Uploaded avatars: a user's own picture, cropped to a square and re-encoded, in the two sizes
the pages draw, kept in the media store; and how a user is drawn (`user_face`).

Gravatar stays the picture of anyone who has not uploaded one (schemas.avatar_url is the rule),
and the pages draw the user's initial under either, which shows when neither loads.

Two sizes, because faces are drawn small many times over: a profile (80 px on screen, up to 3x
on a phone) and the user card take the 256-pixel file; the cards, lists and navbar (24-48 px,
2x) the 96-pixel one. Measured on a photo-like textured picture (WebP, quality 85): 7.6 KB
against 1.9 KB, so a page of 25 authors' cards loads about 47 KB of faces instead of 190 KB
(docs/media.md, "Avatars").

`User.avatar` holds the two files' names (the large, a space, the small). Names are content
hashes (services/media/store.py): the same picture uploaded by two people is one pair of files,
so an old picture's files are deleted only when no row names them any more (another avatar, a
post's picture), and only once the change has committed (a rolled-back change still has its
files): services/media/attachments.py's `forget_files_after_commit`, one rule for every file.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from microblog.i18n import _l
from microblog.live import events as ev
from microblog.models import User
from microblog.schemas import UserFace
from microblog.services.errors import Unavailable
from microblog.services.media.attachments import forget_files_after_commit
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
    _forget(session, old)
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
    _forget(session, old)
    ev.publish_after_commit(session, ev.user_changed(user_id))
    return user


def _stored(picture: SquareImage) -> str:
    name = content_name(picture.data, picture.extension)
    try:
        get_store().put(name, picture.data, picture.content_type)
    except MediaStoreError as problem:
        log.warning("Avatar not stored: %s", problem)
        raise Unavailable(
            _l("Pictures cannot be stored right now. Please try again later.")
        ) from None
    return name


def _forget(session: Session, old: str | None) -> None:
    """The previous picture's files go once this commits, unless a row still names them (another
    user's avatar, a post's picture: services/media/attachments.py decides, for every file)."""
    if old:
        forget_files_after_commit(session, [tuple(old.split())])
