"""The user popup: resting the pointer on a username (or focusing it) shows who that is, with
Follow/Unfollow.

A page of 25 posts costs nothing until someone reaches for a name: the hover card itself is built
only then (`LazyHoverCard`, assets/user_popup.js), its content is mounted only while open, and the
card is read from the server only when it opens (see UserPopupState).
"""

from __future__ import annotations

import reflex as rx
from reflex.event import passthrough_event_spec

from microblog.components.avatar import person_avatar
from microblog.components.i18n import t, t_plural
from microblog.components.safety import profile_menu
from microblog.components.timestamps import relative_time
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.state.session import SessionState
from microblog.state.user_popup import UserPopupState
from microblog.widgets.profile import MENU_BUTTON

C = UserPopupState.card


def _login_href() -> rx.Var:
    """The login page, coming back to this page: read in the browser (the content only exists
    while the popup is open, so `window` is always there)."""
    return rx.Var(
        "`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`",
        _var_type=str,
    )


def _menu() -> rx.Component:
    """The profile's "more" menu (Block, Mute, Report: components/safety.py `profile_menu`) on
    the profile's own button (widgets/profile.py MENU_BUTTON), for the card's user."""
    button = ComponentRenderer(fields_of(C), actions={"menu": None}).node(MENU_BUTTON)
    return profile_menu(button, C.id, C.username, C.blocked, C.muted)


def _follow_control() -> rx.Component:
    """No button on your own card; a login link for visitors; otherwise Follow or Unfollow,
    and the menu."""
    return rx.cond(
        C.is_self,
        rx.fragment(),
        rx.cond(
            SessionState.is_authenticated,
            rx.hstack(
                rx.button(
                    rx.cond(C.is_following, t("Unfollow"), t("Follow")),
                    on_click=UserPopupState.toggle_follow,
                    variant=rx.cond(C.is_following, "outline", "solid"),
                    size="1",
                    aria_label=rx.cond(C.is_following, t("Unfollow"), t("Follow")),
                    class_name="user-popup-follow",
                ),
                _menu(),
                spacing="2",
                align="center",
            ),
            rx.link(t("Log in to follow"), href=_login_href(), size="2"),
        ),
    )


def _card_view() -> rx.Component:
    username = C.username.to(str)  # a string Var (the same expression), for slicing and joining
    return rx.hstack(
        person_avatar(C.username, C.avatar, from_state=True, cls="post-avatar popup-avatar"),
        rx.vstack(
            rx.link(
                rx.text(C.username, weight="bold"),
                href="/user/" + username,
                class_name="user-popup-username",
            ),
            rx.cond(C.about_me != "", rx.text(C.about_me, size="2"), rx.fragment()),
            rx.text(t("Last seen"), " ", relative_time(C.last_seen), size="1", color_scheme="gray"),
            rx.hstack(
                rx.text(
                    rx.text.strong(C.followers, class_name="user-popup-followers"),
                    " ",
                    t_plural("follower", "followers", C.followers),
                ),
                rx.text(
                    rx.text.strong(C.following, class_name="user-popup-following"),
                    " ",
                    t("following"),
                ),
                spacing="3",
                size="2",
            ),
            _follow_control(),
            _error(),
            spacing="1",
            align="start",
        ),
        spacing="3",
        align="start",
    )


def _error() -> rx.Component:
    return rx.cond(
        UserPopupState.error != "",
        rx.text(UserPopupState.error, color_scheme="red", size="2", role="alert"),
        rx.fragment(),
    )


def _content(username: rx.Var) -> rx.Component:
    return rx.cond(
        C.username == username,
        _card_view(),
        rx.cond(
            UserPopupState.loading_username == username,
            rx.cond(UserPopupState.error != "", _error(), rx.center(rx.spinner())),
            rx.center(rx.spinner()),
        ),
    )


@rx.memo
def user_popup_body(username: rx.Var[str]) -> rx.Component:
    """The card's content as its own React component, so it only runs while its card is open
    (as plain children, every card's content tree was built again on each render of a list)."""
    return _content(username)


class LazyHoverCard(rx.Component):
    """A Radix hover card built only when the pointer rests on its trigger or the keyboard
    focuses it (assets/user_popup.js): a feed has one per post, and almost none is ever opened.
    Children: the trigger, then the hover card's content."""

    library = "$/public/user_popup.js"
    tag = "LazyHoverCard"

    open_delay: rx.Var[int]
    # Reflex's way to declare an event trigger's arguments: it reads this annotation at run
    # time, where the call is evaluated; to a static checker a call is no type.
    on_open_change: rx.EventHandler[passthrough_event_spec(bool)]  # type: ignore[valid-type,type-arg]


def user_popup(username: rx.Var, trigger: rx.Component) -> rx.Component:
    """Wrap `trigger` (a link to the user) in a hover card about `username`."""
    return LazyHoverCard.create(
        trigger,
        # The width is in the user-popup class (assets/microblog.css), not a style prop: a
        # style prop is serialised and hashed by emotion on every render.
        rx.hover_card.content(
            user_popup_body(username=username), class_name="user-popup", side="top", align="start"
        ),
        # Partial application: Reflex appends the open flag after the bound username.
        on_open_change=UserPopupState.open_card(username),
        open_delay=400,
    )
