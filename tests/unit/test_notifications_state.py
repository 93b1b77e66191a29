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
