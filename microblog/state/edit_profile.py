"""The edit-profile form."""

from __future__ import annotations

import reflex as rx

from microblog.db import run_db
from microblog.i18n import _l, translate, translate_errors
from microblog.routes import user_url
from microblog.services import users
from microblog.services.errors import Invalid
from microblog.services.text import is_storable
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required
from microblog.state.text_input import refused_text


class EditProfileState(PageData, rx.State):
    username: str = ""
    about_me: str = ""
    username_error: str = ""
    about_me_error: str = ""
    email_on_follow: bool = True
    email_on_mention: bool = True

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        user = await run_db(lambda db: users.get_user(db, user_id))
        self.username, self.about_me = user.username, user.about_me or ""
        self.email_on_follow = user.email_on_follow
        self.email_on_mention = user.email_on_mention
        self.username_error = self.about_me_error = ""
        self._set_loaded()

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
