"""A post's text with the searched words highlighted.

The text arrives as (text, hit) segments cut on the server (services/search/analysis.py) and is
rendered as React text nodes inside <mark>: it is escaped like any other text, whatever it
contains. No engine's HTML highlighting is ever used.
"""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar


def _segment(segment: RowVar) -> rx.Component:
    return rx.cond(
        segment.hit,
        rx.el.mark(segment.text, class_name="search-hit"),
        rx.fragment(segment.text),
    )


def highlighted_text(segments: rx.Var) -> rx.Component:
    return rx.el.p(rx.foreach(segments, _segment), class_name="post-body")
