"""Edit your picture, username, about-me text and email settings."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.components.avatar_field import avatar_field
from microblog.components.form_field import field_error, form_field, submit_button
from microblog.components.i18n import t, t_plural
from microblog.components.layout import layout, loading
from microblog.models import ABOUT_ME_MAX
from microblog.state.edit_profile import EditProfileState


def edit_profile_page() -> rx.Component:
    return layout(
        rx.heading(t("Edit Profile"), size="6"),
        rx.link(
            t("Privacy and safety: messages, blocked and muted people"),
            href=routes.SAFETY_SETTINGS,
            class_name="safety-settings-link",
        ),
        rx.cond(
            EditProfileState.loaded_here(),
            rx.card(
                avatar_field(),
                rx.separator(size="4", margin_y="1rem"),
                rx.form(
                    rx.vstack(
                        form_field(
                            t("Username"),
                            "username",
                            EditProfileState.username_error,
                            default_value=EditProfileState.username,
                            key=EditProfileState.username,
                        ),
                        rx.el.label(
                            t("About me"), html_for="field-about_me", class_name="field-label"
                        ),
                        rx.text_area(
                            id="field-about_me",
                            name="about_me",
                            value=EditProfileState.about_me,
                            on_change=EditProfileState.set_about_me,
                            rows="4",
                            width="100%",
                        ),
                        rx.text(
                            t_plural(
                                "%(num)d character left",
                                "%(num)d characters left",
                                ABOUT_ME_MAX - EditProfileState.about_me.length(),
                            ),
                            size="2",
                            color_scheme="gray",
                        ),
                        field_error(EditProfileState.about_me_error, "field-about_me"),
                        rx.el.label(
                            rx.checkbox(
                                id="field-email_on_follow",
                                name="email_on_follow",
                                default_checked=EditProfileState.email_on_follow,
                                key=EditProfileState.email_on_follow.to_string(),
                            ),
                            t("Email me when someone follows me"),
                            html_for="field-email_on_follow",
                            display="flex",
                            gap="0.5rem",
                            align_items="center",
                        ),
                        rx.el.label(
                            rx.checkbox(
                                id="field-email_on_mention",
                                name="email_on_mention",
                                default_checked=EditProfileState.email_on_mention,
                                key=EditProfileState.email_on_mention.to_string(),
                            ),
                            t("Email me when someone mentions me or replies to me"),
                            html_for="field-email_on_mention",
                            display="flex",
                            gap="0.5rem",
                            align_items="center",
                        ),
                        submit_button(t("Save changes"), width="100%"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=EditProfileState.submit,
                    reset_on_submit=False,
                ),
                width="100%",
            ),
            loading(),
        ),
        # The Mastodon clients (Tusky, toot, ...) the user let in, and Revoke.
        rx.link(t("Authorized apps"), href=routes.AUTHORIZED_APPS),
    )
