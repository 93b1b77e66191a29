"""The production build, which only it prerenders pages: every profile address is answered with
the one prerendered profile page (microblog/profile_skeleton.py), and React must hydrate it into
that user's profile without a mismatch, as it hydrates the feeds' own pages."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from microblog.app_server import AppDidNotStart, free_port, serve_app
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import RunningApp, _migrate

pytestmark = pytest.mark.browser

PROFILE_ROUTE = "routes/[user].$[username]._index"


@pytest.fixture(scope="module")
def prod_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    work = tmp_path_factory.mktemp("prod")
    port = free_port()
    database_url = f"sqlite:///{work / 'prod.db'}"
    _migrate(database_url)
    try:
        with serve_app(
            database_url=database_url,
            frontend_port=port,
            backend_port=port,
            work_dir=work,
            env_mode="prod",
            extra_env={
                "MICROBLOG_ENV": "production",
                "SECRET_KEY": secrets.token_urlsafe(48),
            },
        ) as server:
            yield RunningApp(
                frontend=server.frontend,
                backend=server.backend,
                database_url=database_url,
                cookie_name=f"microblog_session_{port}",
            )
    except AppDidNotStart as problem:
        pytest.fail(str(problem))


def _page(browser: Browser, app: RunningApp, errors: list[str]) -> Page:
    context = browser.new_context(base_url=app.frontend)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Gravatar is unreachable here (the browser's resolver refuses it): not the page's fault.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "ERR_NAME_NOT_RESOLVED" not in message.text
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return page


def test_a_profile_is_hydrated_from_the_prerendered_profile_page(
    browser: Browser, prod_app: RunningApp
) -> None:
    errors: list[str] = []
    alice, bob = new_name("alice"), new_name("bob")
    bob_says = f"bob speaks {secrets.token_hex(3)}"
    post(signed_up(_page(browser, prod_app, errors), bob), bob_says)
    page = signed_up(_page(browser, prod_app, errors), alice)

    # The document for Bob's address is the one prerendered profile page: no name in it.
    document = page.request.get(f"/user/{bob}").text()
    assert PROFILE_ROUTE in document
    assert bob not in document

    page.goto(f"/user/{bob}?tab=posts")
    expect(page.locator(".profile-username")).to_have_text(bob)
    expect(page.locator(".post", has_text=bob_says)).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()  # hydrated: it responds
    expect(page.get_by_role("button", name="Unfollow")).to_be_visible()
    expect(page.locator(".followers-count")).to_have_text("1")

    page.goto(f"/user/{alice}")  # another full load of the same page
    expect(page.locator(".profile-username")).to_have_text(alice)
    expect(page).to_have_url(re.compile(rf"/user/{alice}$"))
    assert errors == [], f"errors in the page (a hydration mismatch?): {errors}"
