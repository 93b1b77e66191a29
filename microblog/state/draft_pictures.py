"""The pictures of a post being written, whichever box writes it: the home page's compose box,
a thread's reply box, a card's edit box. Upload them as they are picked, dropped or pasted,
describe them (alt text), remove them, and hand their ids to the post. The rules are
services/media/'s; this keeps only what a box shows.

`DraftPictures` is a state *mixin*: each box has its own small concrete state
(state/compose_media.py), so each has its own vars in the tab's state tree. A subclass of a
concrete state would be a substate sharing its parent's vars: two boxes on one page (the thread's
reply box and an open edit box) would then show the same pictures.

Each picture is uploaded at once (rx.upload, over HTTP with the tab's token and the box's
one-use ticket: state/upload_ticket.py), checked and re-encoded on a worker thread, and stored
unattached; the post then takes them. An upload never posted is deleted by the hourly clean-up
(jobs.py). The text the person typed lives in the page's state and is never touched here.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import _l, _ln, translate
from microblog.models import MEDIA_ALT_MAX, MediaAttachment, row_id
from microblog.schemas import MediaRow
from microblog.services.errors import DomainError
from microblog.services.media import attachments
from microblog.services.media.images import placeholder_data_url
from microblog.services.media.store import get_store
from microblog.services.text import is_storable
from microblog.state.locale import language_of
from microblog.state.session import login_required
from microblog.state.upload_ticket import new_ticket, same_ticket

LATE_PROGRESS_SECONDS = 2.0


@dataclass(frozen=True)
class DraftPicture:
    """A picture waiting in a box: its thumbnail and the alt text being written."""

    id: int
    preview_url: str
    placeholder: str
    description: str = ""


class DraftPictures(rx.State, mixin=True):
    # The id of the box's rx.upload (its drop zone): one per box, so that a drop, a paste or
    # "Add pictures" reaches the box it was made in when a page has several.
    upload_id: ClassVar[str] = ""

    pictures: list[DraftPicture] = []
    uploading: bool = False
    progress: int = 0
    media_error: str = ""
    upload_ticket: str = ""
    _handled_at: float = 0.0

    def issue_ticket(self) -> None:
        """A new ticket for the next upload (the box's page does this when it loads or the
        box opens)."""
        self.upload_ticket = new_ticket()

    @rx.var
    def can_add(self) -> bool:
        return not self.uploading and len(self.pictures) < get_settings().media_per_post

    @rx.var
    def max_bytes(self) -> int:
        return get_settings().media_max_bytes

    @rx.event
    def upload_progress(self, progress: dict) -> None:
        """Reflex's upload progress (`progress` from 0 to 1) as a percentage. Progress comes
        over the websocket while the upload itself arrives over HTTP, so a last report can
        come after the upload was handled: one that soon after it is not a new upload."""
        value = progress.get("progress")
        if not isinstance(value, int | float):
            return
        if value < 1 and time.monotonic() - self._handled_at < LATE_PROGRESS_SECONDS:
            return
        self.uploading = value < 1
        self.progress = max(0, min(100, round(value * 100)))

    @rx.event
    @login_required
    async def upload_pictures(
        self, files: list[rx.UploadFile], ticket: str, *, user_id: int
    ) -> None:
        """The picked, dropped or pasted files: each checked, re-encoded and stored, or
        refused with a message; never more than MEDIA_PER_POST in the box. Only this box's
        own upload, carrying its ticket, is taken."""
        if not same_ticket(ticket, self.upload_ticket):
            return
        self.upload_ticket = new_ticket()  # one upload per ticket
        settings = get_settings()
        lang = await language_of(self)
        room = settings.media_per_post - len(self.pictures)
        self.media_error = ""
        if len(files) > room:
            self.media_error = translate(
                _ln(
                    "A post can have at most %(num)d picture.",
                    "A post can have at most %(num)d pictures.",
                    settings.media_per_post,
                ),
                lang,
            )
            files = files[: max(room, 0)]
        for file in files:
            data = await file.read(settings.media_max_bytes + 1)
            upload: Callable[[Session], MediaAttachment] = partial(
                attachments.upload_media, user_id=user_id, data=data, filename=file.filename or ""
            )
            try:
                row = await run_db(upload)
            except DomainError as problem:
                self.media_error = translate(problem.message, lang)
                continue
            except attachments.MediaUnavailable:
                self.media_error = translate(
                    _l("Pictures cannot be stored right now. Please try again later."), lang
                )
                continue
            store = get_store()
            self.pictures = [
                *self.pictures,
                DraftPicture(
                    id=row_id(row),
                    preview_url=store.url(row.thumb_name),
                    placeholder=placeholder_data_url(
                        row.blurhash, row.thumb_width, row.thumb_height
                    ),
                ),
            ]
        self.uploading = False
        self.progress = 0
        self._handled_at = time.monotonic()

    @rx.event
    def set_description(self, media_id: int, text: str) -> None:
        """The alt text as it is typed; saved with the post."""
        if not is_storable(text):
            return
        self.pictures = [
            replace(p, description=text[:MEDIA_ALT_MAX]) if p.id == media_id else p
            for p in self.pictures
        ]

    @rx.event
    @login_required
    async def remove_picture(self, media_id: int, *, user_id: int) -> None:
        """Out of the box. A new upload is discarded at once; a picture already on the post
        (the edit box) stays on it until the post is saved without it."""
        self.pictures = [p for p in self.pictures if p.id != media_id]
        self.media_error = ""
        await self._discard(user_id, [media_id])

    @rx.event
    async def refused_files(self, rejected: list[dict]) -> None:
        """Files the picker refused before uploading anything (react-dropzone's codes: too
        big for MEDIA_MAX_BYTES, not an image type, too many): the server's words for each."""
        settings = get_settings()
        codes = {
            str(error.get("code", ""))
            for item in rejected
            for error in (item.get("errors") or [])
            if isinstance(error, dict)
        }
        if "too-many-files" in codes:
            message = _ln(
                "A post can have at most %(num)d picture.",
                "A post can have at most %(num)d pictures.",
                settings.media_per_post,
            )
        elif "file-too-large" in codes:
            size = f"{settings.media_max_bytes / 1_048_576:g}"
            message = _l("The picture is too big (at most %(size)s MB).", size=size)
        else:
            message = _l("This file is not a picture we take: JPEG, PNG, WebP or GIF only.")
        self.media_error = translate(message, await language_of(self))

    def chosen(self) -> tuple[list[int], dict[int, str]]:
        """The ids to post, in order, and their alt texts."""
        return [p.id for p in self.pictures], {p.id: p.description for p in self.pictures}

    def clear(self) -> None:
        self.pictures = []
        self.media_error = ""
        self.uploading = False
        self.progress = 0

    def _show(self, rows: Iterable[MediaRow]) -> None:
        """Start from these pictures (a post's, as its card has them)."""
        self.clear()
        self.pictures = [
            DraftPicture(
                id=row.id,
                preview_url=row.preview_url,
                placeholder=row.placeholder,
                description=row.description,
            )
            for row in rows
        ]

    async def _discard(self, user_id: int, media_ids: list[int]) -> None:
        """Delete those of these that are `user_id`'s uploads on no post; a picture on a post
        stays, and one already gone (another tab posted it) is nothing to show."""
        if media_ids:
            with contextlib.suppress(DomainError):
                await run_db(
                    lambda db: attachments.discard_uploads(db, user_id=user_id, media_ids=media_ids)
                )

    async def _give_up(self, user_id: int) -> None:
        """The draft is abandoned (an edit cancelled, another post opened): its new uploads go
        now rather than with the hourly clean-up; the box is emptied."""
        ids = [p.id for p in self.pictures]
        self.clear()
        await self._discard(user_id, ids)
