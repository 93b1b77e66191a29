"""Fill the database with demo data (a living site for newcomers) or the scale data set used by
the benchmarks (10,000 users, 1,000,000 posts, 50 follows each, one user following 500).

Both have conversations in about the proportions of a real site (`Conversation`): replies,
boosts, likes with a long tail, hashtags from a Zipf-like vocabulary and mentions, with every
counter on a post equal to the rows it counts and every body rendered as the post service
renders it. Bulk inserts go through SQLAlchemy Core in large batches; a scale seed takes a few
minutes.
"""

from __future__ import annotations

import io
import random
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from microblog.config import get_settings
from microblog.models import (
    AuthSession,
    Follow,
    Like,
    LoginTicket,
    MediaAttachment,
    Mention,
    Post,
    PostTag,
    Tag,
    User,
    utcnow,
)
from microblog.security import hash_password
from microblog.services import notifications
from microblog.services.lookalikes import username_skeleton
from microblog.services.media.attachments import media_json, store_image
from microblog.services.media.images import process_image
from microblog.services.media.store import MediaStore
from microblog.services.messages import send_message
from microblog.services.rich_text import render_post
from microblog.services.search import vocabulary
from microblog.services.search.analysis import vocabulary_terms

DEMO_PASSWORD = "microblog-demo"  # noqa: S105 (demo data only)
HEAVY_FOLLOWER = "heavy"

_WORDS = """
reflex python sqlite postgres coffee morning release friday weekend garden bike rain sunny music
guitar book chapter tutorial flask websocket live feed follow microblog deploy test pytest benchmark
index query cache redis search travel train city river mountain bread pizza dinner friends family
cat dog walk run code review ship bug fix idea plan week
""".split()  # noqa: SIM905 (a word list reads better as text)
_OPENERS = ("Just", "Today I", "Finally", "Anyone else", "Thinking about", "Loving", "New post:")
_ABOUT = (
    "Python developer and occasional baker.",
    "I write tests before breakfast.",
    "Databases, bicycles and bad puns.",
    "Learning Reflex one page at a time.",
    "Here for the microblogging.",
    "Coffee first, then code.",
)
_DEMO_NAMES = (
    "susan",
    "john",
    "mary",
    "david",
    "amira",
    "kenji",
    "lucia",
    "olga",
    "pedro",
    "wei",
    "nadia",
    "tom",
)


# A few private conversations, oldest first (sender, recipient, text), so that Messages and
# Notifications show what they are for on the demo site, and the audit (benchmarks/
# bench_audit.py, signed in as susan) measures them with something on them.
_DEMO_MESSAGES = (
    ("john", "susan", "Are you coming to the meetup on Thursday?"),
    ("susan", "john", "Yes! I'll bring the slides about the new search."),
    ("john", "susan", "Great, see you there."),
    ("mary", "susan", "Thanks for the tip about the release notes."),
    ("david", "susan", "Could you look at my post about caching when you have a minute?"),
    ("susan", "david", "Sure, tonight."),
    ("amira", "susan", "Loved your thread on databases."),
    ("kenji", "mary", "Lunch tomorrow?"),
    ("mary", "kenji", "Tomorrow works."),
    ("lucia", "tom", "Welcome to the site!"),
)


def _seed_inbox(engine: Engine, follows: set[tuple[int, int]]) -> int:
    """The demo's private messages (each notifies its recipient, as a sent message does) and a
    notification for each follow; returns how many messages."""
    id_of = {name: n + 1 for n, name in enumerate(_DEMO_NAMES)}
    with Session(engine) as session:
        for follower, followed in sorted(follows):
            notifications.notify(
                session, user_id=followed, kind=notifications.FOLLOWER, actor_id=follower
            )
        for sender, recipient, body in _DEMO_MESSAGES:
            send_message(session, sender_id=id_of[sender], recipient_username=recipient, body=body)
        session.commit()
    return len(_DEMO_MESSAGES)


def _sentence(rng: random.Random) -> str:
    words = rng.sample(_WORDS, rng.randint(4, 12))
    return f"{rng.choice(_OPENERS)} {' '.join(words)}."[:140]


def _clear(engine: Engine) -> None:
    """Remove every user and everything that hangs off them.

    PostgreSQL: one TRUNCATE, which frees the pages at once and restarts the id sequences.
    DELETE would leave a million dead rows behind (a much slower re-seed, and index-only
    scans that still visit the table until a VACUUM). CASCADE also empties any table that
    references these. SQLite: DELETE, whose foreign keys cascade the same way.
    """
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "TRUNCATE login_ticket, auth_session, post_like, post_tag, mention, tag, "
                'media_attachment, post, follow, "user" RESTART IDENTITY CASCADE'
            )
            return
        # The children first: each is one pass over its table instead of a cascade per post.
        # Attachments too: a post's deletion would only unlink them (SET NULL). Their files
        # stay in the store; a re-seed writes the same pictures under the same names.
        children = (LoginTicket, AuthSession, Like, PostTag, Mention, Tag, MediaAttachment)
        for model in (*children, Post, Follow, User):
            conn.execute(delete(model))


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- conversations: replies, boosts, likes, tags and mentions ----------------------------------


@dataclass(frozen=True)
class Proportions:
    """The share of posts of each kind, as on a lively Mastodon server."""

    replies: float = 0.20
    boosts: float = 0.05
    self_threads: float = 0.10  # of replies: an author continuing their own thread
    tagged: float = 0.10
    mentions: float = 0.05
    likes_tail: float = 1.22  # Pareto shape: about 3 likes a post, some with hundreds
    most_likes: int = 2000


@dataclass
class Conversation:
    """The shape of every post (who, when, answering or boosting what) and the counters that
    follow from it, decided before a row is written so each post row carries its counters.
    Post `i` (0-based) gets id `i + 1`; ids grow with time, so a reply or boost always comes
    after the post it refers to."""

    author: array[int]
    seconds_ago: array[int]
    reply_to: array[int]  # index of the post answered, -1 for none
    boost_of: array[int]  # index of the post boosted, -1 for none
    likes: array[int]
    replies: array[int] = field(default_factory=lambda: array("i"))
    boosts: array[int] = field(default_factory=lambda: array("i"))


def plan_conversation(
    rng: random.Random,
    *,
    posts: int,
    users: int,
    span_seconds: int,
    shares: Proportions = Proportions(),
) -> Conversation:
    """Decide every post's kind, author, time and like count (users are ids 1..users)."""
    seconds = sorted((rng.randint(60, span_seconds) for _ in range(posts)), reverse=True)
    shape = Conversation(
        author=array("i", (rng.randint(1, users) for _ in range(posts))),
        seconds_ago=array("i", seconds),
        reply_to=array("i", [-1]) * posts,
        boost_of=array("i", [-1]) * posts,
        likes=array("i", [0]) * posts,
        replies=array("i", [0]) * posts,
        boosts=array("i", [0]) * posts,
    )
    boosted: set[tuple[int, int]] = set()
    for i in range(1, posts):
        roll = rng.random()
        if roll >= shares.replies + shares.boosts:
            continue
        # Mostly recent posts are answered and boosted: a parent a few hundred posts back.
        j = max(0, i - 1 - int(rng.expovariate(1 / 300)))
        if shape.boost_of[j] >= 0:
            j = shape.boost_of[j]
        if roll < shares.boosts:
            booster = shape.author[i]
            if booster == shape.author[j] or (j, booster) in boosted:
                continue  # one boost per user and post, never one's own: an ordinary post
            boosted.add((j, booster))
            shape.boost_of[i] = j
            shape.boosts[j] += 1
        else:
            if rng.random() < shares.self_threads:
                shape.author[i] = shape.author[j]
            shape.reply_to[i] = j
            shape.replies[j] += 1
    for i in range(posts):
        if shape.boost_of[i] < 0:
            likes = int(rng.paretovariate(shares.likes_tail)) - 1
            shape.likes[i] = min(likes, users, shares.most_likes)
    return shape


def _tag_vocabulary(size: int) -> tuple[list[str], list[float]]:
    """Hashtag names and the cumulative weights of a Zipf law (rank r drawn ∝ 1/r)."""
    names = list(dict.fromkeys(_WORDS))
    names += [f"{a}{b}" for a in _WORDS for b in _WORDS if a != b]
    names = names[:size]
    return names, list(accumulate(1 / rank for rank in range(1, len(names) + 1)))


def _known_users(
    username_of: Callable[[int], str], users: int
) -> Callable[[set[str]], dict[str, str]]:
    """What the renderer asks the database (which mentioned names exist), answered from the
    seed's own users without a query."""
    names = {username_of(i).lower(): username_of(i) for i in range(1, users + 1)}

    def known(wanted: set[str]) -> dict[str, str]:
        return {name.lower(): names[name.lower()] for name in wanted if name.lower() in names}

    return known


@dataclass
class _Links:
    """What the post rows wrote besides themselves, inserted after them."""

    tags: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)


# -- pictures ------------------------------------------------------------------------------------

PICTURE_COUNT = 12
"""Distinct pictures the scale seed stores; posts share them (see `seed_pictures`)."""
_PICTURE_SIZES = ((1200, 800), (800, 1200), (1000, 1000), (1600, 900), (640, 480), (900, 1600))
_PICTURES_PER_POST = ((1, 70), (2, 15), (3, 8), (4, 7))  # how many a post with pictures has
_ALT_SHARE = 0.6  # of pictures: described


def _picture_bytes(rng: random.Random, index: int) -> bytes:
    """One made-up upload: a gradient with a few shapes, as a JPEG (every fourth a PNG, as a
    screenshot would be), in the sizes and shapes phones and screens give."""
    width, height = _PICTURE_SIZES[index % len(_PICTURE_SIZES)]
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    top, bottom = (tuple(rng.randrange(256) for _ in range(3)) for _ in range(2))
    for y in range(height):
        mix = y / max(height - 1, 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(width // 20, width // 5)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "PNG" if index % 4 == 3 else "JPEG", quality=90)
    return out.getvalue()


def seed_pictures(
    store: MediaStore | None = None, *, count: int = PICTURE_COUNT, seed: int = 42
) -> list[dict[str, Any]]:
    """Store `count` distinct pictures once, through the app's own pipeline (checked,
    re-encoded, thumbnailed and named by content exactly as an upload is: services/media/), and
    return each one's attachment columns. Many posts then name the same files, as the same
    picture uploaded by many people does: the app deletes a file only when no row names it any
    more (services/media/attachments.py), so deleting one seeded post keeps the files the
    others use."""
    rng = random.Random(seed)
    pictures = []
    for index in range(count):
        image = process_image(_picture_bytes(rng, index))
        file_name, thumb_name = store_image(image, store)
        pictures.append(
            {
                "file_name": file_name,
                "thumb_name": thumb_name,
                "content_type": image.content_type,
                "width": image.width,
                "height": image.height,
                "thumb_width": image.thumb_width,
                "thumb_height": image.thumb_height,
                "blurhash": image.blurhash,
                "byte_size": len(image.display),
            }
        )
    return pictures


@dataclass
class _PicturePlan:
    """Which posts get pictures: `share` of the posts that are not boosts (a boost shows its
    original's), drawn from a generator of their own, so the rest of the data set is the same
    with or without pictures."""

    share: float
    catalogue: list[dict[str, Any]]
    rng: random.Random
    most: int
    next_id: int = 1

    def attach(
        self, *, post_id: int, author: int, timestamp: datetime, links: _Links
    ) -> tuple[str | None, str]:
        """The post's `media_json` and `media_alt_text`; its attachment rows go to `links`."""
        if not self.catalogue or self.rng.random() >= self.share:
            return None, ""
        counts, weights = zip(*_PICTURES_PER_POST, strict=True)
        wanted = min(self.rng.choices(counts, weights=weights)[0], self.most, len(self.catalogue))
        attached = []
        for position, picture in enumerate(self.rng.sample(self.catalogue, wanted)):
            alt = ""
            if self.rng.random() < _ALT_SHARE:
                alt = f"A picture of {' and '.join(self.rng.sample(_WORDS, 2))}"
            row = {
                "id": self.next_id,
                "user_id": author,
                "post_id": post_id,
                "position": position,
                **picture,
                "alt_text": alt,
                "created_at": timestamp,
            }
            self.next_id += 1
            links.media.append(row)
            attached.append(MediaAttachment(**row))
        # The card's copy, written by the function the app writes it with.
        return media_json(attached), "\n".join(r.alt_text for r in attached if r.alt_text)


def _conversation_rows(
    rng: random.Random,
    shape: Conversation,
    *,
    now: datetime,
    users: int,
    username_of: Callable[[int], str],
    links: _Links,
    tag_names: list[str],
    tag_weights: list[float],
    shares: Proportions = Proportions(),
    pictures: _PicturePlan | None = None,
) -> Iterator[dict[str, Any]]:
    """The post rows, ids 1..n, with their counters; tags, mentions and pictures go to `links`
    (tag ids are positions in `tag_names`, plus one). The HTML is the renderer's
    (services/rich_text.py), asked as the post service asks it, so it changes with the
    renderer."""
    known = _known_users(username_of, users)
    for i in range(len(shape.author)):
        post_id = i + 1
        author = shape.author[i]
        timestamp = now - timedelta(seconds=shape.seconds_ago[i])
        row: dict[str, Any] = {
            "id": post_id,
            "user_id": author,
            "timestamp": timestamp,
            "reply_count": shape.replies[i],
            "like_count": shape.likes[i],
            "boost_count": shape.boosts[i],
            "media_json": None,
            "media_alt_text": "",
        }
        if shape.boost_of[i] >= 0:
            row.update(
                body="",
                body_html="",
                language=None,
                reply_to_id=None,
                reply_to_user_id=None,
                boost_of_id=shape.boost_of[i] + 1,
            )
            yield row
            continue
        body = _sentence(rng)
        parent = shape.reply_to[i]
        if parent >= 0:
            row["reply_to_id"] = parent + 1
            row["reply_to_user_id"] = shape.author[parent]
        if rng.random() < shares.mentions:
            mentioned = rng.randint(1, users)
            if mentioned != author:
                body = f"@{username_of(mentioned)} {body}"
                links.mentions.append({"post_id": post_id, "user_id": mentioned})
        if rng.random() < shares.tagged:
            tag = rng.choices(range(len(tag_names)), cum_weights=tag_weights)[0]
            body = f"{body} #{tag_names[tag]}"
            links.tags.append({"post_id": post_id, "tag_id": tag + 1, "timestamp": timestamp})
        if pictures is not None:
            row["media_json"], row["media_alt_text"] = pictures.attach(
                post_id=post_id, author=author, timestamp=timestamp, links=links
            )
        # What search indexes: the body and the alt texts (attachments.searchable_text).
        links.terms.update(vocabulary_terms(f"{body}\n{row['media_alt_text']}"))
        row.update(
            body=body,
            body_html=render_post(body, known_users=known).html,
            language="en",
            reply_to_id=row.get("reply_to_id"),
            reply_to_user_id=row.get("reply_to_user_id"),
            boost_of_id=None,
        )
        yield row


def _like_rows(
    rng: random.Random, shape: Conversation, *, now: datetime, users: int
) -> Iterator[dict[str, Any]]:
    """`likes[i]` distinct users like post i, some time after it was written."""
    everyone = range(1, users + 1)
    for i, count in enumerate(shape.likes):
        if not count:
            continue
        after = shape.seconds_ago[i]
        for user in rng.sample(everyone, count):
            yield {
                "post_id": i + 1,
                "user_id": user,
                "created": now - timedelta(seconds=rng.randint(0, after)),
            }


def _insert_conversation(
    engine: Engine,
    rng: random.Random,
    shape: Conversation,
    *,
    now: datetime,
    users: int,
    username_of: Callable[[int], str],
    tag_count: int,
    progress: Callable[[str], object],
    shares: Proportions = Proportions(),
    pictures: _PicturePlan | None = None,
) -> dict[str, int]:
    """Insert the posts of `shape` and everything hanging off them; how many of each."""
    tag_names, tag_weights = _tag_vocabulary(tag_count)
    links = _Links()
    counts = {"posts": 0, "likes": 0, "tags": len(tag_names)}
    with engine.begin() as conn:
        conn.execute(insert(Tag), [{"id": n + 1, "name": name} for n, name in enumerate(tag_names)])
    rows = _conversation_rows(
        rng,
        shape,
        now=now,
        users=users,
        username_of=username_of,
        links=links,
        tag_names=tag_names,
        tag_weights=tag_weights,
        shares=shares,
        pictures=pictures,
    )
    for batch in _batches(rows, 20_000):
        with engine.begin() as conn:
            conn.execute(insert(Post), batch)
        counts["posts"] += len(batch)
        if counts["posts"] % 100_000 == 0:
            progress(f"  {counts['posts']:,} posts")
    progress(f"posts: {counts['posts']:,}")
    for batch in _batches(_like_rows(rng, shape, now=now, users=users), 50_000):
        with engine.begin() as conn:
            conn.execute(insert(Like), batch)
        counts["likes"] += len(batch)
    progress(f"likes: {counts['likes']:,}")
    for model, name, link_rows in (
        (PostTag, "tagged", links.tags),
        (Mention, "mentions", links.mentions),
        (MediaAttachment, "pictures", links.media),
    ):
        for start in range(0, len(link_rows), 50_000):
            with engine.begin() as conn:
                conn.execute(insert(model), link_rows[start : start + 50_000])
        counts[name] = len(link_rows)
    if links.media:
        counts["posts_with_pictures"] = len({row["post_id"] for row in links.media})
        progress(f"pictures: {len(links.media):,} on {counts['posts_with_pictures']:,} posts")
    counts["replies"] = sum(1 for parent in shape.reply_to if parent >= 0)
    counts["boosts"] = sum(1 for original in shape.boost_of if original >= 0)
    _fill_search_vocabulary(engine, links.terms)
    return counts


def seed_demo(engine: Engine, *, seed: int = 7) -> dict[str, int]:
    """A dozen users with bios, a few hundred posts over four weeks (some of them replies,
    boosts, with tags and mentions, and liked), a web of follows, and a few private
    conversations with the notifications they and the follows make."""
    rng = random.Random(seed)
    _clear(engine)
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    with engine.begin() as conn:
        conn.execute(
            insert(User),
            [
                {
                    "id": i + 1,
                    "username": name,
                    "username_skeleton": username_skeleton(name),
                    "email": f"{name}@example.com",
                    "password_hash": password_hash,
                    "about_me": rng.choice(_ABOUT),
                    "last_seen": now - timedelta(minutes=rng.randint(1, 5000)),
                    "created": now - timedelta(days=35),
                }
                for i, name in enumerate(_DEMO_NAMES)
            ],
        )
        ids = list(range(1, len(_DEMO_NAMES) + 1))
        follows = {(a, b) for a in ids for b in rng.sample(ids, 5) if a != b}
        conn.execute(
            insert(Follow),
            [{"follower_id": a, "followed_id": b, "created": now} for a, b in sorted(follows)],
        )
    # A small site's posts get more replies and fewer likes than a large one's.
    shares = Proportions(replies=0.30, boosts=0.08, tagged=0.25, mentions=0.10, likes_tail=1.6)
    shape = plan_conversation(
        rng, posts=360, users=len(ids), span_seconds=28 * 24 * 3600, shares=shares
    )
    counts = _insert_conversation(
        engine,
        rng,
        shape,
        now=now,
        users=len(ids),
        username_of=lambda i: _DEMO_NAMES[i - 1],
        tag_count=40,
        progress=lambda _: None,
        shares=shares,
    )
    _reset_sequences(engine)
    messages = _seed_inbox(engine, follows)
    return {"users": len(ids), "follows": len(follows), "messages": messages, **counts}


def scale_username(user_id: int) -> str:
    return HEAVY_FOLLOWER if user_id == 1 else f"user{user_id}"


def seed_scale(
    engine: Engine,
    *,
    users: int = 10_000,
    posts: int = 1_000_000,
    follows_each: int = 50,
    heavy_follows: int = 500,
    seed: int = 42,
    pictures: float = 0.0,
    media_store: MediaStore | None = None,
    progress: Callable[[str], object] = print,
) -> dict[str, int]:
    """The benchmark data set. User 1 is `heavy`, who follows `heavy_follows` users. `posts`
    counts every post row: originals, replies (about 20 %) and boosts (about 5 %).

    `pictures` is the share of the posts that are not boosts that carry pictures (1 to 4,
    mostly 1, most described): `PICTURE_COUNT` distinct pictures stored once in `media_store`
    (the configured store unless given) and shared by those posts. None by default, so the
    data set stays the one the query figures were measured on and nothing is written to the
    store unasked; `make seed-scale` and the benchmark ask for 0.2."""
    if not 0 <= pictures <= 1:
        msg = f"pictures is a share of the posts, from 0 to 1, not {pictures}"
        raise ValueError(msg)
    rng = random.Random(seed)
    plan = None
    if pictures:
        started = time.perf_counter()
        plan = _PicturePlan(
            share=pictures,
            catalogue=seed_pictures(media_store, seed=seed),
            rng=random.Random(seed + 1),
            most=get_settings().media_per_post,
        )
        progress(f"pictures: {len(plan.catalogue)} stored in {time.perf_counter() - started:.1f} s")
    _clear(engine)
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    span_minutes = 365 * 24 * 60

    def user_rows() -> Iterator[dict[str, Any]]:
        for i in range(1, users + 1):
            name = scale_username(i)
            yield {
                "id": i,
                "username": name,
                "username_skeleton": username_skeleton(name),
                "email": f"{name}@example.com",
                "password_hash": password_hash,
                "about_me": _ABOUT[i % len(_ABOUT)],
                "last_seen": now - timedelta(minutes=rng.randint(1, span_minutes)),
                "created": now - timedelta(days=400),
            }

    def follow_rows() -> Iterator[dict[str, Any]]:
        for follower in range(1, users + 1):
            wanted = heavy_follows if follower == 1 else follows_each
            # One spare pick in case the follower draws themself; keep exactly `wanted`.
            picks = rng.sample(range(1, users + 1), min(wanted + 1, users))
            for followed in [p for p in picks if p != follower][:wanted]:
                yield {"follower_id": follower, "followed_id": followed, "created": now}

    counts = {"users": 0, "follows": 0}
    for name, model, rows in (("users", User, user_rows()), ("follows", Follow, follow_rows())):
        for batch in _batches(rows, 20_000):
            with engine.begin() as conn:
                conn.execute(insert(model), batch)
            counts[name] += len(batch)
        progress(f"{name}: {counts[name]:,}")
    shape = plan_conversation(rng, posts=posts, users=users, span_seconds=span_minutes * 60)
    counts |= _insert_conversation(
        engine,
        rng,
        shape,
        now=now,
        users=users,
        username_of=scale_username,
        tag_count=1000,
        progress=progress,
        pictures=plan,
    )
    _reset_sequences(engine)
    _analyze(engine)
    return counts


def _fill_search_vocabulary(engine: Engine, terms: set[str]) -> None:
    """The built-in search index follows the posts by itself (FTS5 triggers, a GIN index); its
    typo vocabulary is written by the post service, which bulk inserts bypass: add it here."""
    with Session(engine) as session:
        vocabulary.add_term_set(session, terms)
        session.commit()


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL: explicit ids leave the SERIAL sequences behind; move them past them."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ('"user"', "post", "tag", "media_attachment"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics, so the first queries after a bulk load use the indexes.

    PostgreSQL also gets a VACUUM, which sets the visibility map: without it an index-only scan
    still reads the table page of every row it returns, and a server with autovacuum off never
    catches up. VACUUM cannot run inside a transaction, hence the autocommit connection.
    """
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(
            'VACUUM (ANALYZE) "user", follow, post, post_like, post_tag, mention, tag, '
            "media_attachment"
        )
