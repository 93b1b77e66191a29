"""The built-in search engines against real databases (SQLite FTS5; PostgreSQL full text when
TEST_DATABASE_URL is set): ranking, typo tolerance, the index following creates and deletes in
the same transaction, highlighting, deep paging, capped counts, users by name, reindex."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.services import posts, reactions, search
from microblog.services.errors import Forbidden
from microblog.services.search import builtin, vocabulary
from microblog.services.search.analysis import (
    highlight,
    neighbours,
    query_words,
    within_one_edit,
)
from tests.search_helpers import commit_post, search_ids


@pytest.fixture(autouse=True)
def _builtin_engine() -> None:
    search.use_external(None)
    yield
    search.reset_external()


def test_finds_posts_ranked_by_relevance(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    once = commit_post(
        session, susan, "A long walk by the river, then bread and a nap at home today"
    )
    twice = commit_post(session, susan, "river river")
    commit_post(session, susan, "Nothing to see here")
    found = search_ids(session, "river")
    assert found == [twice, once]  # more occurrences in a shorter post rank first


def test_every_word_must_match(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    both = commit_post(session, susan, "coffee and croissants")
    commit_post(session, susan, "coffee only")
    assert search_ids(session, "croissants coffee") == [both]


def test_one_wrong_letter_still_finds_the_post(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    wanted = commit_post(session, susan, "Learning python with reflex")
    for typo in ("pyhton", "pythn", "pythom", "pythonn", "Pyth0n"):
        assert search_ids(session, typo) == [wanted], typo
    # Two wrong letters are too many, and short words are not corrected.
    assert search_ids(session, "pyhtom") == []


def test_a_known_word_is_not_expanded(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    coffee = commit_post(session, susan, "Morning coffee")
    commit_post(session, susan, "Sweet toffee")
    results = search.search_posts(session, q="coffee", page=1, per_page=25)
    assert [p.id for p in results.posts] == [coffee]
    assert results.expanded == {}
    assert search.search_posts(session, q="coffe", page=1, per_page=25).expanded == {
        "coffe": ["coffee"]
    }


def test_stemming_finds_other_forms(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    wanted = commit_post(session, susan, "Testing the deploys")
    assert search_ids(session, "deploy") == [wanted]


def test_deleted_post_leaves_the_index_in_the_same_transaction(
    session: Session, add_user: Callable
) -> None:
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "ephemeral thoughts")
    assert search_ids(session, "ephemeral") == [post_id]
    posts.delete_post(session, post_id=post_id, user_id=susan.id)
    assert search_ids(session, "ephemeral") == []  # before the commit, in the same transaction
    session.rollback()
    assert search_ids(session, "ephemeral") == [post_id]  # a rolled-back delete keeps it
    posts.delete_post(session, post_id=post_id, user_id=susan.id)
    session.commit()
    assert search_ids(session, "ephemeral") == []


def test_someone_elses_post_cannot_be_deleted(session: Session, add_user: Callable) -> None:
    susan, john = add_user(session, "susan"), add_user(session, "john")
    post_id = commit_post(session, susan, "mine alone")
    with pytest.raises(Forbidden):
        posts.delete_post(session, post_id=post_id, user_id=john.id)
    assert search_ids(session, "alone") == [post_id]


def test_an_edited_body_is_reindexed(session: Session, add_user: Callable) -> None:
    """No edit feature yet, but the index follows an UPDATE of the body (trigger/expression)."""
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "sunrise photo")
    session.execute(text("UPDATE post SET body = 'sunset photo' WHERE id = :i"), {"i": post_id})
    session.commit()
    assert search_ids(session, "sunrise") == []
    assert search_ids(session, "sunset") == [post_id]


def test_rolled_back_post_is_not_found(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    session.commit()
    posts.create_post(session, author_id=susan.id, body="phantom menace")
    session.rollback()
    assert search_ids(session, "phantom") == []
    assert session.execute(text("SELECT count(*) FROM search_term")).scalar() == 0


def test_query_syntax_is_never_interpreted(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    wanted = commit_post(session, susan, 'He said "NEAR" AND OR NOT (x) * ^ : | & !')
    for q in ('"', "NEAR(", "AND OR NOT", "*", "body:x", "a & | ! b", "(((", "'; DROP TABLE post"):
        search.search_posts(session, q=q, page=1, per_page=25)  # never raises
    assert search_ids(session, "near") == [wanted]
    assert search_ids(session, "") == []
    assert search_ids(session, "   ") == []


def test_paging_is_stable_past_the_ranked_window(
    engine: Engine, session: Session, add_user: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a ranked window of 7 and 30 matches, pages of 4 walk all 30 exactly once: the
    window's 7 ranked first, then the rest newest first."""
    dialect = engine.dialect.name
    small = builtin.PostgresEngine if dialect == "postgresql" else builtin.SqliteEngine
    monkeypatch.setattr(search, "builtin_engine", lambda _d: small(rank_window=7, count_cap=10))
    susan = add_user(session, "susan")
    ids = [commit_post(session, susan, "garden " * (1 + i % 3) + f"note {i}") for i in range(30)]
    commit_post(session, susan, "unrelated")
    seen: list[int] = []
    page = 1
    while True:
        results = search.search_posts(session, q="garden", page=page, per_page=4)
        seen += [p.id for p in results.posts]
        assert results.total == 10 and results.total_capped
        if not results.has_next:
            break
        page += 1
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 30
    newest_seven = sorted(ids)[-7:]
    assert sorted(seen[:7]) == newest_seven  # the ranked window comes first
    assert seen[7:] == sorted(set(ids) - set(newest_seven), reverse=True)


def test_exact_count_below_the_cap(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    for i in range(3):
        commit_post(session, susan, f"bicycle {i}")
    results = search.search_posts(session, q="bicycle", page=1, per_page=2)
    assert (results.total, results.total_capped, results.has_next) == (3, False, True)
    second = search.search_posts(session, q="bicycle", page=2, per_page=2)
    assert (len(second.posts), second.has_next, second.has_prev) == (1, False, True)


def test_results_carry_highlight_segments(session: Session, add_user: Callable) -> None:
    susan = add_user(session, "susan")
    commit_post(session, susan, "<script>alert(1)</script> Python rocks")
    (row,) = search.search_posts(session, q="pyhton", page=1, per_page=25).posts
    assert "".join(s.text for s in row.segments) == row.body  # nothing added, nothing lost
    assert [s.text for s in row.segments if s.hit] == ["Python"]
    assert row.author_username == "susan"
    assert "email" not in vars(row) and "password_hash" not in vars(row)


def test_users_found_by_name(session: Session, add_user: Callable) -> None:
    for name in ("susan", "susannah", "Sue", "john"):
        add_user(session, name)
    session.commit()
    assert [u.username for u in search.search_users(session, q="susan")] == ["susan", "susannah"]
    assert [u.username for u in search.search_users(session, q="SU")] == [
        "Sue",
        "susan",
        "susannah",
    ]
    assert search.search_users(session, q="%") == []
    assert search.search_users(session, q="nobody") == []


def test_reindex_refills_the_vocabulary(
    engine: Engine, session: Session, add_user: Callable
) -> None:
    susan = add_user(session, "susan")
    wanted = commit_post(session, susan, "Remarkable sunsets")
    session.execute(text("DELETE FROM search_term"))
    session.commit()
    assert search_ids(session, "sunzets") == []
    assert search.reindex(engine, batch_size=1, progress=lambda _m: None) == 1
    assert search_ids(session, "sunzets") == [wanted]
    assert search_ids(session, "remarkable") == [wanted]


def test_vocabulary_expands_unknown_words_only(session: Session, add_user: Callable) -> None:
    vocabulary.add_term_set(session, {"python", "pylon", "coffee"})
    assert vocabulary.expand(session, ["pyton", "coffee", "xy"]) == {"pyton": ["pylon", "python"]}


# -- text analysis (no database) ---------------------------------------------------------------


def test_neighbours_cover_every_single_edit() -> None:
    near = neighbours("python")
    for typo in ("pyhton", "pythn", "pythom", "pythonn", "xpython"):
        assert typo in near
    assert "python" not in near
    assert neighbours("abc") == set()


def test_within_one_edit() -> None:
    assert within_one_edit("python", "pyhton")
    assert within_one_edit("python", "pythn")
    assert within_one_edit("python", "pythons")
    assert not within_one_edit("python", "ptyhno")
    assert not within_one_edit("python", "java")


def test_query_words_are_bounded() -> None:
    assert query_words("Hello, hello WORLD_wide") == ["hello", "world", "wide"]
    assert len(query_words(" ".join(f"w{i}" for i in range(50)))) == 8


def test_highlight_keeps_the_text_and_marks_matches() -> None:
    segments = highlight("I <3 Pyhton & tests.", ["python", "test"])
    assert "".join(s.text for s in segments) == "I <3 Pyhton & tests."
    assert [s.text for s in segments if s.hit] == ["Pyhton", "tests"]
    assert highlight("", ["x"])[0].text == ""


def test_replies_and_tagged_posts_are_found_and_boosts_never(
    session: Session, add_user: Callable
) -> None:
    """A reply and a post with a hashtag are posts like any other; a boost (a row with no text
    of its own) is never a result, however many people boosted the post."""
    susan, john, mary = (add_user(session, n) for n in ("susan", "john", "mary"))
    tagged = commit_post(session, susan, "Tips for the allotment #gardening")
    reply = posts.create_post(
        session, author_id=john.id, body="Gardening saves my weekends", reply_to_id=tagged
    )
    session.commit()
    for user in (john, mary):
        reactions.boost_post(session, user_id=user.id, post_id=tagged)
    session.commit()
    assert sorted(search_ids(session, "gardening")) == sorted([tagged, reply.id])
    assert search_ids(session, "#gardening") == search_ids(session, "gardening")
    boosts = session.execute(text("SELECT id FROM post WHERE boost_of_id = :i"), {"i": tagged})
    assert len(boosts.all()) == 2
    results = search.search_posts(session, q="allotment", page=1, per_page=25)
    assert [p.id for p in results.posts] == [tagged] and results.total == 1


def test_an_edit_through_the_service_is_reindexed(session: Session, add_user: Callable) -> None:
    """edit_post changes the body in place: the index (trigger or generated column) follows,
    and the new words join the typo vocabulary."""
    susan = add_user(session, "susan")
    post_id = commit_post(session, susan, "morning sunrise photo")
    posts.edit_post(session, post_id=post_id, user_id=susan.id, body="evening twilight photo")
    session.commit()
    assert search_ids(session, "sunrise") == []
    assert search_ids(session, "twilight") == [post_id]
    assert search_ids(session, "twiligth") == [post_id]  # one wrong letter, a new word
    assert search_ids(session, "photo") == [post_id]
