"""Search results: matching people, then matching posts best first with the searched words
highlighted, 25 a page; an honest empty state, and a clear message when the engine is down."""

from __future__ import annotations

import reflex as rx

from microblog.components.feed_first_paint import feed_first_paint
from microblog.components.i18n import t
from microblog.components.layout import layout
from microblog.components.pager import pager
from microblog.components.post_card import person_renderer, post_card
from microblog.components.widget import ComponentRenderer, fields_of
from microblog.state.search import SearchState
from microblog.widgets.post_card import POST_LIST_CLASS
from microblog.widgets.search import HIGHLIGHTED_BODY, PEOPLE, SEARCH_RESULTS_CLASS, SUMMARY


def _people() -> rx.Component:
    """The people box (microblog/widgets/search.py), each name with its user card."""
    return rx.cond(
        SearchState.users.length() > 0, person_renderer(fields_of(SearchState)).node(PEOPLE)
    )


def _empty(text: rx.Var) -> rx.Component:
    """No posts found: the sentence straight in the callout's own `<p>` (an `rx.text` inside
    `rx.callout` put a `<p>` in a `<p>`, which React reports as an error)."""
    return rx.callout(
        text, icon="search", color_scheme="gray", width="100%", class_name="search-empty"
    )


def _summary() -> rx.Component:
    """How many posts match, above them (the people box, above this, has its own heading)."""
    return ComponentRenderer(fields_of(SearchState)).node(SUMMARY)


def _posts() -> rx.Component:
    return rx.el.div(
        rx.foreach(
            SearchState.posts,
            lambda post: post_card(
                post, body=ComponentRenderer(fields_of(post)).node(HIGHLIGHTED_BODY)
            ),
        ),
        class_name=POST_LIST_CLASS,
    )


def _found() -> rx.Component:
    """Each outcome in its own words: people only, posts only, both, neither."""
    return rx.match(
        SearchState.found,
        ("both", rx.fragment(_people(), _summary(), _posts())),
        ("posts", rx.fragment(_summary(), _posts())),
        (
            "people",
            rx.fragment(
                _people(),
                _empty(
                    t(
                        "No posts match “%(query)s”. Every word must appear in a post: check "
                        "the spelling or use fewer words.",
                        query=SearchState.query,
                    )
                ),
            ),
        ),
        _empty(
            t(
                "Nothing matches “%(query)s”: no posts and no people. Every word must appear in "
                "a post: check the spelling or use fewer words.",
                query=SearchState.query,
            )
        ),
    )


def _results() -> rx.Component:
    return rx.el.div(
        rx.cond(
            SearchState.error != "",
            # Posts are unknown while the engine is down; people come from the database.
            rx.fragment(
                rx.callout(
                    SearchState.error,
                    icon="triangle_alert",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    class_name="search-unavailable",
                ),
                _people(),
            ),
            _found(),
        ),
        pager(
            SearchState.has_prev,
            SearchState.has_next,
            SearchState.newer_href,
            SearchState.older_href,
            noun="results",
        ),
        class_name=SEARCH_RESULTS_CLASS,
    )


def search_page() -> rx.Component:
    """The results, drawn by the server into the first paint when posts match
    (web/first_paint.py), then by the live page."""
    return layout(
        rx.heading(t("Search"), size="6"),
        feed_first_paint(
            SearchState.loaded_here(),
            rx.cond(
                SearchState.query == "",
                rx.callout(
                    t("Type words in the search box to find posts and people."),
                    icon="info",
                    color_scheme="gray",
                    width="100%",
                ),
                _results(),
            ),
        ),
        menus=True,
    )
