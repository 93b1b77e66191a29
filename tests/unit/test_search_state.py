"""The search page's state, called as Reflex calls it: what a query found (people only, posts
only, both, neither) picks the sentence above the results, so a search that finds only people
no longer says "0 results" above them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session

from microblog.services import search
from microblog.state.search import SearchState
from tests.search_helpers import commit_post
from tests.tab_state import tab_state

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("use_engine")]


@pytest.fixture(autouse=True)
def _builtin_engine() -> Iterator[None]:
    search.use_external(None)
    yield
    search.reset_external()


async def _search(q: str) -> SearchState:
    state = await tab_state(SearchState, path=f"/search?q={q}")
    await SearchState.load.fn(state)
    return state


async def test_each_outcome_has_its_own_wording(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    session.commit()
    commit_post(session, susan, "Walking the marmalade dog")
    commit_post(session, susan, "A susurrus of leaves")

    people = await _search("sus")  # susan by name; no post has a word "sus"
    assert (people.found, [u.username for u in people.users], people.total) == (
        "people",
        ["susan"],
        0,
    )

    posts = await _search("marmalade")
    assert (posts.found, posts.users, posts.total) == ("posts", [], 1)

    both = await _search("susurrus")  # no one is called that: posts only...
    assert both.found == "posts"
    add_user(session, "susurrus")  # ...until someone is
    session.commit()
    both = await _search("susurrus")
    assert (both.found, [u.username for u in both.users], both.total) == (
        "both",
        ["susurrus"],
        1,
    )

    neither = await _search("qqqqxqqqq")
    assert (neither.found, neither.users, neither.total) == ("none", [], 0)
