"""The edit-profile form, and the avatar field beside it.

A picture is uploaded as soon as it is chosen (Reflex's upload endpoint, with a progress bar), and
the field then shows it as it will be drawn: the cropped square, at a profile's size and at a
card's. Remove goes back to the Gravatar. Either change reaches the user's other open pages
(services/avatars.py publishes USER_CHANGED): their navbar here (`SessionState`), their cards on
everyone's open feeds (state/post_cards.py), this field on their other Edit profile tabs.

The upload endpoint is plain HTTP, reached by the tab's token alone (the browser sends it no
cookie from another port), and the handler then runs with the tab's state as the websocket left
it. The tab token is not a credential (state/session.py), so an upload must also carry the
`upload_ticket` this page put in its own state when it loaded: whoever only found the token (in
a log) cannot read the state without the tab's cookie, and cannot upload either.
"""

from __future__ import annotations

import asyncio

import reflex as rx
from sqlmodel import Session

from microblog.config import get_settings
from microblog.db import run_db
from microblog.i18n import _l, translate, translate_errors
from microblog.live import events as ev
from microblog.live.tabs import Tab
from microblog.routes import EDIT_PROFILE, user_url
from microblog.schemas import UserFace
from microblog.services import avatars, users
from microblog.services.errors import DomainError, Invalid
from microblog.services.text import is_storable
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text
from microblog.state.upload_ticket import new_ticket, same_ticket

AVATAR_UPLOAD_ID = "avatar"


class EditProfileState(PageData, rx.State):
    username: str = ""
    about_me: str = ""
    username_error: str = ""
    about_me_error: str = ""
    email_on_follow: bool = True
    email_on_mention: bool = True
    # The avatar field: the picture as a profile and as a card draw it, whether it is one the
    # user uploaded (Remove shows then), the upload's progress (0-100) and what went wrong.
    avatar_large: str = ""
    avatar_card: str = ""
    has_own_avatar: bool = False
    uploading: bool = False
    upload_progress: int = 0
    avatar_error: str = ""
    avatar_notice: str = ""
    upload_ticket: str = ""

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        user = await run_db(lambda db: users.get_user(db, user_id))
        self.username, self.about_me = user.username, user.about_me or ""
        self.email_on_follow = user.email_on_follow
        self.email_on_mention = user.email_on_mention
        self.username_error = self.about_me_error = ""
        self._show_face(UserFace.of(user))
        self.avatar_error = self.avatar_notice = ""
        self.uploading, self.upload_progress = False, 0
        self.upload_ticket = new_ticket()
        self._set_loaded()

    def _show_face(self, face: UserFace) -> None:
        self.avatar_large, self.avatar_card = face.large, face.card
        self.has_own_avatar = face.uploaded

    @rx.event
    def track_upload(self, ticket: str, progress: dict) -> None:
        """The browser's progress report while the picture is sent. Reports travel over the
        websocket while the upload itself goes over HTTP, so the last ones can arrive after
        the upload was handled: those name a ticket the handler has since replaced, and are
        dropped."""
        if not same_ticket(ticket, self.upload_ticket):
            return
        done = progress.get("progress", 0)
        fraction = (
            float(done) if isinstance(done, int | float) and not isinstance(done, bool) else 0
        )
        self.uploading = True
        self.upload_progress = max(0, min(100, round(fraction * 100)))
        self.avatar_error = self.avatar_notice = ""

    @rx.event
    async def refuse_file(self) -> None:
        """The browser refused the chosen file before sending it (its type or its size)."""
        self.uploading, self.upload_progress = False, 0
        self.avatar_notice = ""
        self.avatar_error = translate(_file_rule(), await language_of(self))

    @rx.event
    @login_required
    async def upload_avatar(self, files: list[rx.UploadFile], ticket: str, *, user_id: int) -> None:
        """Make the chosen picture the user's avatar (services/avatars.py does the work, in a
        worker thread: decoding a picture takes a while)."""
        if not same_ticket(ticket, self.upload_ticket):
            return  # not this page's own upload (see the module's docstring)
        self.upload_ticket = new_ticket()  # one upload per ticket
        lang = await language_of(self)
        if not files:
            # The browser refused the file (too big, not a picture) and sent none: the refusal
            # is `refuse_file`'s to say, whichever of the two events arrives last.
            return
        try:
            if len(files) != 1:
                self.avatar_error = translate(_l("Choose one picture."), lang)
                return
            limit = get_settings().media_max_bytes
            data = await asyncio.to_thread(files[0].file.read, limit + 1)
            user = await run_db(lambda db: avatars.set_avatar(db, user_id=user_id, data=data))
        except DomainError as problem:  # not a picture, too big, the store unreachable
            self.avatar_error = translate(problem.message, lang)
            return
        finally:
            self.uploading, self.upload_progress = False, 0
        face = UserFace.of(user)
        self._show_face(face)
        self.avatar_error = ""
        self.avatar_notice = translate(_l("Your new picture is saved."), lang)
        (await self.get_state(SessionState)).show_face(face)

    @rx.event
    @login_required
    async def remove_avatar(self, *, user_id: int) -> None:
        """Back to the Gravatar (and the initial beneath it)."""
        lang = await language_of(self)
        try:
            user = await run_db(lambda db: avatars.remove_avatar(db, user_id=user_id))
        except DomainError as problem:
            self.avatar_error = translate(problem.message, lang)
            return
        face = UserFace.of(user)
        self._show_face(face)
        self.avatar_error = ""
        self.avatar_notice = translate(_l("Your picture is removed."), lang)
        (await self.get_state(SessionState)).show_face(face)

    async def _on_user_changed(self, face: UserFace | None, _tab: Tab) -> None:
        """The picture changed on another tab: this field shows the new one."""
        user_id = (await self.get_state(SessionState)).user_id
        if face is None or face.user_id != user_id:
            return
        self._show_face(face)

    @rx.event
    async def set_about_me(self, value: str) -> None:
        if problem := await refused_text(self, value):
            self.about_me_error = problem
            return
        self.about_me = value

    @rx.event
    @login_required
    async def submit(self, form: dict, *, user_id: int) -> rx.event.EventSpec | list | None:
        username = str(form.get("username", ""))
        about_me = str(form.get("about_me", ""))
        # A checked box submits "on"; an unchecked one submits nothing.
        email_on_follow = bool(form.get("email_on_follow"))
        self.email_on_follow = email_on_follow
        email_on_mention = bool(form.get("email_on_mention"))
        self.email_on_mention = email_on_mention
        # What was typed stays on the page, unless UTF-8 cannot carry it back (the service
        # refuses it below, with the message beside the field).
        if is_storable(username):
            self.username = username
        if is_storable(about_me):
            self.about_me = about_me
        try:
            user = await run_db(
                lambda db: users.update_profile(
                    db,
                    user_id=user_id,
                    username=username,
                    about_me=about_me,
                    email_on_follow=email_on_follow,
                    email_on_mention=email_on_mention,
                )
            )
        except Invalid as problem:
            errors = translate_errors(problem.errors, await language_of(self))
            self.username_error = errors.get("username", "")
            self.about_me_error = errors.get("about_me", "")
            return None
        self.username_error = self.about_me_error = ""
        (await self.get_state(SessionState)).user_name = user.username
        return [
            rx.toast.success(
                translate(_l("Your changes have been saved."), await language_of(self))
            ),
            rx.redirect(user_url(user.username)),
        ]


def _file_rule() -> str:
    return _l(
        "Choose a JPEG, PNG, WebP or GIF picture of at most %(size)s MB.",
        size=f"{get_settings().media_max_bytes / 1_048_576:g}",
    )


def _face(db: Session, event: ev.LiveEvent, _readers: set[int]) -> UserFace | None:
    """The changed user's face, read once for every tab that draws it."""
    return avatars.user_face(db, user_id=event.author_id)


def _own(_token: str, tab: Tab, event: ev.LiveEvent) -> bool:
    return tab.user_id == event.author_id


# A new picture reaches the user's own tabs: the navbar of each, and this field where it is open.
delivery.subscribe(ev.USER_CHANGED, SessionState, "_on_user_changed", read=_face, concerns=_own)
delivery.subscribe(
    ev.USER_CHANGED,
    EditProfileState,
    "_on_user_changed",
    read=_face,
    concerns=_own,
    where=lambda tab: tab.path == EDIT_PROFILE,
)
