"""The Notifications page's state, called as Reflex calls it: a line that arrives while the page
is open (the live re-read) is in the tab's language, the export-finished line included (it was
English for Spanish and Chinese readers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from microblog.i18n import translate
from microblog.models import User
from microblog.services import notifications
from microblog.state.locale import LocaleState
from microblog.state.notifications import NotificationsState
from tests.tab_state import session_token, tab_state

AddUser = Callable[..., User]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.mark.parametrize("lang", ["es", "zh"])
async def test_the_export_line_arrives_live_in_the_readers_language(
    session: Session, add_user: AddUser, lang: str
) -> None:
    susan = add_user(session, "susan")
    token = session_token(session, susan)
    page = await tab_state(NotificationsState, token=token, path="/notifications")
    (await page.get_state(LocaleState)).lang = lang
    await NotificationsState.load.fn(page)
    assert page.notifications == []

    notifications.notify(session, user_id=susan.id, kind=notifications.EXPORT)
    session.commit()
    await page._on_live_inbox()  # what the INBOX live event runs on the open page

    (line,) = page.notifications
    english = str(notifications.EXPORT_READY)
    assert line.text == translate(notifications.EXPORT_READY, lang)
    assert line.text != english
    assert line.href == "/user/susan"


async def test_each_line_carries_its_message_for_the_browser(
    session: Session, add_user: AddUser
) -> None:
    """The page translates the lines in the browser (so a language switch changes them in
    place): each row carries its msgid and params; an announcement's words carry none."""
    from microblog.services.follows import follow

    susan, john = add_user(session, "susan"), add_user(session, "john")
    follow(session, follower_id=john.id, followed_id=susan.id)
    notifications.notify(session, user_id=susan.id, kind=notifications.EXPORT)
    session.commit()
    page = await tab_state(NotificationsState, token=session_token(session, susan))
    await NotificationsState.load.fn(page)

    export, follower = page.notifications
    assert (export.msgid, export.params) == (notifications.EXPORT_READY.msgid, {})
    assert follower.msgid == "%(username)s started following you."
    assert (follower.plural, follower.params) == ("", {"username": "john"})
