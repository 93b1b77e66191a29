"""The pager under a list the server draws into a page's first paint (widgets/pager.py), so its
links work before the page is live, and without scripts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from microblog.models import utcnow
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.pager import pager


class Paged(Protocol):
    """A page of a listing (schemas.Page, search results): which page, and its neighbours."""

    @property
    def page(self) -> int: ...
    @property
    def has_prev(self) -> bool: ...
    @property
    def has_next(self) -> bool: ...


def pager_html(noun: str, listing: Paged, *, href: Callable[[int], str], lang: str) -> str:
    """Newer / Older under `listing`, linking to `href(page)`: the address the live page's
    state gives the same page (`routes.page_url` of the list's address, or `search_url`)."""
    fields = fields_of(
        listing, newer_href=href(listing.page - 1), older_href=href(listing.page + 1)
    )
    return HtmlRenderer(fields, lang=lang, now=utcnow()).node(pager(noun))
