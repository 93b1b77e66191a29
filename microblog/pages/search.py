"""Search results: matching people, then matching posts best first with the searched words
highlighted, 25 a page; an honest empty state, and a clear message when the engine is down."""

from __future__ import annotations

import reflex as rx

from microblog.components import RowVar
from microblog.components.highlight import highlighted_text
from microblog.components.i18n import t, t_plural
from microblog.components.layout import layout, loading
from microblog.components.pager import pager
from microblog.components.post_card import person_summary, post_card
from microblog.state.search import SearchState


def _person(user: RowVar) -> rx.Component:
    return rx.box(
        person_summary(user.username, user.avatar, user.about_me), class_name="search-user"
    )


def _people() -> rx.Component:
    return rx.cond(
        SearchState.users.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading(t("People"), size="3", as_="h2"),
                rx.foreach(SearchState.users, _person),
                spacing="2",
            ),
            width="100%",
            class_name="search-users",
        ),
        rx.fragment(),
    )


def _empty(text: rx.Var) -> rx.Component:
    """No posts found: the sentence straight in the callout's own `<p>` (an `rx.text` inside
    `rx.callout` put a `<p>` in a `<p>`, which React reports as an error)."""
    return rx.callout(
        text, icon="search", color_scheme="gray", width="100%", class_name="search-empty"
    )


def _summary() -> rx.Component:
    """How many posts match, above them (the people box, above this, has its own heading)."""
    return rx.text(
        # The count is formatted by the state ("1,234", "10,000+"); `num` picks the form.
        t_plural(
            "%(count)s post matches “%(query)s”",
            "%(count)s posts match “%(query)s”",
            SearchState.total,
            count=SearchState.count_text,
            query=SearchState.query,
        ),
        color_scheme="gray",
        class_name="search-summary",
    )


def _posts() -> rx.Component:
    return rx.el.div(
        rx.foreach(
            SearchState.posts,
            lambda post: post_card(post, body=highlighted_text(post.segments)),
        ),
        class_name="post-list",
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
    return rx.vstack(
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
        spacing="4",
        width="100%",
    )


def search_page() -> rx.Component:
    return layout(
        rx.heading(t("Search"), size="6"),
        rx.cond(
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
            loading(),
        ),
        menus=True,
    )
