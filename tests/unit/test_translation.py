"""Translating posts through Microsoft Translator v3, against a loopback stand-in that checks the
real request (tests/fake_translator.py) and answers like the real service, failures included."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.i18n import Message, translate
from microblog.services import posts, translation
from microblog.services.translation import (
    MicrosoftTranslator,
    OffTranslator,
    TranslationError,
    translate_post_text,
    translator_from,
)
from tests.fake_translator import KEY, REGION, FakeTranslator, fake_translation


@pytest.fixture
def fake() -> Iterator[FakeTranslator]:
    with FakeTranslator() as server:
        yield server


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    translation.CACHE.clear()
    yield
    translation.CACHE.clear()


def client(fake: FakeTranslator, **overrides: object) -> MicrosoftTranslator:
    options = {"key": KEY, "region": REGION, "endpoint": fake.endpoint, "timeout": 5.0}
    options.update(overrides)
    return MicrosoftTranslator(**options)  # type: ignore[arg-type]


def test_sends_the_real_v3_request_and_reads_the_answer(fake: FakeTranslator) -> None:
    text = client(fake).translate("Hola, ¿qué tal?", to="en", source="es")

    assert text == fake_translation("Hola, ¿qué tal?", "en")
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/translate")
    assert request.query == {"api-version": ["3.0"], "to": ["en"], "from": ["es"]}
    assert request.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert request.headers["Ocp-Apim-Subscription-Region"] == REGION
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["X-ClientTraceId"]
    assert request.body == [{"Text": "Hola, ¿qué tal?"}]


def test_chinese_is_asked_for_as_simplified_chinese(fake: FakeTranslator) -> None:
    assert client(fake).translate("Good morning", to="zh") == fake_translation(
        "Good morning", "zh-Hans"
    )
    assert fake.requests[0].query["to"] == ["zh-Hans"]
    assert "from" not in fake.requests[0].query  # unknown source: the service detects it


def test_no_region_header_for_a_global_resource(fake: FakeTranslator) -> None:
    fake.region = ""
    client(fake, region="").translate("Hola amigos", to="en")
    assert "Ocp-Apim-Subscription-Region" not in fake.requests[0].headers


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "Translation is not available right now."),
        (429, "Too many translations requested. Please try again in a minute."),
        (500, "The translation service is unavailable. Please try again later."),
        (503, "The translation service is unavailable. Please try again later."),
    ],
)
def test_error_statuses_become_messages_the_reader_can_act_on(
    fake: FakeTranslator, status: int, expected: str
) -> None:
    fake.failure = status
    with pytest.raises(TranslationError) as caught:
        client(fake).translate("Hola amigos", to="en")
    assert caught.value.message == expected
    assert isinstance(caught.value.message, Message)  # and it can be shown in Spanish
    assert translate(caught.value.message, "es") != expected


def test_a_wrong_key_is_refused_by_the_service(fake: FakeTranslator) -> None:
    with pytest.raises(TranslationError, match="not available right now"):
        client(fake, key="wrong").translate("Hola amigos", to="en")


def test_a_service_that_does_not_answer_in_time_times_out(fake: FakeTranslator) -> None:
    fake.failure = "hang"
    with pytest.raises(TranslationError, match="did not answer in time"):
        client(fake, timeout=0.3).translate("Hola amigos", to="en")


def test_an_unreachable_service_is_reported_as_unavailable(fake: FakeTranslator) -> None:
    endpoint = fake.endpoint
    fake.__exit__()
    with pytest.raises(TranslationError, match="unavailable"):
        client(fake, endpoint=endpoint, timeout=1.0).translate("Hola amigos", to="en")


def test_translations_are_cached_per_post_body_and_language(fake: FakeTranslator) -> None:
    translator = client(fake)
    first = translate_post_text(post_id=7, body="Hola amigos", to="en", translator=translator)
    again = translate_post_text(post_id=7, body="Hola amigos", to="en", translator=translator)
    assert first == again
    assert len(fake.requests) == 1
    translate_post_text(post_id=7, body="Hola amigos", to="zh", translator=translator)
    translate_post_text(post_id=7, body="Hola a todos", to="en", translator=translator)
    assert len(fake.requests) == 3  # another language, an edited body: asked again


def test_failures_are_not_cached(fake: FakeTranslator) -> None:
    fake.failure = 503
    with pytest.raises(TranslationError):
        translate_post_text(post_id=1, body="Hola amigos", to="en", translator=client(fake))
    fake.failure = None
    assert translate_post_text(
        post_id=1, body="Hola amigos", to="en", translator=client(fake)
    ) == fake_translation("Hola amigos", "en")


def test_the_adapter_is_off_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MS_TRANSLATOR_KEY", raising=False)
    get_settings.cache_clear()
    try:
        adapter = translator_from(get_settings())
    finally:
        get_settings.cache_clear()
    assert isinstance(adapter, OffTranslator)
    assert adapter.enabled is False
    with pytest.raises(TranslationError):
        adapter.translate("Hola", to="en")


def test_the_adapter_is_microsoft_with_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_TRANSLATOR_KEY", "k")
    monkeypatch.setenv("MS_TRANSLATOR_REGION", "westeurope")
    monkeypatch.setenv("MS_TRANSLATOR_ENDPOINT", "http://127.0.0.1:9/")
    get_settings.cache_clear()
    try:
        adapter = translator_from(get_settings())
    finally:
        get_settings.cache_clear()
    assert adapter == MicrosoftTranslator(
        key="k", region="westeurope", endpoint="http://127.0.0.1:9", timeout=5.0
    )


def test_a_post_is_read_for_translation_with_its_detected_language(
    session: Session, make_user: Callable
) -> None:
    author = make_user(session, "maria")
    post = posts.create_post(
        session, author_id=author.id, body="Hoy hace un día precioso en Madrid, ¿verdad?"
    )
    session.commit()
    assert translation.post_for_translation(session, post_id=post.id) == (post.body, "es")
