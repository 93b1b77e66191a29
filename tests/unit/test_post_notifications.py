"""Notifications about a user's posts: replies and mentions link to the thread; likes and boosts
of one post are one line ("ann and 2 others liked your post."); replies and mentions are
emailed through the outbox unless the user turned it off."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from microblog.i18n import translate
from microblog.models import MailOutbox, User
from microblog.services import notifications, users
from microblog.services.notifications import list_notifications, mark_all_read
from microblog.services.post_notices import excerpt
from microblog.services.posts import create_post
from microblog.services.reactions import boost_post, like_post

AddUser = Callable[..., User]


def test_likes_and_boosts_of_a_post_are_one_line(session: Session, add_user: AddUser) -> None:
    owner = add_user(session, "owner")
    fans = [add_user(session, f"fan{n}") for n in range(3)]
    first = create_post(session, author_id=owner.id, body="liked")
    second = create_post(session, author_id=owner.id, body="liked once")
    for fan in fans:
        like_post(session, user_id=fan.id, post_id=first.id)
    like_post(session, user_id=fans[0].id, post_id=second.id)
    boost_post(session, user_id=fans[1].id, post_id=first.id)
    boost_post(session, user_id=fans[2].id, post_id=first.id)
    session.commit()

    page = list_notifications(session, user_id=owner.id, page=1, per_page=20)
    lines = [(row.kind, row.text, row.href) for row in page.items]
    assert lines == [
        ("boost", "fan2 and 1 other boosted your post.", f"/post/{first.id}"),
        ("like", "fan0 liked your post.", f"/post/{second.id}"),
        ("like", "fan2 and 2 others liked your post.", f"/post/{first.id}"),
    ]
    assert all(row.unread for row in page.items)
    zh = translate(page.items[2].text, "zh")
    assert zh != page.items[2].text and "fan2" in zh and "2" in zh


def test_a_group_is_unread_if_any_of_it_is(session: Session, add_user: AddUser) -> None:
    owner, ann, bob = add_user(session, "owner"), add_user(session, "ann"), add_user(session, "bob")
    post = create_post(session, author_id=owner.id, body="x")
    like_post(session, user_id=ann.id, post_id=post.id)
    session.commit()
    mark_all_read(session, user_id=owner.id)
    like_post(session, user_id=bob.id, post_id=post.id)
    session.commit()
    (line,) = list_notifications(session, user_id=owner.id, page=1, per_page=20).items
    assert line.unread and line.text == "bob and 1 other liked your post."


def test_reply_and_mention_link_to_the_thread_and_are_emailed(
    session: Session, add_user: AddUser
) -> None:
    owner, ann = add_user(session, "owner"), add_user(session, "ann")
    post = create_post(session, author_id=owner.id, body="question")
    reply = create_post(session, author_id=ann.id, body="answer " * 60, reply_to_id=post.id)
    notifications.notify(
        session, user_id=ann.id, kind=notifications.MENTION, actor_id=owner.id, post_id=post.id
    )
    session.flush()
    # Queued in the reply's transaction (after the commit the outbox sends it and drops it).
    (mail,) = session.exec(select(MailOutbox)).all()
    assert mail.recipients == "owner@example.com"
    assert "ann replied to your post" in mail.subject
    session.commit()
    (line,) = list_notifications(session, user_id=owner.id, page=1, per_page=20).items
    assert (line.kind, line.text, line.href) == (
        "reply",
        "ann replied to your post.",
        f"/post/{reply.id}",
    )
    (mention,) = list_notifications(session, user_id=ann.id, page=1, per_page=20).items
    assert mention.text == "owner mentioned you in a post." and mention.href == f"/post/{post.id}"


def test_no_email_when_turned_off(session: Session, add_user: AddUser) -> None:
    owner, ann = add_user(session, "owner"), add_user(session, "ann")
    users.update_profile(
        session, user_id=owner.id, username="owner", about_me="", email_on_mention=False
    )
    post = create_post(session, author_id=owner.id, body="question")
    create_post(session, author_id=ann.id, body="answer", reply_to_id=post.id)
    session.flush()
    assert session.exec(select(MailOutbox)).all() == []
    session.commit()
    assert session.get(User, owner.id).email_on_follow  # the other setting is left alone
    assert len(list_notifications(session, user_id=owner.id, page=1, per_page=20).items) == 1


def test_excerpt_is_short_plain_text() -> None:
    assert excerpt("a\n\n b") == "a b"
    long = excerpt("word " * 100)
    assert len(long) <= 200 and long.endswith("…")
