"""Newer / Older links. They come from `has_prev` / `has_next`, never from a total count."""

from __future__ import annotations

import reflex as rx

from microblog.components.i18n import t


def _labels(noun: str) -> tuple[rx.Var, rx.Var]:
    # Whole phrases, not "Newer " + noun: word order and agreement differ between languages.
    if noun == "posts":
        return t("Newer posts"), t("Older posts")
    if noun == "conversations":
        return t("Newer conversations"), t("Older conversations")
    if noun == "notifications":
        return t("Newer notifications"), t("Older notifications")
    if noun == "replies":  # oldest first: the page before holds earlier replies
        return t("Earlier replies"), t("Later replies")
    if noun == "results":
        return t("Newer results"), t("Older results")
    return t("Newer"), t("Older")


def pager(
    has_prev: rx.Var, has_next: rx.Var, newer_href: rx.Var, older_href: rx.Var, noun: str = "posts"
) -> rx.Component:
    newer, older = _labels(noun)
    return rx.hstack(
        rx.cond(
            has_prev,
            rx.link(rx.button(rx.icon("arrow-left"), newer, variant="soft"), href=newer_href),
            rx.box(),
        ),
        rx.cond(
            has_next,
            rx.link(rx.button(older, rx.icon("arrow-right"), variant="soft"), href=older_href),
            rx.box(),
        ),
        justify="between",
        width="100%",
        class_name="pager",
    )
