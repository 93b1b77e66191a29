"""Posts, Explore (everyone's posts) and a user's posts; the home feed is services/timeline.py.

Every feed is ordered by (timestamp, id) newest first and read through an index in that order, so
a page costs about `per_page` rows, not the size of the feed. See docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlmodel import Session

from microblog.i18n import _l
from microblog.live.events import (
    DELETED,
    EDITED,
    NEW_POST,
    LiveEvent,
    post_changed,
    publish_after_commit,
)
from microblog.models import Post, PostEdit, row_id, table_of, utcnow
from microblog.schemas import Page, PostRow, PostVersion, iso_utc
from microblog.services import (
    link_cards,
    notifications,
    reactions,
    safety,
    search,
    spam_brakes,
    visibility,
)
from microblog.services.errors import Forbidden, Invalid, NotFound
from microblog.services.language_detection import detect_language
from microblog.services.media.attachments import (
    attach_media,
    delete_post_media,
    searchable_text,
)
from microblog.services.pagination import (
    ENTRY_BETWEEN,
    WALKS,
    keyset,
    keyset_page,
    make_page,
    page_window,
    walk_of,
    walk_sql,
)
from microblog.services.post_body import render_body, save_links, validate_post_body
from microblog.services.post_notices import notify_about_post
from microblog.services.post_rows import card_rows, cards_by_id, cards_statement, to_card

_POST_COLUMNS = table_of(Post).c

# The feeds' pages of entry ids, read newest first on an index; the cards around them are
# services/post_rows.py's. Explore is everyone's posts and replies (boosts repeat what is
# already there); a profile is everything its user wrote or boosted.
# The safety rules (services/visibility.py) are tested on each entry as the walk goes, so a
# page still holds `per_page` entries; Explore also leaves out limited accounts' posts for
# readers who do not follow them.
_WALK = {"timestamp": 'p."timestamp"', "entry_id": "p.id", "limit": ":limit", "offset": ":offset"}
# Newest first, or oldest first from a time for a `min_id` page (services/pagination.py).
_EXPLORE_PAGE = {
    walk: cards_statement(
        "SELECT id FROM post AS p WHERE boost_of_id IS NULL "  # noqa: S608 (constants only)
        f"AND {visibility.shown_to_viewer('p')} "
        f"AND {visibility.listed_to_viewer('p.user_id', 'p')} "
        f"AND {ENTRY_BETWEEN} {walk_sql(walk, **_WALK)}",
        walk,
        listed=True,
    )
    for walk in WALKS
}
_USER_POSTS_PAGE = {
    walk: cards_statement(
        "SELECT id FROM post AS p WHERE user_id = :user_id "  # noqa: S608 (constants only)
        f"AND {visibility.shown_to_viewer('p')} AND {ENTRY_BETWEEN} {walk_sql(walk, **_WALK)}",
        walk,
    )
    for walk in WALKS
}


def create_post(
    session: Session,
    *,
    author_id: int,
    body: str,
    language: str | None = None,
    reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    alt_texts: dict[int, str] | None = None,
) -> Post:
    """Write a post, or a reply to `reply_to_id`, with up to MEDIA_PER_POST of the author's
    uploaded pictures (`media_ids`, in order; services/media/attachments.py). Its body is
    rendered once here (Markdown, links, mentions, tags: services/post_body.py); the author
    replied to and the people mentioned are notified. A post of pictures alone may have no
    text. Its first link gets a preview card, fetched after the commit
    (services/link_cards.py)."""
    body = validate_post_body(body, may_be_empty=bool(media_ids))
    parent = _reply_target(session, reply_to_id) if reply_to_id is not None else None
    if parent is not None:  # not to a post they cannot see (a block, hidden, suspended)
        safety.check_may_interact(session, user_id=author_id, post=parent)
    spam_brakes.check_spam_brake(session, user_id=author_id, action="post")
    if language is None:  # detected only when the caller (the API, say) gave none
        language = detect_language(body)
    rendered = render_body(session, body)
    post = Post(
        body=body,
        body_html=rendered.html,
        user_id=author_id,
        language=language or None,
        reply_to_id=parent.id if parent else None,
        reply_to_user_id=parent.user_id if parent else None,
    )
    session.add(post)
    session.flush()
    post_id = row_id(post)
    link_cards.attach_link_card(session, post=post, links=rendered.links)
    notified = {author_id}
    if parent is not None:
        _count_reply(session, row_id(parent), +1)
        if parent.user_id not in notified:
            notify_about_post(session, user_id=parent.user_id, kind=notifications.REPLY, post=post)
            notified.add(parent.user_id)
        publish_after_commit(session, post_changed(row_id(parent), actor_id=author_id))
    mentioned = save_links(session, post_id=post_id, timestamp=post.timestamp, rendered=rendered)
    _notify_mentioned(session, mentioned, skip=notified, post=post)
    if media_ids:
        attach_media(
            session, user_id=author_id, post_id=post_id, media_ids=media_ids, alt_texts=alt_texts
        )
        session.refresh(post)
    search.post_saved(session, post_id=post_id, body=searchable_text(post))
    publish_after_commit(session, LiveEvent(NEW_POST, author_id=author_id, ref_id=post_id))
    return post


def _reply_target(session: Session, post_id: int) -> Post:
    """The post a reply answers: a boost's original when the reply was written on a boost."""
    parent = session.get(Post, post_id)
    if parent is not None and parent.boost_of_id is not None:
        parent = session.get(Post, parent.boost_of_id)
    if parent is None:
        raise NotFound(_l("The post you are replying to no longer exists."))
    return parent


def _count_reply(session: Session, post_id: int, by: int) -> None:
    column = _POST_COLUMNS.reply_count
    session.execute(
        update(table_of(Post)).where(_POST_COLUMNS.id == post_id).values(reply_count=column + by)
    )


def _notify_mentioned(session: Session, user_ids: list[int], *, skip: set[int], post: Post) -> None:
    for user_id in user_ids:
        if user_id not in skip:
            notify_about_post(session, user_id=user_id, kind=notifications.MENTION, post=post)


def edit_post(
    session: Session,
    *,
    post_id: int,
    user_id: int,
    body: str,
    media_ids: Sequence[int] | None = None,
    alt_texts: dict[int, str] | None = None,
) -> Post:
    """Change a post's text and, when `media_ids` is given, its pictures (those left out are
    deleted; only the author's own uploads can come in) and their alt texts (`alt_texts`, id ->
    text, for new and kept pictures alike); only its author may, and a boost has no text to
    change. The version it replaces is kept (`post_history`), people newly mentioned are
    notified, and open pages, the search index and later exports see the new text."""
    post = get_post(session, post_id=post_id)
    if post.user_id != user_id:
        raise Forbidden(_l("You can only edit your own posts."))
    if post.boost_of_id is not None:
        raise Invalid({"body": _l("A boost has no text of its own to edit.")})
    keeps_media = bool(media_ids) if media_ids is not None else bool(post.media_json)
    body = validate_post_body(body, may_be_empty=keeps_media)
    if media_ids is not None:
        attach_media(
            session, user_id=user_id, post_id=post_id, media_ids=media_ids, alt_texts=alt_texts
        )
        session.refresh(post)
    if body == post.body:
        if media_ids is not None:
            search.post_saved(session, post_id=post_id, body=searchable_text(post))
            publish_after_commit(session, post_changed(post_id, actor_id=user_id, change=EDITED))
        return post
    session.add(
        PostEdit(
            post_id=post_id,
            body=post.body,
            body_html=post.body_html,
            written_at=post.edited_at or post.timestamp,
        )
    )
    rendered = render_body(session, body)
    post.body = body
    post.body_html = rendered.html
    post.edited_at = utcnow()
    link_cards.attach_link_card(session, post=post, links=rendered.links)
    session.add(post)
    session.flush()
    mentioned = save_links(
        session, post_id=post_id, timestamp=post.timestamp, rendered=rendered, replace=True
    )
    _notify_mentioned(session, mentioned, skip={user_id}, post=post)
    search.post_saved(session, post_id=post_id, body=searchable_text(post))
    publish_after_commit(session, post_changed(post_id, actor_id=user_id, change=EDITED))
    return post


def post_history(session: Session, *, post_id: int) -> list[PostVersion]:
    """Every version of a post, the current one first; anyone who can see the post may read
    them (as on Mastodon)."""
    post = get_post(session, post_id=post_id)
    if post.boost_of_id is not None:
        post = get_post(session, post_id=post.boost_of_id)
    current = PostVersion(
        body=post.body,
        body_html=post.body_html,
        written_at=iso_utc(post.edited_at or post.timestamp),
    )
    edits = table_of(PostEdit).c
    earlier = session.execute(
        select(edits.body, edits.body_html, edits.written_at)
        .where(edits.post_id == post.id)
        .order_by(edits.id.desc())
    )
    return [current] + [
        PostVersion(body=body, body_html=html, written_at=iso_utc(written))
        for body, html, written in earlier
    ]


def get_post(session: Session, *, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(_l("No such post."))
    return post


def get_post_row(session: Session, *, post_id: int, viewer_id: int = 0) -> PostRow:
    """One post (or boost) as the feeds show it (the API's `GET /api/posts/<id>`)."""
    card = cards_by_id(session, [post_id], viewer_id=viewer_id).get(post_id)
    if card is None:
        raise NotFound(_l("No such post."))
    return card


def delete_post(session: Session, *, post_id: int, user_id: int) -> None:
    """Delete a post; only its author may. Reports "not found" for a missing post and "forbidden"
    for someone else's, so the API can answer 404 and 403. Deleting a boost is an unboost."""
    post = get_post(session, post_id=post_id)
    if post.user_id != user_id:
        raise Forbidden(_l("You can only delete your own posts."))
    _delete(session, post)


def remove_post(session: Session, *, post_id: int) -> None:
    """The operator's removal (`python -m microblog post delete`): any post, as its author's
    Delete does it (counters, search index, live pages); a boost is undone for its booster."""
    _delete(session, get_post(session, post_id=post_id))


def _delete(session: Session, post: Post) -> None:
    post_id, user_id = post.id or 0, post.user_id
    if post.boost_of_id is not None:
        reactions.unboost_post(session, user_id=user_id, post_id=post.boost_of_id)
        return
    delete_post_media(session, post_id=post_id)  # rows now, files once this commits
    # The row goes first, and the parent's counter moves only if this transaction removed it:
    # two tabs deleting the same reply at once both get past `get_post`, and each taking one
    # off the counter left it below the replies (tests/unit/test_reaction_counters.py).
    result = session.execute(
        delete(Post).where(_POST_COLUMNS.id == post_id),
        execution_options={"preserve_rowcount": True},
    )
    session.expunge(post)
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(_l("No such post."))
    if post.reply_to_id is not None:
        _count_reply(session, post.reply_to_id, -1)
        publish_after_commit(session, post_changed(post.reply_to_id, actor_id=user_id))
    search.post_deleted(session, post_id=post_id)
    publish_after_commit(session, post_changed(post_id, actor_id=user_id, change=DELETED))


def explore_posts(
    session: Session,
    *,
    page: int,
    per_page: int,
    viewer_id: int = 0,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> Page[PostRow]:
    """Everyone's posts, newest first: one statement a page, on the (timestamp, id) index
    (`max_id`, `since_id`, `min_id`: keyset bounds, services/pagination.py)."""
    offset, limit = page_window(page, per_page)
    walk = walk_of(min_id)
    parameters = {"offset": offset, "limit": limit}
    parameters |= keyset(session, max_id=max_id, since_id=since_id, min_id=min_id)
    rows = card_rows(session, _EXPLORE_PAGE[walk], parameters, viewer_id=viewer_id)
    found = make_page(rows, page=page, per_page=per_page, to_item=to_card)
    return keyset_page(found, walk, min_id=min_id)


def user_posts(
    session: Session,
    *,
    user_id: int,
    page: int,
    per_page: int,
    viewer_id: int = 0,
    max_id: int | None = None,
    since_id: int | None = None,
    min_id: int | None = None,
) -> Page[PostRow]:
    """One user's posts and boosts, newest first: one statement a page, on the
    (user_id, timestamp, id) index (`max_id`, `since_id`, `min_id`: keyset bounds)."""
    offset, limit = page_window(page, per_page)
    walk = walk_of(min_id)
    parameters = {"user_id": user_id, "offset": offset, "limit": limit}
    parameters |= keyset(session, max_id=max_id, since_id=since_id, min_id=min_id)
    rows = card_rows(session, _USER_POSTS_PAGE[walk], parameters, viewer_id=viewer_id)
    found = make_page(rows, page=page, per_page=per_page, to_item=to_card)
    return keyset_page(found, walk, min_id=min_id)


def count_user_posts(session: Session, *, user_id: int) -> int:
    statement = select(func.count()).select_from(Post).where(_POST_COLUMNS.user_id == user_id)
    return int(session.execute(statement).scalar_one())


def entry_authors(session: Session, *, entry_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(author, the author replied to or 0) of each entry (a post or a boost), by id: what a
    card leaves out and the Mastodon API's `Status` needs (the booster, `in_reply_to_account_id`),
    for a page at once."""
    if not entry_ids:
        return {}
    statement = select(
        _POST_COLUMNS.id, _POST_COLUMNS.user_id, _POST_COLUMNS.reply_to_user_id
    ).where(_POST_COLUMNS.id.in_(list(set(entry_ids))))
    return {row[0]: (row[1], row[2] or 0) for row in session.execute(statement).all()}


_LINKS_OF_POSTS = text(
    "SELECT pt.post_id, 0, tag.name FROM post_tag AS pt JOIN tag ON tag.id = pt.tag_id "
    "WHERE pt.post_id IN :ids "
    'UNION ALL SELECT m.post_id, u.id, u.username FROM mention AS m JOIN "user" AS u '
    "ON u.id = m.user_id WHERE m.post_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


@dataclass
class PostLinks:
    """The tags a post carries and the people it mentions ((id, username)), as stored when it
    was written (services/post_body.py)."""

    tags: list[str] = field(default_factory=list)
    mentions: list[tuple[int, str]] = field(default_factory=list)


def links_of_posts(session: Session, *, post_ids: Sequence[int]) -> dict[int, PostLinks]:
    """Each post's tags and mentions, for a page of posts in one statement."""
    found: dict[int, PostLinks] = {}
    if not post_ids:
        return found
    for post_id, user_id, name in session.execute(_LINKS_OF_POSTS, {"ids": list(set(post_ids))}):
        links = found.setdefault(post_id, PostLinks())
        if user_id:
            links.mentions.append((user_id, name))
        else:
            links.tags.append(name)
    return found
