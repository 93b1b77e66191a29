"""Our rows as Mastodon entities, a page at a time: the reads an entity needs beyond the card
(the authors' public faces and counts, a boost's booster, whom a reply answers), each one
statement for the whole page (services), then entities.py's pure functions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlmodel import Session

from microblog.config import get_settings
from microblog.mastodon import entities
from microblog.mastodon.entities import Json
from microblog.schemas import PostRow, UserCounts, UserPublic
from microblog.services import posts, users


def site() -> str:
    """The public address links and pictures are made absolute against."""
    return get_settings().base_url


def accounts(session: Session, user_ids: Iterable[int]) -> dict[int, Json]:
    """`Account`s by id (suspended or unknown ids are absent); two statements."""
    ids = list(dict.fromkeys(user_ids))
    faces = users.public_users(session, user_ids=ids)
    return accounts_of(session, list(faces.values()))


def accounts_of(session: Session, faces: Sequence[UserPublic]) -> dict[int, Json]:
    counts = users.user_counts(session, user_ids=[face.id for face in faces])
    base = site()
    return {
        face.id: entities.account_json(face, counts.get(face.id, UserCounts()), base=base)
        for face in faces
    }


def account(session: Session, user_id: int) -> Json | None:
    return accounts(session, [user_id]).get(user_id)


def statuses(session: Session, rows: Sequence[PostRow]) -> list[Json]:
    """`Status`es for cards (a page of a feed): four statements beside the cards'."""
    entries = [row.entry_id or row.id for row in rows]
    facts = posts.entry_authors(session, entry_ids=entries + [row.id for row in rows])
    links = posts.links_of_posts(session, post_ids=[row.id for row in rows])
    authors = {row.author_id for row in rows} | {facts[e][0] for e in entries if e in facts}
    found = accounts(session, authors)
    base = site()
    result = []
    for row in rows:
        entry = row.entry_id or row.id
        result.append(
            entities.status_json(
                row,
                found,
                base=base,
                booster_id=facts.get(entry, (0, 0))[0],
                reply_to_account_id=facts.get(row.id, (0, 0))[1],
                tags=sorted(links[row.id].tags) if row.id in links else (),
                mentions=sorted(links[row.id].mentions) if row.id in links else (),
            )
        )
    return result


def status(session: Session, row: PostRow) -> Json:
    return statuses(session, [row])[0]


def entry_ids(rows: Sequence[PostRow]) -> list[int]:
    """The ids of a page's entries (a boost's is the boost's), newest first."""
    return [row.entry_id or row.id for row in rows]
