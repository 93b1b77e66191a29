"""Signing in from a real Mastodon client we did not write (Mastodon.py): it registers an app on
our backend, sends the user through our consent page in Chromium (logging in first), trades
the code for a token and reads the account and the server. The token shows on Authorized apps,
where Revoke ends it at once; a redirect-URI app gets its code and state back, or
`access_denied`. Then the consent page and the list as people see them: screenshots at both
sizes, en and zh, light and dark, with axe.

Screenshots go to `SCREENSHOT_DIR` when it is set (to look at), else to the temp folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from mastodon import Mastodon, MastodonIllegalArgumentError, MastodonUnauthorizedError
from playwright.sync_api import Page, Route, expect

from tests.e2e.actions import PASSWORD, log_in, new_name, register
from tests.e2e.conftest import NewPage, RunningApp

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "h24-oauth"
SIZES = ((1280, 800), (390, 844))
CALLBACK = "http://127.0.0.1:9/callback"  # nothing listens: the test answers for it


def _client(live_app: RunningApp, name: str = "Mastodon.py test") -> Mastodon:
    client_id, client_secret = Mastodon.create_app(
        name,
        scopes=["read", "write"],
        redirect_uris=["urn:ietf:wg:oauth:2.0:oob", CALLBACK],
        website="https://example.com/client",
        api_base_url=live_app.backend,
    )
    return Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=live_app.backend)


def _registered(page: Page) -> str:
    name = new_name("mast")
    register(page, name)  # ends on /login, signed out
    return name


def _through_login(page: Page, url: str, name: str) -> None:
    """Open the client's authorization URL; the consent page asks to log in first."""
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/login\?next="))
    log_in(page, name)
    expect(page.locator("#consent-app")).to_be_visible()


def test_mastodon_py_signs_in_through_the_consent_page(
    new_page: NewPage, live_app: RunningApp
) -> None:
    page = new_page()
    name = _registered(page)
    client = _client(live_app)
    url = client.auth_request_url(scopes=["read"])
    assert url.startswith(f"{live_app.backend}/oauth/authorize?")
    _through_login(page, url, name)
    expect(page.locator("#consent-app")).to_contain_text("Mastodon.py test")
    expect(page.locator("#consent-scopes")).to_contain_text("Read all your account's data")
    page.get_by_role("button", name="Authorize").click()
    code = page.locator("#consent-code")
    expect(code).to_be_visible()
    token = client.log_in(code=code.inner_text().strip(), scopes=["read"])
    assert token
    me = client.account_verify_credentials()
    assert me["username"] == name and me["source"] is not None
    instance = client.instance()
    assert instance["configuration"]["statuses"]["max_characters"] == 500
    # The same code twice: refused.
    with pytest.raises(MastodonIllegalArgumentError, match="invalid_grant"):
        client.log_in(code=code.inner_text().strip(), scopes=["read"])

    # Authorized apps lists it; Revoke ends it at once.
    page.goto("/authorized_apps")
    row = page.locator(".authorized-app", has_text="Mastodon.py test")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Read all your account's data")
    row.get_by_role("button", name="Revoke").click()
    # (An announcement another test left is a status too.)
    expect(page.get_by_role("status").filter(has_text="revoked")).to_be_visible()
    expect(page.locator("#no-apps")).to_be_visible()
    with pytest.raises(MastodonUnauthorizedError):
        client.account_verify_credentials()


def test_a_redirect_uri_gets_the_code_and_state_or_access_denied(
    new_page: NewPage, live_app: RunningApp
) -> None:
    page = new_page()
    name = _registered(page)
    client = _client(live_app, "Redirecting app")
    seen: list[str] = []

    def answer(route: Route) -> None:
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/plain", body="back at the app")

    page.context.route(re.compile(r"^http://127\.0\.0\.1:9/"), answer)
    url = client.auth_request_url(redirect_uris=CALLBACK, scopes=["read"], state="st4te")
    _through_login(page, url, name)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("back at the app")).to_be_visible()
    query = parse_qs(urlsplit(seen[-1]).query)
    assert query["state"] == ["st4te"] and query["code"]
    client.log_in(code=query["code"][0], redirect_uri=CALLBACK, scopes=["read"])
    assert client.account_verify_credentials()["username"] == name

    page.goto(url)
    expect(page.locator("#consent-app")).to_be_visible()  # signed in already
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_text("back at the app")).to_be_visible()
    assert parse_qs(urlsplit(seen[-1]).query)["error"] == ["access_denied"]


def test_the_consent_page_refuses_what_the_app_did_not_register(
    new_page: NewPage, live_app: RunningApp
) -> None:
    page = new_page()
    name = _registered(page)
    log_in(page, name, PASSWORD)
    expect(page.get_by_role("heading", name=f"Hi, {name}!")).to_be_visible()
    client = _client(live_app, "Greedy app")
    url = client.auth_request_url(scopes=["read"])
    query = urlsplit(url).query
    # Straight to the page with scopes the app never registered (bypassing /oauth/authorize).
    page.goto(f"/authorize_app?{query.replace('scope=read', 'scope=read+follow')}")
    expect(page.get_by_role("alert")).to_contain_text("scopes it did not register")
    expect(page.get_by_role("button", name="Authorize")).to_have_count(0)


def test_the_toot_cli_logs_in_through_the_consent_page(
    new_page: NewPage, live_app: RunningApp, tmp_path: Path
) -> None:
    """`toot login` prints the URL, waits for the code the consent page shows, then reads the
    account (`toot whoami`)."""
    page = new_page()
    name = _registered(page)
    toot = str(Path(sys.executable).parent / "toot")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path)}
    login = subprocess.Popen(
        [toot, "login", "--instance", live_app.backend],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert login.stdout is not None and login.stdin is not None
        url = ""
        for line in login.stdout:
            if line.startswith(live_app.backend):
                url = line.strip()
                break
        assert "/oauth/authorize" in url, url
        login.stdin.write("n\n")  # no browser of its own: ours
        login.stdin.flush()
        _through_login(page, url, name)
        expect(page.locator("#consent-app")).to_contain_text("toot")
        page.get_by_role("button", name="Authorize").click()
        code = page.locator("#consent-code")
        expect(code).to_be_visible()
        output, _ = login.communicate(code.inner_text().strip() + "\n", timeout=60)
    finally:
        if login.poll() is None:
            login.kill()
            login.wait()
    assert login.returncode == 0, output
    assert "Successfully logged in" in output
    whoami = subprocess.run(
        [toot, "whoami"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert whoami.returncode == 0, whoami.stdout + whoami.stderr
    assert name in whoami.stdout


# -- the pages as people see them -------------------------------------------------------------


def _switch(page: Page, lang: str) -> None:
    page.locator("#language-switcher").select_option(lang)
    expect(page.locator("#language-switcher")).to_have_value(lang)


def _look(page: Page, name: str, ready: Callable[[], None]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "zh"):
        _switch(page, lang)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                ready()
                page.mouse.move(0, height - 1)
                wide = page.evaluate("document.documentElement.scrollWidth")
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{scheme}-{width}.png"))
                assert wide <= width, f"{name} {lang} {scheme} {width}: {wide} px wide"
                results = Axe().run(page, context={"include": [["main"]]})
                where = f"{name} {lang} {scheme} {width}"
                assert results.violations_count == 0, f"{where}: {results.generate_report()}"
    _switch(page, "en")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


def test_screenshots_and_axe(new_page: NewPage, live_app: RunningApp) -> None:
    page = new_page()
    name = _registered(page)
    client = _client(live_app, "Tusky on my phone")
    _through_login(page, client.auth_request_url(scopes=["read", "write"]), name)
    _look(page, "consent", lambda: expect(page.locator("#consent-scopes li")).to_have_count(2))
    page.get_by_role("button", name="Authorize").click()
    client.log_in(code=page.locator("#consent-code").inner_text().strip(), scopes=["read"])
    _look(page, "code", lambda: expect(page.locator("#consent-code")).to_be_visible())
    page.goto("/authorized_apps")
    _look(page, "apps", lambda: expect(page.locator(".authorized-app")).to_have_count(1))
