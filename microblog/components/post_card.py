"""One post in a feed, and the people in lists: the live page's rendering of
microblog/widgets/post_card.py, with the parts only it has (the user card, Like and Boost that
answer, Edit and Delete on one's own posts, the edit history, Translate)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from microblog.components import RowVar
from microblog.components.compose_form import compose_form
from microblog.components.compose_media import add_button, attachments, drop_zone
from microblog.components.empty_note import empty_note
from microblog.components.i18n import t
from microblog.components.post_translation import (
    post_text,
    translation_fields,
    translation_states,
)
from microblog.components.safety import post_menu
from microblog.components.timestamps import local_time
from microblog.components.user_popup import user_popup
from microblog.components.widget import ComponentRenderer, Resolve, RowFill, SlotFill, fields_of
from microblog.i18n.messages import Message
from microblog.state.compose_media import EditMediaState
from microblog.state.post_cards import PostCardsState, PostHistoryState
from microblog.state.session import SessionState
from microblog.state.translation import TranslationState
from microblog.widgets import post_card as widgets
from microblog.widgets.post_card import POST_CARD, POST_LIST_CLASS
from microblog.widgets.tree import Field


def avatar_link(username: rx.Var, avatar: rx.Var) -> rx.Component:
    """A user's avatar linking to their profile (microblog/widgets/post_card.py)."""
    person = ComponentRenderer(lambda name: {"username": username, "avatar": avatar}[name])
    return person.node(widgets.avatar_link(Field("username"), Field("avatar")))


def name_link(username: rx.Var) -> rx.Component:
    """A user's name linking to their profile, with the user card on hover."""
    return person_renderer(lambda _name: username).node(widgets.name_link(Field("username")))


def person_renderer(resolve: Resolve) -> ComponentRenderer:
    """Draws people (microblog/widgets/post_card.py's `PERSON_SUMMARY`, alone or in a list)
    from `resolve`'s `username`, `avatar` and `about_me`, each name with its user card."""
    author = RowFill(lambda fields, name: user_popup(fields("username"), name[0]))
    return ComponentRenderer(resolve, slots={"author": author})


def person_summary(username: rx.Var, avatar: rx.Var, about_me: rx.Var) -> rx.Component:
    """A person in a list (search results, followers, following): avatar, name with the user
    card, and their "about me" when they wrote one."""
    person = {"username": username, "avatar": avatar, "about_me": about_me}
    return person_renderer(person.__getitem__).node(widgets.PERSON_SUMMARY)


def delete_dialog(post: RowVar, owner: type[PostCardsState], button: rx.Component) -> rx.Component:
    """Delete (`button`, widgets/post_card.py's), confirmed in a dialog (Cancel has the focus
    first: Enter does not delete)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(button),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Delete this post?")),
            rx.alert_dialog.description(t("It disappears for everyone. This cannot be undone.")),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("Delete"),
                        color_scheme="red",
                        # Radix's solid red under white text is 3.9:1 (axe color-contrast);
                        # its high-contrast red passes in light and dark.
                        high_contrast=True,
                        on_click=owner.delete_post(post.id),
                        class_name="confirm-delete",
                    )
                ),
                gap="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="26rem",
        ),
    )


class EditBox(rx.Component):
    """assets/edit_box.js: the edit box takes the focus with the caret at the end of the text;
    Escape cancels, Ctrl/Cmd+Enter saves; closing gives the focus back to the Edit button. All
    in the browser: no event reaches the server for a key."""

    library = "$/public/edit_box.js"
    tag = "EditBox"


def edit_box(owner: type[PostCardsState]) -> rx.Component:
    """The post's text and pictures in an edit box, counted as the compose form counts, with
    the compose box's pictures (EditMediaState: remove, add, describe); Save or Cancel. A
    refusal keeps the box open with the text, the pictures and the reason."""
    return EditBox.create(
        drop_zone(
            EditMediaState,
            compose_form(
                label=t("Edit your post"),
                name="edit",
                value=owner.edit_draft,
                on_change=owner.set_edit_draft,
                chars_left=owner.edit_chars_left,
                error=owner.edit_error,
                submit_label=t("Save"),
                on_submit=owner.save_edit,
                attachments=attachments(EditMediaState),
                tools=add_button(EditMediaState),
                busy=EditMediaState.uploading,
                secondary=rx.button(
                    t("Cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=owner.cancel_edit,
                    class_name="edit-cancel",  # what Escape presses (assets/edit_box.js)
                ),
            ),
        ),
        class_name="post-edit-box",
    )


def history_dialog(post: RowVar, marker: rx.Component) -> rx.Component:
    """The "edited" marker opens the post's versions, newest first (PostHistoryState), read
    when the dialog opens. The marker is the dialog's own trigger (focus returns to it)."""
    return rx.dialog.root(
        rx.dialog.trigger(marker),
        rx.dialog.content(
            rx.dialog.title(t("Edit history")),
            rx.cond(
                PostHistoryState.history_error != "",
                rx.text(PostHistoryState.history_error, color_scheme="red", role="alert"),
                rx.fragment(),
            ),
            rx.el.ol(
                rx.foreach(
                    PostHistoryState.versions,
                    lambda version: rx.el.li(
                        rx.el.div(local_time(version.written_at), class_name="post-meta"),
                        rx.html(version.body_html, class_name="post-body rich"),
                        class_name="post-version",
                    ),
                ),
                class_name="post-versions",
            ),
            rx.flex(
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="1rem",
            ),
            aria_describedby=None,
            max_width="32rem",
        ),
        on_open_change=lambda opened: PostHistoryState.history_toggled(post.id, opened),
    )


def _body(post: RowVar, owner: type[PostCardsState] | None, body: rx.Component | None) -> SlotFill:
    def fill(written: list[rx.Component]) -> rx.Component:
        shown = body if body is not None else post_text(post, written[0])
        if owner is None:
            return shown
        editing = (owner.editing_id == post.id) & (owner.editing_entry == post.entry_id)
        return rx.cond(editing, edit_box(owner), shown)

    return fill


def _actions(post: RowVar, owner: type[PostCardsState] | None) -> dict[str, Any]:
    """The card's buttons. Without an owner state (search results), Like and Boost open the
    post's conversation, where they can be pressed."""
    shared = {
        "translate": TranslationState.translate_post(post.id),
        # Buttons answered by what wraps them:
        "history": None,  # the marker is the history dialog's trigger
        "menu": None,  # the button is the menu's trigger
        "delete": None,  # Delete is its confirmation's trigger
    }
    if owner is None:
        conversation = rx.redirect("/post/" + post.id.to_string())
        return {"like": conversation, "boost": conversation, "edit": None, **shared}
    return {
        "like": owner.toggle_like(post.id),
        "boost": owner.toggle_boost(post.id),
        "edit": owner.start_edit(post.id, post.entry_id),
        **shared,
    }


def post_card(
    post: RowVar,
    owner: type[PostCardsState] | None = None,
    body: rx.Component | None = None,
    thread: bool = False,
) -> rx.Component:
    """One post (microblog/widgets/post_card.py, which the server draws too). `owner`: the state
    whose `posts` it is, which answers Like, Boost, Edit and Delete. `body` replaces the text
    (search highlights). `thread`: its menu offers to mute the conversation."""
    slots: dict[str, SlotFill] = {
        "author": lambda name: user_popup(post.author_username, name[0]),
        "menu": lambda button: post_menu(post, button[0], thread=thread),
        "body": _body(post, owner, body),
        "translate": lambda offer: translation_states(post, offer[0]),
        "edited": lambda marker: history_dialog(post, marker[0]),
    }
    if owner is None:  # nothing to edit with: no Edit or Delete (as the server draws results)
        slots["actions"] = lambda _own: rx.fragment()
    else:
        slots["delete"] = lambda button: delete_dialog(post, owner, button[0])
    reader = fields_of(post, reader_id=SessionState.user_id, **translation_fields(post))
    renderer = ComponentRenderer(reader, slots=slots, actions=_actions(post, owner))
    return renderer.node(POST_CARD)


def post_list(
    posts: rx.vars.ArrayVar,
    empty: Message,
    owner: type[PostCardsState] | None = None,
    thread: bool = False,
) -> rx.Component:
    """The cards of `posts`, or the note that says `empty` (widgets/empty_note.py)."""
    return rx.cond(
        posts.length() > 0,
        rx.el.div(
            rx.foreach(posts, lambda post: post_card(post, owner, thread=thread)),
            class_name=POST_LIST_CLASS,
        ),
        empty_note(empty),
    )
