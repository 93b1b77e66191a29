"""Search results' first paint: the people who match, how many posts match and the first page
of posts with the searched words marked, drawn by the server from the widgets the live page
renders (microblog/widgets/search.py) into the search page's HTML (first_paint.py serves it).

Drawn only when posts match: the other outcomes (nothing found, only people, the engine down)
are a sentence or two the live page says a moment later. The pager under the posts is drawn
with them (first_paint.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from microblog.services.search import SearchResults, UserHit, count_text
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.search import FOUND_POSTS, SEARCH_FILLS, SEARCH_RESULTS_CLASS
from microblog.widgets.tree import Value


def search_html(
    results: SearchResults,
    users: Sequence[UserHit],
    reader: Mapping[str, Value],
    *,
    below: str,
    lang: str,
    now: datetime,
) -> str | None:
    """The results as pages/search.py draws them when posts match, with `below` (the pager)
    under them; None when no posts match. `reader`: what the cards read of their reader
    (widgets/post_card.py `reader_fields`). Every value escaped."""
    if not results.posts:
        return None
    fields = fields_of(
        results,
        users=list(users),
        count_text=count_text(results.total, results.total_capped),
        **reader,
    )
    drawn = HtmlRenderer(fields, lang=lang, now=now, fills=SEARCH_FILLS).render(*FOUND_POSTS)
    return f'<div class="{SEARCH_RESULTS_CLASS}">{drawn}{below}</div>'
