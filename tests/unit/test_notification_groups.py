"""Likes and boosts of one post are one line of the notifications list, grouped in the database:
one line per (kind, post) however many pages its likes span, the newest person first, the true
count of the others, unread when any of them is, paginated by lines; the badge counts lines.

Checked against a model of the rules kept in Python (random likes, unlikes, boosts, unboosts
and reads), under concurrent likers, and by the plans the lists' statements get on SQLite and
PostgreSQL (one range of the lines' partial index, no COUNT)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.models import Notification, User, table_of
from microblog.services import notifications, reactions
from microblog.services.follows import follow
from microblog.services.notifications import (
    list_notifications,
    mark_all_read,
    read_notifications,
    unread_count,
    unread_counts,
)
from microblog.services.posts import create_post
from tests.query_plans import plans_of, statements_sent
from tests.unit.test_reaction_counters import _run_together

AddUser = Callable[..., User]
_N = table_of(Notification).c


def _lines(session: Session, user_id: int, per_page: int = 100) -> list[tuple[str, str, bool]]:
    """Every line of the user's list, page after page: (kind, text, unread)."""
    found: list[tuple[str, str, bool]] = []
    page = 1
    while True:
        listing = list_notifications(session, user_id=user_id, page=page, per_page=per_page)
        found += [(row.kind, row.text, row.unread) for row in listing.items]
        if not listing.has_next:
            return found
        page += 1


def test_thirty_likers_across_a_page_boundary_are_one_line(
    session: Session, add_user: AddUser
) -> None:
    """A page of 10 rows used to hold 10 of the 30 likes: three lines, "… and 9 others",
    "… and 9 others", "… and 9 others", one a page. Now: one line, counting all of them."""
    owner = add_user(session, "owner")
    post = create_post(session, author_id=owner.id, body="liked a lot")
    fans = [add_user(session, f"fan{n:02}") for n in range(30)]
    for n, fan in enumerate(fans):
        reactions.like_post(session, user_id=fan.id, post_id=post.id)
        if n % 7 == 0:  # other notifications in between
            follow(session, follower_id=fan.id, followed_id=owner.id)
    session.commit()

    first = list_notifications(session, user_id=owner.id, page=1, per_page=3)
    assert [(r.kind, r.text) for r in first.items] == [
        ("like", "fan29 and 29 others liked your post."),
        ("follower", "fan28 started following you."),
        ("follower", "fan21 started following you."),
    ]
    assert first.has_next and not first.has_prev
    second = list_notifications(session, user_id=owner.id, page=2, per_page=3)
    assert [r.text for r in second.items] == [
        "fan14 started following you.",
        "fan07 started following you.",
        "fan00 started following you.",
    ]
    assert not second.has_next and second.has_prev
    assert first.items[0].href == f"/post/{post.id}"
    assert unread_count(session, user_id=owner.id) == 6  # lines, not rows


def test_pages_hold_lines_each_with_its_true_count(session: Session, add_user: AddUser) -> None:
    """Twelve posts, each liked by three people and boosted by one, the reactions of all posts
    interleaved: 24 lines, 5 a page, in the order of each line's newest reaction."""
    owner = add_user(session, "owner")
    fans = [add_user(session, f"fan{n}") for n in range(3)]
    posts = [create_post(session, author_id=owner.id, body=f"post {n}") for n in range(12)]
    for fan in fans:
        for post in posts:
            reactions.like_post(session, user_id=fan.id, post_id=post.id)
    for post in posts:
        reactions.boost_post(session, user_id=fans[0].id, post_id=post.id)
    session.commit()

    pages = [list_notifications(session, user_id=owner.id, page=n, per_page=5) for n in range(1, 6)]
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 4]
    assert [p.has_next for p in pages] == [True, True, True, True, False]
    rows = [row for p in pages for row in p.items]
    boosts = [r for r in rows if r.kind == "boost"]
    likes = [r for r in rows if r.kind == "like"]
    assert [r.href for r in boosts] == [f"/post/{p.id}" for p in reversed(posts)]
    assert [r.href for r in likes] == [f"/post/{p.id}" for p in reversed(posts)]
    assert {r.text for r in boosts} == {"fan0 boosted your post."}
    assert {r.text for r in likes} == {"fan2 and 2 others liked your post."}
    assert rows[:12] == boosts  # the boosts came last, so they are the newest lines


def test_a_group_is_unread_when_its_newest_is_and_the_badge_counts_lines(
    session: Session, add_user: AddUser
) -> None:
    owner = add_user(session, "owner")
    ann, bob, cy = (add_user(session, n) for n in ("ann", "bob", "cy"))
    liked, quiet = (create_post(session, author_id=owner.id, body=b) for b in ("a", "b"))
    reactions.like_post(session, user_id=ann.id, post_id=liked.id)
    reactions.like_post(session, user_id=bob.id, post_id=quiet.id)
    session.commit()
    assert unread_count(session, user_id=owner.id) == 2
    mark_all_read(session, user_id=owner.id)
    session.commit()
    assert unread_count(session, user_id=owner.id) == 0

    for fan in (bob, cy):  # two more likes of the first post: one more unread line
        reactions.like_post(session, user_id=fan.id, post_id=liked.id)
    session.commit()
    assert _lines(session, owner.id) == [
        ("like", "cy and 2 others liked your post.", True),
        ("like", "bob liked your post.", False),
    ]
    assert unread_count(session, user_id=owner.id) == 1
    assert unread_counts(session, user_ids=[owner.id, ann.id]) == {owner.id: 1}


def test_liking_again_counts_a_person_once(session: Session, add_user: AddUser) -> None:
    """Liked, seen, unliked (a seen like stays), liked again: ann is one of the two."""
    owner, ann, bob = (add_user(session, n) for n in ("owner", "ann", "bob"))
    post = create_post(session, author_id=owner.id, body="x")
    reactions.like_post(session, user_id=ann.id, post_id=post.id)
    reactions.like_post(session, user_id=bob.id, post_id=post.id)
    session.commit()
    read_notifications(session, user_id=owner.id, page=1, per_page=10)
    session.commit()
    reactions.unlike_post(session, user_id=ann.id, post_id=post.id)
    session.commit()
    assert _lines(session, owner.id) == [("like", "bob and 1 other liked your post.", False)]
    reactions.like_post(session, user_id=ann.id, post_id=post.id)
    session.commit()
    assert _lines(session, owner.id) == [("like", "ann and 1 other liked your post.", True)]
    stored = session.execute(select(func.count()).where(_N.user_id == owner.id)).scalar_one()
    assert stored == 2


def test_taking_back_an_unread_like_moves_the_line(session: Session, add_user: AddUser) -> None:
    owner = add_user(session, "owner")
    ann, bob, cy = (add_user(session, n) for n in ("ann", "bob", "cy"))
    post = create_post(session, author_id=owner.id, body="x")
    for fan in (ann, bob, cy):
        reactions.like_post(session, user_id=fan.id, post_id=post.id)
    session.commit()
    reactions.unlike_post(session, user_id=bob.id, post_id=post.id)  # from the middle
    session.commit()
    assert _lines(session, owner.id) == [("like", "cy and 1 other liked your post.", True)]
    reactions.unlike_post(session, user_id=cy.id, post_id=post.id)  # the line itself
    session.commit()
    assert _lines(session, owner.id) == [("like", "ann liked your post.", True)]
    reactions.unlike_post(session, user_id=ann.id, post_id=post.id)
    session.commit()
    assert _lines(session, owner.id) == []
    assert unread_count(session, user_id=owner.id) == 0


# -- against a model of the rules ------------------------------------------------------------


@dataclass
class _Model:
    """What the list should say, from the rules alone: each (kind, post) group keeps each
    person's newest like (seq numbers stand for ids); taking one back removes it only if it is
    unread (seq above the marker)."""

    marker: int = 0
    seq: int = 0
    groups: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)

    def add(self, kind: str, post: int, actor: str) -> None:
        self.seq += 1
        self.groups.setdefault((kind, post), {})[actor] = self.seq

    def take_back(self, kind: str, post: int, actor: str) -> None:
        group = self.groups.get((kind, post), {})
        if group.get(actor, 0) > self.marker:
            del group[actor]

    def read(self) -> None:
        self.marker = self.seq

    def lines(self, verbs: dict[str, str]) -> list[tuple[str, str, bool]]:
        found = []
        for (kind, _post), group in self.groups.items():
            if not group:
                continue
            newest = max(group, key=group.__getitem__)
            others = len(group) - 1
            verb = verbs[kind]
            text = f"{newest} {verb} your post."
            if others:
                plural = "other" if others == 1 else "others"
                text = f"{newest} and {others} {plural} {verb} your post."
            found.append((group[newest], (kind, text, group[newest] > self.marker)))
        return [line for _, line in sorted(found, reverse=True)]


def test_random_reactions_match_the_model(session: Session, add_user: AddUser) -> None:
    owner = add_user(session, "owner")
    fans = [add_user(session, f"fan{n}") for n in range(6)]
    posts = [create_post(session, author_id=owner.id, body=f"p{n}").id for n in range(4)]
    session.commit()
    rng = random.Random(19)
    model = _Model()
    doing = {
        "like": (reactions.like_post, "like", True),
        "unlike": (reactions.unlike_post, "like", False),
        "boost": (reactions.boost_post, "boost", True),
        "unboost": (reactions.unboost_post, "boost", False),
    }
    state: dict[tuple[str, int, int], bool] = {}  # what each fan has done to each post
    for step in range(300):
        if rng.random() < 0.08:
            mark_all_read(session, user_id=owner.id)
            session.commit()
            model.read()
            continue
        action = rng.choice(list(doing))
        fan, post = rng.choice(fans), rng.choice(posts)
        service, kind, adding = doing[action]
        service(session, user_id=fan.id, post_id=post)
        session.commit()
        done = state.get((kind, fan.id, post), False)
        if adding and not done:
            model.add(kind, post, fan.username)
        elif not adding and done:
            model.take_back(kind, post, fan.username)
        state[(kind, fan.id, post)] = adding
        if step % 25 == 0:
            verbs = {"like": "liked", "boost": "boosted"}
            assert _lines(session, owner.id, per_page=3) == model.lines(verbs), step
    verbs = {"like": "liked", "boost": "boosted"}
    assert _lines(session, owner.id, per_page=3) == model.lines(verbs)
    unread = sum(1 for _, _, new in model.lines(verbs) if new)
    assert unread_count(session, user_id=owner.id) == unread


# -- concurrency -----------------------------------------------------------------------------


def test_concurrent_likers_leave_one_line_counting_everyone(
    engine: Engine, add_user: AddUser
) -> None:
    """16 people like one post at the same moment, each in their own transaction: one line,
    its newest liker first, 15 others."""
    with Session(engine) as session:
        owner = add_user(session, "owner")
        fans = [add_user(session, f"fan{n}").id for n in range(16)]
        post = create_post(session, author_id=owner.id, body="everyone likes this").id
        session.commit()
        owner_id = owner.id

    def liker(fan: int) -> Callable[[], None]:
        def work() -> None:
            with Session(engine) as session:
                reactions.like_post(session, user_id=fan, post_id=post)
                session.commit()

        return work

    _run_together([liker(fan) for fan in fans])
    with Session(engine) as session:
        (line,) = list_notifications(session, user_id=owner_id, page=1, per_page=10).items
        newest = session.execute(select(func.max(_N.id)).where(_N.user_id == owner_id)).scalar()
        assert line.id == newest
        assert line.text == f"{line.actor_username} and 15 others liked your post."


# -- the statements and their plans ----------------------------------------------------------


def _statements(engine: Engine, run: Callable[[Session], object]) -> list[tuple[str, object]]:
    return statements_sent(engine, run)


def _plans(engine: Engine, sent: list[tuple[str, object]]) -> list[str]:
    return plans_of(engine, sent, analyze=["notification"])


def _many_notifications(session: Session, owner: User, fans: list[User]) -> int:
    """Rows in bulk: 40 posts, each liked by every fan, and a follow per fan."""
    posts = [create_post(session, author_id=owner.id, body=f"p{n}").id for n in range(40)]
    rows = [
        {"user_id": owner.id, "kind": "like", "actor_id": fan.id, "post_id": post, "others": None}
        for post in posts
        for fan in fans
    ]
    session.execute(insert(table_of(Notification)), rows)
    session.commit()
    for post in posts:  # each group's newest row is its line
        newest = session.execute(
            select(func.max(_N.id)).where(_N.user_id == owner.id, _N.post_id == post)
        ).scalar_one()
        session.execute(
            update(table_of(Notification)).where(_N.id == newest).values(others=len(fans) - 1)
        )
    session.commit()
    return posts[0]


def test_the_list_and_the_badge_read_the_lines_index(
    session: Session, engine: Engine, add_user: AddUser
) -> None:
    owner = add_user(session, "owner")
    fans = [add_user(session, f"fan{n}") for n in range(20)]
    _many_notifications(session, owner, fans)

    sent = _statements(
        engine, lambda db: list_notifications(db, user_id=owner.id, page=3, per_page=5)
    )
    (listing,) = [s for s in sent if "FROM notification" in s[0] or "notification.id" in s[0]]
    assert "count(" not in listing[0].lower()
    (plan,) = _plans(engine, [listing])
    assert "ix_notification_lines" in plan, plan
    page = list_notifications(session, user_id=owner.id, page=3, per_page=5)
    assert [r.text for r in page.items] == ["fan19 and 19 others liked your post."] * 5

    badge = _statements(engine, lambda db: unread_count(db, user_id=owner.id, read_up_to=0))
    assert "ix_notification_lines" in _plans(engine, badge)[0]
    assert unread_count(session, user_id=owner.id, read_up_to=0) == 40


def test_a_like_and_an_unlike_find_their_group_by_its_indexes(
    session: Session, engine: Engine, add_user: AddUser
) -> None:
    owner = add_user(session, "owner")
    fans = [add_user(session, f"fan{n}") for n in range(20)]
    post = _many_notifications(session, owner, fans)
    newcomer = add_user(session, "newcomer")
    session.commit()

    def like_then_unlike(db: Session) -> None:
        notifications.notify(db, user_id=owner.id, kind="like", actor_id=newcomer.id, post_id=post)
        notifications.withdraw(
            db, user_id=owner.id, kind="like", actor_id=newcomer.id, post_id=post
        )

    sent = [s for s in _statements(engine, like_then_unlike) if s[0].startswith("SELECT")]
    group_reads = [s for s in sent if "notification.kind IN ('like', 'boost')" in s[0]]
    assert len(group_reads) == 4  # the line, my row; my unread row, the newest remaining
    plans = _plans(engine, group_reads)
    for plan in plans[:3]:
        assert "uq_notification_group" in plan, plan
    assert "ix_notification_group " in plans[3] + " ", plans[3]


def test_an_open_page_reading_again_keeps_what_was_new_flagged(
    session: Session, add_user: AddUser
) -> None:
    """The Notifications page marks everything read when it opens and each time it reads again
    (something arrived); what was new when it opened, and what arrived since, stays flagged new
    there until it is left."""
    owner, ann, bob = (add_user(session, n) for n in ("owner", "ann", "bob"))
    post = create_post(session, author_id=owner.id, body="x")
    reactions.like_post(session, user_id=ann.id, post_id=post.id)
    session.commit()
    opened = read_notifications(session, user_id=owner.id, page=1, per_page=10)
    session.commit()
    assert [r.unread for r in opened.listing.items] == [True]
    reactions.like_post(session, user_id=bob.id, post_id=post.id)
    session.commit()
    for _ in range(2):  # the like's own event, then the one marking it read
        again = read_notifications(
            session, user_id=owner.id, page=1, per_page=10, new_after=opened.new_after
        )
        session.commit()
        assert [(r.text, r.unread) for r in again.listing.items] == [
            ("bob and 1 other liked your post.", True)
        ]
    assert unread_count(session, user_id=owner.id) == 0
    reopened = read_notifications(session, user_id=owner.id, page=1, per_page=10)
    assert [r.unread for r in reopened.listing.items] == [False]
