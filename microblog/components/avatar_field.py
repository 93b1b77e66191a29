"""Edit profile's avatar field: the picture as a profile and as a post card draw it, a button
(or a drop) to choose a new one, which uploads at once with a progress bar, Remove to go back to
the Gravatar, and what happened, said to screen readers too."""

from __future__ import annotations

import reflex as rx

from microblog.components.avatar import person_avatar
from microblog.components.i18n import t
from microblog.config import get_settings
from microblog.state.edit_profile import AVATAR_UPLOAD_ID, EditProfileState

S = EditProfileState
# What the browser lets through before sending anything (the server decides for itself).
ACCEPTED = {
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/webp": [".webp"],
    "image/gif": [".gif"],
}


def _preview(ready: rx.Var[bool], picture: rx.Var, cls: str) -> rx.Component:
    return person_avatar(
        rx.cond(ready, S.username, ""), rx.cond(ready, picture, ""), from_state=True, cls=cls
    )


def _chooser(blocked: rx.Var[bool]) -> rx.Component:
    return rx.upload.root(
        rx.button(
            t("Choose a picture"),
            type="button",
            variant="soft",
            id="avatar-choose",
            aria_describedby="avatar-rules",
            disabled=blocked,
        ),
        id=AVATAR_UPLOAD_ID,
        accept=ACCEPTED,
        multiple=False,
        max_files=1,
        max_size=get_settings().media_max_bytes,
        # The button inside is the one control the keyboard reaches (no second tab stop).
        no_keyboard=True,
        on_drop=S.upload_avatar(
            rx.upload_files(
                upload_id=AVATAR_UPLOAD_ID,
                on_upload_progress=lambda progress: S.track_upload(S.upload_ticket, progress),
            ),
            S.upload_ticket,
        ),
        on_drop_rejected=lambda _rejected: S.refuse_file(),
        class_name="avatar-drop",
    )


def avatar_field(ready: rx.Var[bool]) -> rx.Component:
    """Until `ready` (the page's data is there), the previews are the empty circle and the
    buttons are disabled."""
    return rx.el.section(
        rx.vstack(*_parts(ready), spacing="2", width="100%", align="stretch"),
        aria_labelledby="avatar-heading",
        class_name="avatar-field",
    )


def _parts(ready: rx.Var[bool]) -> list[rx.Component]:
    blocked = ~ready | S.uploading
    return [
        rx.el.h2(t("Picture"), class_name="field-label", id="avatar-heading"),
        rx.hstack(
            _preview(ready, S.avatar_large, "post-avatar profile-avatar"),
            _preview(ready, S.avatar_card, "post-avatar"),
            rx.vstack(
                rx.hstack(
                    _chooser(blocked),
                    rx.cond(
                        ready & S.has_own_avatar,
                        rx.button(
                            t("Remove picture"),
                            type="button",
                            variant="soft",
                            color_scheme="red",
                            on_click=S.remove_avatar,
                            disabled=blocked,
                            id="avatar-remove",
                        ),
                        rx.fragment(),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(
                    t(
                        "JPEG, PNG, WebP or GIF, at most %(size)s MB; cropped to a square. "
                        "Without one, your Gravatar shows.",
                        size=f"{get_settings().media_max_bytes / 1_048_576:g}",
                    ),
                    id="avatar-rules",
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
                align="start",
                min_width="0",
                flex="1",
            ),
            spacing="4",
            align="center",
            width="100%",
        ),
        rx.cond(
            S.uploading,
            rx.progress(
                value=S.upload_progress,
                max=100,
                aria_label=t("Uploading your picture"),
                id="avatar-progress",
            ),
            rx.fragment(),
        ),
        rx.cond(
            ready & (S.avatar_error != ""),
            rx.text(S.avatar_error, color_scheme="red", size="2", id="avatar-error", role="alert"),
            rx.fragment(),
        ),
        # Said once the change is done (a polite live region, present before it fills).
        rx.text(S.avatar_notice, size="2", id="avatar-notice", role="status"),
    ]
