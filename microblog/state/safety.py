"""What every reader does to keep others away, from the "more" menus of profiles and post cards
and from the settings: block (confirmed in a dialog), mute for a time, mute a conversation,
report a post or an account (a dialog with a reason and a comment), and the settings' message
policy and lists of blocked and muted people with Undo.

The rules are the services' (services/safety.py). A block or mute publishes SAFETY_CHANGED
after the commit; every open page of the people concerned re-reads what it lists
(`subscribe_safety` in state/post_cards.py), this tab's included, so the menus only call the
service and say what happened. The dialogs are drawn once per page (components/safety.py);
the menus open them with the target's id.
"""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from microblog import routes
from microblog.db import run_db, run_read
from microblog.i18n import _l, translate
from microblog.models import MESSAGE_POLICIES
from microblog.schemas import BlockedUser
from microblog.services import safety, users
from microblog.services.errors import DomainError
from microblog.state import delivery
from microblog.state.locale import language_of
from microblog.state.page_data import PageData
from microblog.state.session import SessionState, login_required
from microblog.state.thread import ThreadState

# The mute durations the menu offers, in seconds (0: until unmuted).
MUTE_CHOICES = (0, 3600, 86400, 7 * 86400)
REPORT_REASONS = safety.REPORT_REASONS  # for the report dialog (components draw, states know)

_DONE = {
    "block": _l("Blocked. You will not see each other's posts."),
    "unblock": _l("Unblocked."),
    "mute": _l("Muted. Their posts no longer show to you."),
    "unmute": _l("Unmuted."),
    "mute_conversation": _l("Conversation muted: it no longer notifies you."),
    "unmute_conversation": _l("Conversation unmuted."),
}


class SafetyState(rx.State):
    """The dialogs of the menus: one report dialog and one block confirmation per page."""

    report_open: bool = False
    report_post_id: int = 0  # 0: an account is reported
    report_user_id: int = 0
    report_username: str = ""
    report_error: str = ""
    report_sent: bool = False
    block_open: bool = False
    block_user_id: int = 0
    block_username: str = ""

    async def _say(self, key: str) -> rx.event.EventSpec:
        return rx.toast.success(translate(_DONE[key], await language_of(self)))

    async def _refused(self, problem: DomainError) -> rx.event.EventSpec:
        return rx.toast.error(translate(problem.message, await language_of(self)))

    @rx.event
    @login_required
    async def open_report(
        self, post_id: int, target_id: int, username: str, *, user_id: int
    ) -> None:
        """Open the report dialog for a post (`post_id`) or, with 0, the account."""
        del user_id  # only signed-in readers report
        self.report_post_id, self.report_user_id = int(post_id), int(target_id)
        self.report_username = username
        self.report_error, self.report_sent, self.report_open = "", False, True

    @rx.event
    def set_report_open(self, opened: bool) -> None:
        self.report_open = bool(opened)
        if not opened:
            self.report_sent, self.report_error = False, ""

    @rx.event
    @login_required
    async def submit_report(self, form: dict, *, user_id: int) -> None:
        reason = str(form.get("reason", "") or "")
        comment = str(form.get("comment", "") or "")
        post_id, target = self.report_post_id, self.report_user_id
        try:
            if post_id:
                await run_db(
                    lambda db: safety.report_post(
                        db, reporter_id=user_id, post_id=post_id, reason=reason, comment=comment
                    )
                )
            else:
                await run_db(
                    lambda db: safety.report_account(
                        db, reporter_id=user_id, user_id=target, reason=reason, comment=comment
                    )
                )
        except DomainError as problem:
            self.report_error = translate(problem.message, await language_of(self))
            return
        self.report_error, self.report_sent = "", True

    @rx.event
    @login_required
    async def ask_block(self, target_id: int, username: str, *, user_id: int) -> None:
        del user_id
        self.block_user_id, self.block_username, self.block_open = int(target_id), username, True

    @rx.event
    def set_block_open(self, opened: bool) -> None:
        self.block_open = bool(opened)

    @rx.event
    @login_required
    async def confirm_block(self, *, user_id: int) -> rx.event.EventSpec:
        target = self.block_user_id
        self.block_open = False
        try:
            await run_db(lambda db: safety.block_user(db, blocker_id=user_id, blocked_id=target))
        except DomainError as problem:
            return await self._refused(problem)
        return await self._say("block")

    @rx.event
    @login_required
    async def unblock(self, target_id: int, *, user_id: int) -> rx.event.EventSpec:
        target = int(target_id)
        await run_db(lambda db: safety.unblock_user(db, blocker_id=user_id, blocked_id=target))
        return await self._say("unblock")

    @rx.event
    @login_required
    async def mute(self, target_id: int, seconds: int, *, user_id: int) -> rx.event.EventSpec:
        target, length = int(target_id), int(seconds)
        if length not in MUTE_CHOICES:
            length = 0
        try:
            await run_db(
                lambda db: safety.mute_user(
                    db, muter_id=user_id, muted_id=target, seconds=length or None
                )
            )
        except DomainError as problem:
            return await self._refused(problem)
        return await self._say("mute")

    @rx.event
    @login_required
    async def unmute(self, target_id: int, *, user_id: int) -> rx.event.EventSpec:
        target = int(target_id)
        await run_db(lambda db: safety.unmute_user(db, muter_id=user_id, muted_id=target))
        return await self._say("unmute")

    @rx.event
    @login_required
    async def mute_conversation(self, post_id: int, *, user_id: int) -> rx.event.EventSpec:
        target = int(post_id)
        try:
            await run_db(lambda db: safety.mute_conversation(db, user_id=user_id, post_id=target))
        except DomainError as problem:
            return await self._refused(problem)
        await self._conversation_muted(True)
        return await self._say("mute_conversation")

    @rx.event
    @login_required
    async def unmute_conversation(self, post_id: int, *, user_id: int) -> rx.event.EventSpec:
        target = int(post_id)
        try:
            await run_db(lambda db: safety.unmute_conversation(db, user_id=user_id, post_id=target))
        except DomainError as problem:
            return await self._refused(problem)
        await self._conversation_muted(False)
        return await self._say("unmute_conversation")

    async def _conversation_muted(self, muted: bool) -> None:
        """The conversation page this was asked from offers the other choice now (every post
        on it is in the one conversation)."""
        (await self.get_state(ThreadState)).conversation_muted = muted


class SafetySettingsState(PageData, rx.State):
    """The settings' "Privacy and safety" section: who may message the reader, and whom they
    block and mute (25 rows at most each are kept; the lists are short by nature)."""

    message_policy: str = "everyone"
    blocks: list[BlockedUser] = []
    mutes: list[BlockedUser] = []
    policy_saved: bool = False

    async def _read(self, user_id: int) -> None:
        def read(db: Session) -> tuple[str, list[BlockedUser], list[BlockedUser]]:
            policy = users.get_user(db, user_id).message_policy
            return (
                policy,
                safety.list_blocks(db, user_id=user_id)[:LIST_MAX],
                safety.list_mutes(db, user_id=user_id)[:LIST_MAX],
            )

        self.message_policy, self.blocks, self.mutes = await run_read(read)
        self._set_loaded()

    @rx.event
    @login_required(page_load=True)
    async def load(self, *, user_id: int) -> None:
        self.policy_saved = False
        await self._read(user_id)

    @rx.event
    @login_required
    async def set_policy(self, policy: str, *, user_id: int) -> rx.event.EventSpec | None:
        if policy not in MESSAGE_POLICIES:
            return None
        try:
            await run_db(lambda db: safety.set_message_policy(db, user_id=user_id, policy=policy))
        except DomainError as problem:
            return rx.toast.error(translate(problem.message, await language_of(self)))
        self.message_policy, self.policy_saved = policy, True
        return None

    async def _on_safety_changed(self) -> None:
        """A block or mute changed (here, in another tab, or a mute ran out): re-read."""
        user_id = (await self.get_state(SessionState)).user_id
        if user_id:
            await self._read(user_id)


LIST_MAX = 100

delivery.subscribe(
    safety.SAFETY_CHANGED,
    SafetySettingsState,
    "_on_safety_changed",
    where=lambda tab: tab.path == routes.SAFETY_SETTINGS,
)
