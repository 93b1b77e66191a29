"""Languages in the browser: switching to Spanish and to Chinese changes the page in place (no
reload) — navbar, a form error from the server, a plural, a relative time — and is remembered;
the Translate link replaces a post's text in place and back, against the loopback stand-in for
Microsoft Translator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from microblog.config import get_settings
from microblog.db import make_engine
from microblog.models import Post, User, utcnow
from microblog.services.post_body import render_body
from tests.e2e.actions import log_in, new_name, register
from tests.e2e.conftest import NewPage, RunningApp
from tests.fake_translator import FakeTranslator, fake_translation

pytestmark = pytest.mark.browser


def _backdated_post(live_app: RunningApp, username: str, body: str, minutes: int) -> None:
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            user = db.exec(select(User).where(User.username == username)).one()
            when = utcnow() - timedelta(minutes=minutes)
            html = render_body(db, body).html  # as every post is stored
            db.add(Post(body=body, body_html=html, user_id=user.id, timestamp=when, language="en"))
            db.commit()
    finally:
        engine.dispose()


def _saved_language(live_app: RunningApp, username: str) -> str | None:
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            return db.exec(select(User.language).where(User.username == username)).one()
    finally:
        engine.dispose()


def post(page: Page, text: str) -> None:
    page.get_by_label("Say something").fill(text)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator(".post").first).to_contain_text(text)


def _expect_hover_title(page: Page, post: Locator, lang: str) -> None:
    """Hovering a relative time shows its date and time in the reader's language and the
    browser's time zone, in a tooltip that describes the time (written when it shows)."""
    page.locator(".chars-left").hover()  # from elsewhere, so the pointer enters again
    stamp = post.locator(".relative-time")
    stamp.hover()
    expected = page.evaluate(
        "([iso, lang]) => new Date(iso).toLocaleString(lang, "
        "{dateStyle: 'long', timeStyle: 'short'})",
        [stamp.get_attribute("datetime"), lang],
    )
    expect(page.get_by_role("tooltip")).to_have_text(expected)
    expect(stamp).to_have_accessible_description(expected)


def _switch(page: Page, lang: str) -> None:
    page.locator("#language-switcher").select_option(lang)


def test_switching_language_changes_the_page_in_place(
    new_page: NewPage, live_app: RunningApp
) -> None:
    name = new_name("lang")
    page = new_page()
    register(page, name)
    log_in(page, name)
    expect(page.get_by_role("heading", name=f"Hi, {name}!")).to_be_visible()
    _backdated_post(live_app, name, "An older post, three minutes old", minutes=3)
    page.goto("/")
    old_post = page.locator(".post", has_text="An older post")
    expect(old_post.locator(".relative-time")).to_have_text("3 minutes ago")
    _expect_hover_title(page, old_post, "en")
    expect(page.locator(".chars-left")).to_have_text("500 characters left")
    page.evaluate("window.__not_reloaded = true")

    expect(page).to_have_title("Home · Microblog")
    _switch(page, "es")
    expect(page.get_by_role("link", name="Explorar", exact=True)).to_be_visible()
    expect(page).to_have_title("Inicio · Microblog")  # the tab's title follows too
    expect(page.get_by_role("link", name="Inicio", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=f"¡Hola, {name}!")).to_be_visible()
    expect(old_post.locator(".relative-time")).to_have_text("hace 3 minutos")
    _expect_hover_title(page, old_post, "es")
    expect(page.locator(".chars-left")).to_have_text("Quedan 500 caracteres")
    page.get_by_label("Di algo").fill("x" * (get_settings().post_max_length - 1))
    expect(page.locator(".chars-left")).to_have_text("Queda 1 carácter")
    page.get_by_label("Di algo").fill("")
    page.get_by_role("button", name="Publicar", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Escribe algo primero.")

    _switch(page, "zh")
    expect(page.get_by_role("link", name="发现", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="首页", exact=True)).to_be_visible()
    expect(old_post.locator(".relative-time")).to_have_text("3分钟前")
    expect(page.locator(".chars-left")).to_have_text("还可输入 500 个字")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("请先写点什么。")
    assert page.evaluate("window.__not_reloaded") is True, "switching must not reload the page"

    # Remembered for this browser, and in the profile.
    page.reload()
    expect(page.get_by_role("link", name="发现", exact=True)).to_be_visible()
    assert _saved_language(live_app, name) == "zh"
    other_browser = new_page()
    other_browser.goto("/login")
    log_in(other_browser, name)
    expect(other_browser.get_by_role("heading", name=f"你好，{name}！")).to_be_visible()  # noqa: RUF001


def test_first_visit_follows_accept_language(new_page: NewPage, live_app: RunningApp) -> None:
    page = new_page()
    page.context.set_extra_http_headers({"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    page.goto("/login")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    expect(page.get_by_role("link", name="¡Haz clic aquí para registrarte!")).to_be_visible()


def test_translate_link_replaces_the_text_in_place_and_back(
    new_page: NewPage, live_app: RunningApp, app_translator: FakeTranslator
) -> None:
    writer, reader = new_name("escritor"), new_name("reader")
    page_w, page_r = new_page(), new_page()
    register(page_w, writer)
    log_in(page_w, writer)
    spanish = f"Hola a todos, hoy escribo mi primera publicación aquí {writer}."
    broken = f"Mañana vamos a la playa con mis amigos si no llueve {writer}."
    english = f"This post is written in English, so it needs no translation {writer}."
    post(page_w, spanish)
    post(page_w, broken)
    post(page_w, english)

    # A visitor is not offered Translate (each translation spends the operator's quota).
    visitor = new_page()
    visitor.goto(f"/user/{writer}")
    expect(visitor.locator(".post", has_text=spanish)).to_be_visible()
    expect(visitor.locator(".post-body").first).to_be_visible()
    expect(visitor.get_by_role("button", name="Translate")).to_have_count(0)

    register(page_r, reader)
    log_in(page_r, reader)
    # Signed in before going on: Translate is offered only to signed-in readers.
    expect(page_r.get_by_role("link", name="Log out")).to_be_visible()
    page_r.goto(f"/user/{writer}")
    card = page_r.locator(".post", has_text=spanish)
    expect(card.get_by_role("button", name="Translate")).to_be_visible()
    english_card = page_r.locator(".post", has_text=english)
    expect(english_card.get_by_role("button", name="Like")).to_be_visible()  # the card is live
    expect(english_card.get_by_role("button", name="Translate")).to_have_count(0)

    card.get_by_role("button", name="Translate").click()
    expect(card.locator(".post-body")).to_have_text(fake_translation(spanish, "en"))
    request = app_translator.requests[-1]
    assert request.query["to"] == ["en"] and request.query["from"] == ["es"]
    assert request.body == [{"Text": spanish}]
    card.get_by_role("button", name="Show original").click()
    expect(card.locator(".post-body")).to_have_text(spanish)

    # A failing service: the error shows beside the post, the page goes on.
    app_translator.failure = 503
    try:
        failing = page_r.locator(".post", has_text=broken)
        failing.get_by_role("button", name="Translate").click()
        expect(failing.get_by_role("alert")).to_have_text(
            "The translation service is unavailable. Please try again later."
        )
        expect(failing.locator(".post-body")).to_have_text(broken)
    finally:
        app_translator.failure = None

    # In Chinese, the link is translated and the translation asked for in Chinese.
    _switch(page_r, "zh")
    card.get_by_role("button", name="翻译").click()
    expect(card.locator(".post-body")).to_have_text(fake_translation(spanish, "zh-Hans"))
