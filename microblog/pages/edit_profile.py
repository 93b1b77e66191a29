"""Edit your picture, username, about-me text and email settings."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.avatar_field import avatar_field
from microblog.components.form_field import check_field, field_error, form_field, submit_button
from microblog.components.i18n import t, t_plural
from microblog.components.layout import layout
from microblog.models import ABOUT_ME_MAX
from microblog.state.edit_profile import EditProfileState


def edit_profile_page() -> rx.Component:
    # The form is in the prerendered page too, empty and disabled until the reader's own values
    # arrive: the page keeps its shape from the first paint on, and its largest text is painted
    # then rather than when the page goes live (docs/performance.md, "Edit profile's form in
    # the first paint").
    ready = EditProfileState.loaded_here()
    return layout(
        rx.heading(t("Edit Profile"), size="6"),
        rx.link(
            t("Privacy and safety: messages, blocked and muted people"),
            href=routes.SAFETY_SETTINGS,
            class_name="safety-settings-link",
        ),
        rx.card(
            avatar_field(ready),
            rx.separator(size="4", margin_y="1rem"),
            profile_form(ready),
            width="100%",
        ),
        # The Mastodon clients (Tusky, toot, ...) the user let in, and Revoke.
        rx.link(t("Authorized apps"), href=routes.AUTHORIZED_APPS),
    )


def profile_form(ready: rx.Var[bool]) -> rx.Component:
    """Username, about me and the two email settings. Until `ready`, the fields are empty
    (whatever an earlier page view left in the state is not shown) and nothing can be typed,
    ticked or sent. The reader's values then fill the fields in place: React updates the
    untouched username field's default and the browser shows it, and the about-me text is the
    state's; only the two checkboxes, the browser's own, are mounted again with theirs
    (docs/performance.md, "Edit profile's form in the first paint")."""
    S = EditProfileState
    waiting = ~ready
    username = rx.cond(ready, S.username, "")
    about_me = rx.cond(ready, S.about_me, "")
    return rx.form(
        rx.vstack(
            form_field(
                t("Username"),
                "username",
                S.username_error,
                default_value=username,
                disabled=waiting,
            ),
            rx.el.label(t("About me"), html_for="field-about_me", class_name="field-label"),
            rx.text_area(
                id="field-about_me",
                name="about_me",
                value=about_me,
                on_change=S.set_about_me,
                rows="4",
                width="100%",
                disabled=waiting,
            ),
            rx.text(
                t_plural(
                    "%(num)d character left",
                    "%(num)d characters left",
                    ABOUT_ME_MAX - about_me.length(),
                ),
                size="2",
                color_scheme="gray",
            ),
            field_error(S.about_me_error, "field-about_me"),
            check_field(
                t("Email me when someone follows me"),
                "email_on_follow",
                default_checked=ready & S.email_on_follow,
                disabled=waiting,
            ),
            check_field(
                t("Email me when someone mentions me or replies to me"),
                "email_on_mention",
                default_checked=ready & S.email_on_mention,
                disabled=waiting,
            ),
            submit_button(t("Save changes"), width="100%", waiting=waiting),
            spacing="3",
            width="100%",
        ),
        on_submit=S.submit,
        reset_on_submit=False,
    )
