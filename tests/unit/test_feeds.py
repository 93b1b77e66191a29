"""A page of a feed (services/feeds.py), as the Home and Explore pages, the API and the first
paint read it: whose posts each feed holds, and the mark a live page's "N new posts" bar counts
from."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from microblog.models import User
from microblog.services.feeds import feed_page, open_feed
from microblog.services.follows import follow
from microblog.services.new_posts import count_new_home_posts
from microblog.services.posts import create_post

AddUser = Callable[..., User]


def test_home_holds_the_reader_and_whom_they_follow_explore_everyone(
    session: Session, add_user: AddUser
) -> None:
    john, susan, tom = (
        add_user(session, "john"),
        add_user(session, "susan"),
        add_user(session, "tom"),
    )
    follow(session, follower_id=john.id, followed_id=susan.id)
    for author in (john, susan, tom, susan):
        create_post(session, author_id=author.id, body=f"by {author.username}")
    session.commit()

    home = feed_page(session, feed="home", reader_id=john.id, page=1, per_page=2)
    assert [p.author_username for p in home.items] == ["susan", "susan"]
    assert home.has_next and not home.has_prev
    older = feed_page(session, feed="home", reader_id=john.id, page=2, per_page=2)
    assert [p.author_username for p in older.items] == ["john"] and not older.has_next
    explore = feed_page(session, feed="explore", reader_id=john.id, page=1, per_page=10)
    assert [p.author_username for p in explore.items] == ["susan", "tom", "susan", "john"]


def test_an_opened_feed_counts_new_posts_from_the_newest_post_when_it_was_read(
    session: Session, add_user: AddUser
) -> None:
    john, susan = add_user(session, "john"), add_user(session, "susan")
    follow(session, follower_id=john.id, followed_id=susan.id)
    create_post(session, author_id=susan.id, body="first")
    other = create_post(session, author_id=john.id, body="second")
    session.commit()

    opened = open_feed(session, feed="home", reader_id=john.id, page=2, per_page=1)
    assert opened.since_id == other.id  # the newest post anywhere, not only on this page
    assert [p.body for p in opened.posts.items] == ["first"]
    create_post(session, author_id=susan.id, body="third")
    session.commit()
    assert count_new_home_posts(session, user_id=john.id, since_id=opened.since_id) == 1
