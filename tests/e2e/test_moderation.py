"""The moderators' page in a browser: an administrator makes a user a moderator from the page; a
report made over the REST API reaches the moderator's open queue live; hiding the post removes it
from another user's open feed live while its author sees it marked with the reason; suspending
the author ends their open session at once and their API token gets 401; each action and its undo
is in the audit log; a non-moderator gets no page and their events are refused. Screenshots of
the page (both sizes, en and zh, light and dark) with axe on each."""

from __future__ import annotations

import asyncio
import base64
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import Post, User
from microblog.state.moderation import ModerationState
from tests.e2e.actions import PASSWORD, log_in, new_name, post, signed_up
from tests.e2e.conftest import ADMIN_USERNAME, NewPage, RunningApp
from tests.reflex_socket import RawTab, session_cookie

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.gettempdir()) / "h23-moderation"
SIZES = ((1280, 800), (390, 844))


def mark_no_reload(page: Page) -> None:
    page.evaluate("window.__still_same_page = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__still_same_page === true"), "the page was reloaded"


def _user_id(engine: object, username: str) -> int | None:
    with Session(engine) as db:  # type: ignore[arg-type]
        return db.exec(select(User.id).where(User.username == username)).first()


def _admin(new_page: NewPage, engine: object) -> Page:
    """The administrator (an address in ADMINS), registered by whichever test came first."""
    if _user_id(engine, ADMIN_USERNAME) is None:
        return signed_up(new_page(), ADMIN_USERNAME)
    page = new_page()
    page.goto("/login")
    log_in(page, ADMIN_USERNAME)
    expect(page.get_by_role("heading", name=f"Hi, {ADMIN_USERNAME}!")).to_be_visible()
    return page


def _token(api: httpx.Client, username: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    made = api.post("/tokens", headers={"Authorization": f"Basic {credentials}"})
    assert made.status_code == 200, made.text
    return {"Authorization": f"Bearer {made.json()['token']}"}


def _switch(page: Page, lang: str) -> None:
    page.locator("#language-switcher").select_option(lang)
    expect(page.locator("#language-switcher")).to_have_value(lang)


def _look(page: Page, name: str, ready: Callable[[], None]) -> None:
    """Screenshots at both sizes, en and zh, light and dark; axe on each; nothing wider than
    the window."""
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
                page.screenshot(
                    path=str(SCREENSHOTS / f"{name}-{lang}-{scheme}-{width}.png"), full_page=True
                )
                assert wide <= width, f"{name} {lang} {scheme} {width}: {wide} px wide"
                results = Axe().run(page, context={"include": [["main"]]})
                where = f"{name} {lang} {scheme} {width}"
                assert results.violations_count == 0, f"{where}: {results.generate_report()}"
    _switch(page, "en")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 800})


async def _refused_events(live_app: RunningApp, engine: object, user_id: int, rid: int) -> str:
    """A non-moderator's tab on /moderation, spoken to over the raw socket: selecting the
    report and suspending its account are refused (nothing of the report comes back)."""
    backend = urlparse(live_app.backend)
    cookie = session_cookie(engine, user_id, live_app.cookie_name)
    tab = RawTab(backend.hostname or "", backend.port or 0, origin=live_app.frontend, cookie=cookie)
    try:
        await tab.open("/moderation")
        state = ModerationState.get_full_name()
        tab.send(f"{state}.select_report", {"report_id": rid})
        tab.send(f"{state}.act", {"action": "suspend"})
        tab.send(f"{state}.undo", {"action": "unhide"})
        await tab.settled()
        return "\n".join(tab.frames)
    finally:
        await tab.close()


def test_moderation_from_report_to_audit_log(new_page: NewPage, live_app: RunningApp) -> None:
    engine = make_engine(live_app.database_url)
    mod_name, ann_name, troll_name = new_name("mod"), new_name("ann"), new_name("troll")
    admin = _admin(new_page, engine)
    mod = signed_up(new_page(), mod_name)
    ann = signed_up(new_page(), ann_name)
    troll = signed_up(new_page(), troll_name)
    said = f"Nasty words from {troll_name}"
    post(troll, said)

    # A user without the role: no link, no page.
    expect(ann.get_by_role("link", name="Moderation")).to_have_count(0)
    ann.goto("/moderation")
    expect(ann.locator(".moderation-refused")).to_contain_text("Only moderators can do this.")
    expect(ann.get_by_role("heading", name="Open reports")).to_have_count(0)

    # The administrator makes the moderator on the page.
    admin.goto("/moderation")
    admin.get_by_role("tab", name="Moderators").click()
    admin.locator("#grant-username").fill(mod_name)
    admin.get_by_role("button", name="Make moderator").click()
    expect(admin.locator(".moderator-list")).to_contain_text(mod_name)
    _look(
        admin,
        "moderation-moderators",
        lambda: expect(admin.locator(".moderator-list")).to_be_visible(),
    )

    mod.goto("/explore")
    mod.get_by_role("link", name="Moderation").click()
    expect(mod.get_by_role("heading", name="Open reports")).to_be_visible()
    expect(mod.get_by_role("tab", name="Moderators")).to_have_count(0)  # not an administrator
    mark_no_reload(mod)
    ann.goto("/explore")
    expect(ann.locator(".post", has_text=said)).to_be_visible()
    mark_no_reload(ann)
    troll.goto("/explore")
    expect(troll.locator(".post", has_text=said)).to_be_visible()
    mark_no_reload(troll)

    with Session(engine) as db:
        post_id = db.exec(select(Post.id).where(Post.body == said)).one()
        troll_id = _user_id(engine, troll_name)
        ann_id = _user_id(engine, ann_name)
    assert troll_id and ann_id
    with httpx.Client(base_url=f"{live_app.backend}/api", timeout=30) as api:
        ann_auth, troll_auth = _token(api, ann_name), _token(api, troll_name)
        made = api.post(
            "/reports",
            json={"post_id": post_id, "reason": "abuse", "comment": "Rude to everyone"},
            headers=ann_auth,
        )
        assert made.status_code == 201, made.text
        report_id = made.json()["id"]

        # The report reaches the moderator's open queue, live.
        item = mod.locator(".report-queue li", has_text=troll_name)
        expect(item).to_be_visible()
        assert_not_reloaded(mod)
        item.get_by_role("button").click()
        panel = mod.locator(".report-panel")
        expect(panel).to_contain_text("Rude to everyone")
        expect(panel.locator(".post")).to_contain_text(said)
        expect(panel.locator(".report-history")).to_contain_text(ann_name)

        # A non-moderator's events are refused, however they are sent.
        # In a thread of its own: Playwright's sync API holds this thread's event loop.
        with ThreadPoolExecutor(1) as pool:
            frames = pool.submit(
                asyncio.run, _refused_events(live_app, engine, ann_id, report_id)
            ).result()
        assert "Rude to everyone" not in frames
        with Session(engine) as db:
            assert not db.get(User, troll_id).suspended  # type: ignore[union-attr]

        _look(mod, "moderation-report", lambda: expect(panel).to_be_visible())

        # Hide: gone from Ann's open feed at once; its author sees why.
        mod.get_by_label("Reason (kept in the audit log)").fill("Insults")
        panel.get_by_role("button", name="Hide the post").click()
        expect(panel.get_by_role("button", name="Unhide the post")).to_be_visible()
        expect(ann.locator(".post", has_text=said)).to_have_count(0)
        assert_not_reloaded(ann)
        note = troll.locator(".post", has_text=said).locator(".post-hidden-note")
        expect(note).to_contain_text("Hidden by a moderator")
        expect(note).to_contain_text("Insults")
        assert_not_reloaded(troll)
        expect(mod.locator(".report-queue li", has_text=troll_name)).to_have_count(0)
        # Undo: the author's mark goes at once; a reload of Ann's page shows it again.
        panel.get_by_role("button", name="Unhide the post").click()
        expect(note).to_have_count(0)
        ann.reload()
        expect(ann.locator(".post", has_text=said)).to_be_visible()
        mark_no_reload(ann)

        # Suspend: the author's open tab is signed out at once, their token ends.
        assert api.get("/feed", headers=troll_auth).status_code == 200
        mod.get_by_label("Reason (kept in the audit log)").fill("Spam account")
        panel.get_by_role("button", name="Suspend the account").click()
        expect(panel.get_by_role("button", name="Lift the suspension")).to_be_visible()
        expect(troll.get_by_role("link", name="Log in")).to_be_visible()
        assert api.get("/feed", headers=troll_auth).status_code == 401
        expect(ann.locator(".post", has_text=said)).to_have_count(0)  # their posts are gone
        troll.goto("/login")
        log_in(troll, troll_name)
        expect(troll.get_by_text("Invalid username or password")).to_be_visible()
        panel.get_by_role("button", name="Lift the suspension").click()
        expect(panel.get_by_role("button", name="Suspend the account")).to_be_visible()
        log_in(troll, troll_name)
        expect(troll.get_by_role("heading", name=f"Hi, {troll_name}!")).to_be_visible()

        # Limit, then undo it from the audit log.
        panel.get_by_role("button", name="Limit the account").click()
        expect(panel.get_by_role("button", name="Lift the limit")).to_be_visible()

        # Dismiss a report on the account, and reopen it.
        second = api.post(
            "/reports", json={"user_id": troll_id, "reason": "spam"}, headers=ann_auth
        )
        assert second.status_code == 201, second.text
        item = mod.locator(".report-queue li", has_text=troll_name)
        expect(item).to_be_visible()
        item.get_by_role("button").click()
        expect(panel.locator(".report-history li")).to_have_count(2)
        panel.get_by_role("button", name="Dismiss").click()
        # Gone from the queue (other tests' reports may stay in it).
        expect(item).to_have_count(0)
        panel.get_by_role("button", name="Reopen the report").click()
        expect(item).to_be_visible()
        assert_not_reloaded(mod)

    mod.get_by_role("tab", name="Audit log").click()
    log = mod.locator(".audit-log")
    expect(log.locator(".log-line").first).to_have_attribute("data-action", "reopen")
    limit_line = log.locator(".log-line[data-action='limit']")
    limit_line.get_by_role("button", name="Undo").click()
    expect(log.locator(".log-line").first).to_have_attribute("data-action", "unlimit")
    actions = [log.locator(".log-line").nth(i).get_attribute("data-action") for i in range(9)]
    assert actions == [
        "unlimit",
        "reopen",
        "dismiss",
        "limit",
        "unsuspend",
        "suspend",
        "unhide",
        "hide",
        "grant_moderator",
    ]
    expect(log.locator(".log-line[data-action='hide']")).to_contain_text("Insults")
    expect(log.locator(".log-line[data-action='suspend']")).to_contain_text("Spam account")
    expect(log.locator(".log-line[data-action='suspend']")).to_contain_text(mod_name)
    expect(log.locator(".log-line[data-action='grant_moderator']").first).to_contain_text(
        ADMIN_USERNAME
    )
    _look(mod, "moderation-log", lambda: expect(log).to_be_visible())

    # The reporter was told the outcome.
    ann.goto("/notifications")
    expect(ann.get_by_text("A moderator has reviewed your report and acted on it.")).to_be_visible()
    engine.dispose()
