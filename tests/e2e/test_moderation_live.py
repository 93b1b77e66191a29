"""Moderation reaching open pages, with several people in their own browsers: a post a moderator
unhides comes back on a reader's open home, Explore and thread without a reload (as hiding
took it away); suspending an account takes its posts and its boosts off the open pages at once;
the audit log offers Undo only on what is still in force; a conversation's menu offers Mute or
Unmute, whichever applies, changing as it is used; the user card has the profile's menu; the
moderators' queue pages by keyset (Older / Newer) and a report made meanwhile reaches it live.
Screenshots (both sizes, en and zh, light and dark) with axe of the queue with its pager, the
audit log, the conversation menu and the user card's menu.

Every wait is for a condition on the page (no sleep); a marker on `window` shows that no page
was reloaded.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import Post, Report
from microblog.services import moderation, safety
from tests.e2e.actions import new_name, post, signed_up
from tests.e2e.conftest import NewPage, RunningApp
from tests.e2e.looks import check_look, every_look, screenshot_dir
from tests.e2e.test_live import assert_not_reloaded, mark_no_reload
from tests.e2e.test_moderation import _token, _user_id

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _patient_expect() -> Iterator[None]:
    """The machine is shared and slow: generous waits for conditions (never sleeps)."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=5_000)


def card(page: Page, text: str) -> Locator:
    return page.locator(".post", has_text=text)


def _make_moderator(engine: object, user_id: int) -> None:
    with Session(engine) as db:  # type: ignore[arg-type]
        moderation.set_moderator(db, user_id=user_id, moderator=True)
        db.commit()


def _post_id(engine: object, body: str) -> int:
    with Session(engine) as db:  # type: ignore[arg-type]
        return db.exec(select(Post.id).where(Post.body == body)).one() or 0


def _dismiss_reports_on(engine: object, moderator_id: int, user_id: int) -> None:
    with Session(engine) as db:  # type: ignore[arg-type]
        for report in db.exec(
            select(Report).where(Report.target_user_id == user_id, Report.status == "open")
        ).all():
            moderation.dismiss_report(db, moderator_id=moderator_id, report_id=report.id or 0)
        db.commit()


def _tab(page: Page, path: str, *texts: str) -> Page:
    """Another tab of the same reader, on `path`, showing `texts`, marked against reloads."""
    tab = page.context.new_page()
    tab.goto(path)
    for text in texts:
        expect(card(tab, text)).to_be_visible()
    mark_no_reload(tab)
    return tab


def test_unhide_and_suspension_reach_open_pages(new_page: NewPage, live_app: RunningApp) -> None:
    engine = make_engine(live_app.database_url)
    mod_name, ann_name = new_name("mod"), new_name("ann")
    troll_name, bob_name = new_name("troll"), new_name("bob")
    mod = signed_up(new_page(), mod_name)
    ann = signed_up(new_page(), ann_name)
    troll = signed_up(new_page(), troll_name)
    bob = signed_up(new_page(), bob_name)
    troll_said, bob_said = f"Loud words from {troll_name}", f"Good news from {bob_name}"
    post(troll, troll_said)
    post(bob, bob_said)
    ids = {name: _user_id(engine, name) or 0 for name in (mod_name, troll_name)}
    _make_moderator(engine, ids[mod_name])
    troll_post, bob_post = _post_id(engine, troll_said), _post_id(engine, bob_said)

    with httpx.Client(base_url=f"{live_app.backend}/api", timeout=30) as api:
        mod_auth, ann_auth = _token(api, mod_name), _token(api, ann_name)
        troll_auth = _token(api, troll_name)
        assert api.post(f"/users/{ids[troll_name]}/follow", headers=ann_auth).status_code == 204
        boosted = api.post(f"/posts/{bob_post}/boost", headers=troll_auth)
        assert boosted.status_code == 200, boosted.text

        # Ann's open pages: home (troll's post, and troll's boost of Bob's), Explore, the thread.
        ann.goto("/")
        expect(card(ann, troll_said)).to_be_visible()
        boost = card(ann, bob_said)
        expect(boost).to_contain_text(troll_name)  # "boosted by"
        mark_no_reload(ann)
        explore = _tab(ann, "/explore", troll_said, bob_said)
        thread = _tab(ann, f"/post/{troll_post}", troll_said)

        # Hidden: gone from every open page of hers.
        hidden = api.post(
            f"/moderation/posts/{troll_post}/hide", json={"reason": "Loud"}, headers=mod_auth
        )
        assert hidden.status_code == 204, hidden.text
        expect(card(ann, troll_said)).to_have_count(0)
        expect(card(explore, troll_said)).to_have_count(0)
        expect(thread.get_by_text("This post does not exist or was deleted.")).to_be_visible()

        # Unhidden: back on each of them, without a reload.
        shown = api.delete(f"/moderation/posts/{troll_post}/hide", headers=mod_auth)
        assert shown.status_code == 204, shown.text
        expect(card(ann, troll_said)).to_be_visible()
        expect(card(explore, troll_said)).to_be_visible()
        expect(card(thread, troll_said)).to_be_visible()
        expect(boost).to_be_visible()

        # Suspended: their post and their boost of Bob's post leave her open home at once;
        # Bob's own post stays on Explore.
        suspended = api.post(
            f"/moderation/users/{ids[troll_name]}/suspend",
            json={"reason": "Spam"},
            headers=mod_auth,
        )
        assert suspended.status_code == 204, suspended.text
        expect(card(ann, troll_said)).to_have_count(0)
        expect(card(ann, bob_said)).to_have_count(0)
        expect(card(explore, troll_said)).to_have_count(0)
        expect(card(explore, bob_said)).to_be_visible()
        expect(card(thread, troll_said)).to_have_count(0)
        for page in (ann, explore, thread):
            assert_not_reloaded(page)

        # Lifted: back at the next read.
        lifted = api.delete(f"/moderation/users/{ids[troll_name]}/suspend", headers=mod_auth)
        assert lifted.status_code == 204, lifted.text
        ann.reload()
        expect(card(ann, troll_said)).to_be_visible()
        api.post(f"/moderation/users/{ids[troll_name]}/limit", json={}, headers=mod_auth)

    # The audit log: Undo only on what still holds (the limit), not on the hide and the
    # suspension that were undone.
    mod.goto("/moderation?section=log")
    log = mod.locator(".audit-log")
    expect(log.locator(".log-line").first).to_have_attribute("data-action", "limit")
    for action, undo in (
        ("limit", 1),
        ("unsuspend", 0),
        ("suspend", 0),
        ("unhide", 0),
        ("hide", 0),
    ):
        line = log.locator(f".log-line[data-action='{action}']", has_text=troll_name)
        expect(line).to_have_count(1)
        expect(line.get_by_role("button", name="Undo")).to_have_count(undo)
    log.locator(".log-line[data-action='limit']", has_text=troll_name).get_by_role(
        "button", name="Undo"
    ).click()
    expect(log.locator(".log-line").first).to_have_attribute("data-action", "unlimit")
    limit_line = log.locator(".log-line[data-action='limit']", has_text=troll_name)
    expect(limit_line.get_by_role("button", name="Undo")).to_have_count(0)
    folder = screenshot_dir("h23-moderation-live")
    for look in every_look(mod):
        expect(log).to_be_visible()
        check_look(mod, folder, look.name("audit-log"), "main")
    engine.dispose()


def _open_menu(page: Page, text: str) -> Locator:
    button = card(page, text).locator(".post-menu-trigger")  # named in the page's language
    button.focus()
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    return menu


def test_conversation_menu_and_the_queue_pages(new_page: NewPage, live_app: RunningApp) -> None:
    engine = make_engine(live_app.database_url)
    mod_name, ann_name, bob_name = new_name("mod"), new_name("ann"), new_name("bob")
    mod = signed_up(new_page(), mod_name)
    ann = signed_up(new_page(), ann_name)
    bob = signed_up(new_page(), bob_name)
    said = f"A question from {bob_name}"
    post(bob, said)
    bob_post = _post_id(engine, said)

    # The conversation menu offers one of Mute / Unmute, and the other once used.
    ann.goto(f"/post/{bob_post}")
    menu = _open_menu(ann, said)
    expect(menu.get_by_role("menuitem", name="Mute conversation", exact=True)).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Unmute conversation", exact=True)).to_have_count(0)
    folder = screenshot_dir("h23-moderation-live")
    for look in every_look(ann):
        _open_menu(ann, said)
        check_look(ann, folder, look.name("conversation-menu"), "main", "nav", "[role=menu]")
        ann.keyboard.press("Escape")
        expect(ann.get_by_role("menu")).to_have_count(0)
    menu = _open_menu(ann, said)
    menu.get_by_role("menuitem", name="Mute conversation", exact=True).click()
    expect(ann.get_by_text("Conversation muted: it no longer notifies you.")).to_be_visible()
    menu = _open_menu(ann, said)
    expect(menu.get_by_role("menuitem", name="Unmute conversation", exact=True)).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Mute conversation", exact=True)).to_have_count(0)
    menu.get_by_role("menuitem", name="Unmute conversation", exact=True).click()
    menu = _open_menu(ann, said)
    expect(menu.get_by_role("menuitem", name="Mute conversation", exact=True)).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.get_by_role("menu")).to_have_count(0)

    # The user card has the profile's menu: Block, Mute, Report account.
    name = card(ann, said).locator(".user-link")
    popup = ann.locator(".user-popup")

    def card_menu() -> Locator:
        name.hover()
        expect(popup).to_contain_text(bob_name)
        popup.locator(".profile-menu-trigger").click()
        menu = ann.get_by_role("menu")
        expect(menu).to_be_visible()
        return menu

    for look in every_look(ann):
        card_menu()
        check_look(
            ann,
            folder,
            look.name("user-card-menu"),
            *("main", "nav", ".user-popup", "[role=menu]"),
            keep_pointer=True,
        )
        ann.keyboard.press("Escape")
        ann.mouse.move(0, 0)
        expect(popup).to_have_count(0)
    menu = card_menu()
    expect(menu.get_by_role("menuitem", name="Block", exact=True)).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Mute", exact=True)).to_be_visible()
    menu.get_by_role("menuitem", name="Report account").click()
    dialog = ann.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Report {bob_name}")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    # The queue: more reports than a page holds; the moderator's open page learns of the
    # last one live and pages to it.
    mod_id, ann_id, bob_id = (_user_id(engine, n) or 0 for n in (mod_name, ann_name, bob_name))
    _make_moderator(engine, mod_id)
    mod.goto("/moderation")
    expect(mod.get_by_role("heading", name="Open reports")).to_be_visible()
    mark_no_reload(mod)
    try:
        with Session(engine) as db:
            for n in range(30):
                safety.report_account(
                    db, reporter_id=ann_id, user_id=bob_id, reason="spam", comment=f"quiet {n}"
                )
            db.commit()
        with httpx.Client(base_url=f"{live_app.backend}/api", timeout=30) as api:
            made = api.post(
                "/reports",
                json={"user_id": bob_id, "reason": "other", "comment": "the last one"},
                headers=_token(api, ann_name),
            )
            assert made.status_code == 201, made.text
        queue = mod.locator(".report-queue li")
        newer = mod.locator(".queue-newer")
        expect(newer).to_be_visible()  # the live re-read found more than a page
        expect(queue).to_have_count(25)
        expect(mod.locator(".queue-older")).to_have_count(0)
        for look in every_look(mod):
            newer.scroll_into_view_if_needed()  # the pager in the picture
            check_look(mod, folder, look.name("queue-first-page"), "main")
        for _ in range(10):  # the queue may hold other tests' open reports too
            first = queue.first.get_attribute("data-report-id")
            newer.click()
            expect(queue.first).not_to_have_attribute("data-report-id", first or "")
            expect(mod.locator(".queue-older")).to_be_visible()
            if not newer.count():
                break
        expect(newer).to_have_count(0)
        last = mod.locator(".report-queue li").last
        last.get_by_role("button").click()
        expect(mod.locator(".report-panel")).to_contain_text("the last one")
        for look in every_look(mod):
            expect(mod.locator(".report-panel")).to_be_visible()
            check_look(mod, folder, look.name("queue-later-page"), "main")
        mod.locator(".queue-older").click()
        expect(queue).to_have_count(25)
        assert_not_reloaded(mod)
    finally:
        _dismiss_reports_on(engine, mod_id, bob_id)  # the queue is shared with other tests
    engine.dispose()
