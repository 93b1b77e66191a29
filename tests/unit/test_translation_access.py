"""Who may spend the translator's quota: the Translate handler, called as Reflex calls it, against
the loopback stand-in for Microsoft Translator (tests/fake_translator.py), on SQLite and
PostgreSQL. A visitor (a tab without a session, such as a crafted websocket event) gets a
message and no request is sent; a signed-in reader's calls are limited per user
(TRANSLATE_RATE_LIMIT), cached translations free; one reader's limit is not another's.

Before, the handler never looked at the session: anyone could translate any post, as often as
they liked, on the operator's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.i18n import translate
from microblog.models import User
from microblog.services import posts, translation
from microblog.services.auth_sessions import end_all_sessions
from microblog.state.locale import LocaleState
from microblog.state.translation import LOG_IN_TO_TRANSLATE, TranslationState
from tests.fake_translator import KEY, REGION, FakeTranslator, fake_translation
from tests.tab_state import session_token, tab_state

MakeUser = Callable[..., User]
SPANISH = [
    "Hoy hace un día precioso en Madrid, ¿verdad que sí?",
    "Mañana vamos a la playa con mis amigos si no llueve.",
    "Me encanta leer novelas por la noche antes de dormir.",
]
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTranslator]:
    """The stand-in as the app's translator, and a limit of two translations an hour."""
    monkeypatch.setenv("TRANSLATE_RATE_LIMIT", "2/3600")
    get_settings.cache_clear()
    translation.CACHE.clear()
    with FakeTranslator() as server:
        monkeypatch.setattr(
            translation,
            "_translator",
            translation.MicrosoftTranslator(key=KEY, region=REGION, endpoint=server.endpoint),
        )
        yield server
    translation.CACHE.clear()
    get_settings.cache_clear()


def _spanish_posts(session: Session, make_user: MakeUser) -> list[int]:
    maria = make_user(session, "maria")
    ids = [posts.create_post(session, author_id=maria.id, body=body).id for body in SPANISH]
    session.commit()
    return ids


async def _tab(session: Session, user: User | None) -> TranslationState:
    token = session_token(session, user) if user else ""
    return await tab_state(TranslationState, token=token, path="/explore")


async def _translate(state: TranslationState, post_id: int) -> None:
    await TranslationState.translate_post.fn(state, post_id)


async def test_a_visitor_cannot_translate(
    session: Session, make_user: MakeUser, fake: FakeTranslator
) -> None:
    [post_id, *_] = _spanish_posts(session, make_user)
    state = await _tab(session, None)
    assert state.enabled  # a key is configured: only the session stands in the way
    await _translate(state, post_id)
    assert state.errors == {str(post_id): LOG_IN_TO_TRANSLATE}
    assert state.translations == {} and state.pending == {}
    assert fake.requests == []


async def test_the_message_is_in_the_visitors_language(
    session: Session, make_user: MakeUser, fake: FakeTranslator
) -> None:
    [post_id, *_] = _spanish_posts(session, make_user)
    state = await _tab(session, None)
    (await state.get_state(LocaleState)).lang = "zh"
    await _translate(state, post_id)
    chinese = translate(LOG_IN_TO_TRANSLATE, "zh")
    assert chinese != LOG_IN_TO_TRANSLATE
    assert state.errors[str(post_id)] == chinese


async def test_a_signed_in_reader_is_limited_per_user_and_the_cache_is_free(
    session: Session, make_user: MakeUser, fake: FakeTranslator
) -> None:
    first, second, third = _spanish_posts(session, make_user)
    john, susan = make_user(session, "john"), make_user(session, "susan")
    session.commit()
    tab = await _tab(session, john)
    await _translate(tab, first)
    await _translate(tab, second)
    assert tab.translations == {
        str(first): fake_translation(SPANISH[0], "en"),
        str(second): fake_translation(SPANISH[1], "en"),
    }
    assert len(fake.requests) == 2

    await _translate(tab, third)  # the third call within the hour
    message = tab.errors[str(third)]
    assert message.startswith("You have translated many posts. Try again in ")
    assert message.endswith(" minutes.")
    assert str(third) not in tab.translations and tab.pending == {}
    assert len(fake.requests) == 2  # nothing was sent

    # Already translated: served from the server's cache, free even over the limit.
    TranslationState.show_original.fn(tab, first)
    await _translate(tab, first)
    assert tab.translations[str(first)] == fake_translation(SPANISH[0], "en")
    assert len(fake.requests) == 2

    # Another reader has a limit of their own.
    other = await _tab(session, susan)
    await _translate(other, third)
    assert other.translations == {str(third): fake_translation(SPANISH[2], "en")}
    assert len(fake.requests) == 3


async def test_a_tab_whose_session_ended_cannot_translate(
    session: Session, make_user: MakeUser, fake: FakeTranslator
) -> None:
    """The session is checked at each request, not remembered from the page load."""
    [post_id, *_] = _spanish_posts(session, make_user)
    john = make_user(session, "john")
    session.commit()
    tab = await _tab(session, john)
    end_all_sessions(session, user_id=john.id)
    session.commit()
    await _translate(tab, post_id)
    assert tab.errors == {str(post_id): LOG_IN_TO_TRANSLATE}
    assert fake.requests == []
