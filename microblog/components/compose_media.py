"""The pictures of a box a post is written in (compose, reply, edit): a drop zone around the
whole box (drop pictures anywhere on it, or paste them into the text: assets/media.js), an "Add
pictures" button that opens the file picker, the upload's progress, and each picture with its
thumbnail, its alt-text field (labelled, and prompted by the placeholder) and a Remove button;
errors beside them, in the reader's language. Each piece takes the box's state (a
`DraftPictures`: state/compose_media.py), so the widget is defined once for every box."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.i18n import t
from microblog.state.compose_media import DraftPictures

ACCEPT = {
    "image/jpeg": [".jpg", ".jpeg"],
    "image/png": [".png"],
    "image/webp": [".webp"],
    "image/gif": [".gif"],
}


def drop_zone(state: type[DraftPictures], *children: rx.Component) -> rx.Component:
    """`children` (the box's form) inside the one dropzone of the box: drop anywhere on it;
    the Add pictures button and a paste reach the same picker (assets/media.js). Its id is the
    box's own, so that the files go to this box when a page has several."""
    upload_id = state.upload_id
    return rx.upload.root(
        *children,
        id=upload_id,
        accept=ACCEPT,
        multiple=True,
        max_size=state.max_bytes,
        disabled=~state.can_add,
        no_click=True,
        no_keyboard=True,
        on_drop=state.upload_pictures(
            rx.upload_files(upload_id=upload_id, on_upload_progress=state.upload_progress),
            state.upload_ticket,
        ),
        on_drop_rejected=state.refused_files,
        drag_active_style={"outline": "2px dashed var(--accent-8)", "outline_offset": "4px"},
        class_name="compose-drop-zone",
        custom_attrs={"data-media-paste": "true", "data-media-input-label": t("Add pictures")},
        width="100%",
    )


def add_button(state: type[DraftPictures]) -> rx.Component:
    """Opens the file picker of the drop zone around it (assets/media.js)."""
    return rx.el.button(
        rx.icon("image-plus", size=16, aria_hidden="true"),
        t("Add pictures"),
        type="button",
        class_name="compose-media-drop compose-media-add",
        disabled=~state.can_add,
        title=t("Pick pictures, drop them on the box or paste them"),
    )


def _picture(state: type[DraftPictures], picture: RowVar, index: rx.vars.NumberVar) -> rx.Component:
    field_id = rx.Var.create("alt-") + picture.id.to_string()
    number = (index + 1).to_string()
    return rx.el.div(
        rx.el.img(
            src=picture.preview_url,
            alt="",
            class_name="compose-media-thumb",
            custom_attrs={"style": {"--placeholder": 'url("' + picture.placeholder.to(str) + '")'}},
        ),
        rx.el.label(
            t("Describe picture %(number)s", number=number),
            html_for=field_id,
            class_name="field-label",
            font_size="var(--font-size-1)",
            font_weight="bold",
        ),
        rx.el.textarea(
            id=field_id,
            default_value=picture.description,
            placeholder=t("What is in it, for people who can't see it"),
            rows=3,
            max_length=1500,
            on_change=lambda text: state.set_description(picture.id, text),
            class_name="compose-media-alt",
            custom_attrs={"data-media-id": picture.id.to_string()},
        ),
        rx.button(
            t("Remove"),
            type="button",
            size="1",
            variant="soft",
            color_scheme="gray",
            aria_label=t("Remove picture %(number)s", number=number),
            on_click=state.remove_picture(picture.id),
        ),
        class_name="compose-media-item",
        # Keyed by the picture: when one is removed, the alt-text fields after it keep theirs.
        key=picture.id,
    )


def attachments(state: type[DraftPictures]) -> rx.Component:
    """What goes under the text: the pictures, the progress bar, the error."""
    return rx.fragment(
        rx.cond(
            state.pictures.length() > 0,
            rx.el.div(
                rx.foreach(state.pictures, lambda picture, index: _picture(state, picture, index)),
                class_name="compose-media",
                role="group",
                aria_label=t("Pictures for this post"),
            ),
            rx.fragment(),
        ),
        rx.cond(
            state.uploading,
            rx.vstack(
                rx.text(t("Uploading pictures…"), size="1", color_scheme="gray"),
                rx.progress(
                    value=state.progress,
                    max=100,
                    aria_label=t("Uploading pictures…"),
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            rx.fragment(),
        ),
        rx.cond(
            state.media_error != "",
            rx.text(
                state.media_error,
                color_scheme="red",
                size="2",
                role="alert",
                class_name="compose-media-error",
            ),
            rx.fragment(),
        ),
    )
