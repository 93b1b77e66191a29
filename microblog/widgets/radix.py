"""Radix Themes' own class names, for plain elements that look like its components: a widget
drawn by the server cannot use a Themes component, and a plain element in the live page is
cheaper to render than one. Written here only."""

from __future__ import annotations

from typing import Literal

ButtonVariant = Literal["solid", "soft", "outline", "ghost"]


def button_class(variant: ButtonVariant) -> str:
    """The classes Radix Themes gives a size 2 button of `variant`."""
    return f"rt-reset rt-BaseButton rt-r-size-2 rt-variant-{variant} rt-Button"


LINK_SIZE_3_MEDIUM = "rt-Text rt-reset rt-Link rt-r-size-3 rt-r-weight-medium rt-underline-auto"
"""The classes of `rx.link(size="3", weight="medium")`."""

LINK = "rt-Text rt-reset rt-Link rt-underline-auto"
"""The classes of `rx.link()` without a size."""

HEADING_SIZE_5 = "rt-Heading rt-r-size-5"
"""The classes of `rx.heading(size="5")`."""
