"""What a live event means to one reader of the Mastodon streaming API
(microblog/mastodon/stream_events.py), on SQLite and PostgreSQL: the web's rules through the same
services. Boosts reach home streams but not public ones; muted, blocked, limited and hidden
posts are never streamed; a moderator's hide is a delete for all but the author; a like's
counters are not streamed at all; notifications are the reader's own, once each."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlmodel import Session

from microblog.live import events as ev
from microblog.mastodon import stream_events as se
from microblog.models import User
from microblog.services import moderation, reactions, safety
from microblog.services.follows import follow
from microblog.services.posts import create_post, delete_post, edit_post

AddUser = Callable[..., User]
USER, PUBLIC = se.channel("user"), se.channel("public")
TAG = se.channel("hashtag", "Cats")


def _reader(user: User, *channels: se.Channel) -> se.Reader:
    return se.Reader(viewer_id=user.id or 0, channels=channels)


def _frames(session: Session, event: ev.LiveEvent, reader: se.Reader) -> list[tuple[str, ...]]:
    """(stream, event, status id or payload) of each frame, if the event is wanted at all."""
    if not se.wants(event, reader.viewer_id, reader.channels):
        return []
    found = []
    for frame in se.frames_for(session, event, reader):
        payload = frame.payload
        if frame.event in ("update", "status.update"):
            payload = json.loads(payload)["id"]
        elif frame.event == "notification":
            payload = json.loads(payload)["type"]
        found.append((":".join(frame.stream), frame.event, payload))
    return found


def _new(author: User, post_id: int) -> ev.LiveEvent:
    return ev.LiveEvent(ev.NEW_POST, author_id=author.id or 0, ref_id=post_id)


def _post(session: Session, author: User, body: str) -> int:
    post = create_post(session, author_id=author.id or 0, body=body)
    session.commit()
    return post.id or 0


def test_new_posts_and_boosts_by_stream(session: Session, add_user: AddUser) -> None:
    ann, bob, cat = add_user(session, "ann"), add_user(session, "bob"), add_user(session, "cat")
    follow(session, follower_id=bob.id or 0, followed_id=ann.id or 0)
    session.commit()
    bob_reads = _reader(bob, USER, PUBLIC, TAG)
    tagged = _post(session, ann, "about #cats")
    assert _frames(session, _new(ann, tagged), bob_reads) == [
        ("user", "update", str(tagged)),
        ("public", "update", str(tagged)),
        ("hashtag:Cats", "update", str(tagged)),
    ]
    # A stranger's post: public only (not followed), and not the tag it lacks.
    theirs = _post(session, cat, "hello")
    assert _frames(session, _new(cat, theirs), bob_reads) == [("public", "update", str(theirs))]
    # Ann boosts it: bob's home has the boost (its own entry), public streams never do.
    reactions.boost_post(session, user_id=ann.id or 0, post_id=theirs)
    session.commit()
    (home,) = se.frames_for(session, _new(ann, theirs), bob_reads)
    status = json.loads(home.payload)
    assert home.stream == ("user",) and status["reblog"]["id"] == str(theirs)
    assert status["id"] != str(theirs)
    # Nobody signed in: public streams only, and a user stream hears nothing.
    visitor = se.Reader(viewer_id=0, channels=(PUBLIC,))
    assert _frames(session, _new(ann, tagged), visitor) == [("public", "update", str(tagged))]


def test_muted_blocked_limited_and_hidden_posts_are_not_streamed(
    session: Session, add_user: AddUser
) -> None:
    ann, bob, cat = add_user(session, "ann"), add_user(session, "bob"), add_user(session, "cat")
    mod = add_user(session, "mod")
    mod.is_moderator = True
    session.add(mod)
    follow(session, follower_id=bob.id or 0, followed_id=ann.id or 0)
    session.commit()
    bob_reads = _reader(bob, USER, PUBLIC, TAG)
    safety.mute_user(session, muter_id=bob.id or 0, muted_id=ann.id or 0)
    session.commit()
    muted = _post(session, ann, "muted #cats")
    assert _frames(session, _new(ann, muted), bob_reads) == []
    safety.block_user(session, blocker_id=cat.id or 0, blocked_id=bob.id or 0)  # cat blocks bob
    session.commit()
    blocked = _post(session, cat, "blocked #cats")
    assert _frames(session, _new(cat, blocked), bob_reads) == []
    dan = add_user(session, "dan")
    moderation.limit_account(session, moderator_id=mod.id or 0, user_id=dan.id or 0)
    session.commit()
    limited = _post(session, dan, "limited #cats")
    assert _frames(session, _new(dan, limited), bob_reads) == []
    assert _frames(session, _new(dan, limited), _reader(dan, PUBLIC)) == [
        ("public", "update", str(limited))
    ]

    eve = add_user(session, "eve")
    shown = _post(session, eve, "soon hidden")
    moderation.hide_post(session, moderator_id=mod.id or 0, post_id=shown, reason="spam")
    session.commit()
    hidden = ev.post_changed(shown, actor_id=mod.id or 0, change=ev.HIDDEN)
    assert _frames(session, hidden, _reader(bob, PUBLIC)) == [("public", "delete", str(shown))]
    assert _frames(session, hidden, _reader(eve, PUBLIC)) == []  # its author still sees it
    assert _frames(session, _new(eve, shown), _reader(bob, PUBLIC)) == []


def test_edits_deletes_and_counters(session: Session, add_user: AddUser) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    follow(session, follower_id=bob.id or 0, followed_id=ann.id or 0)
    session.commit()
    post_id = _post(session, ann, "first #cats")
    bob_reads = _reader(bob, USER, TAG, se.channel("user:notification"))
    liked = ev.post_changed(post_id, actor_id=bob.id or 0)
    assert not se.wants(liked, bob.id or 0, bob_reads.channels)  # counters: nothing to read
    edit_post(session, user_id=ann.id or 0, post_id=post_id, body="second #cats")
    session.commit()
    edited = ev.post_changed(post_id, actor_id=ann.id or 0, change=ev.EDITED)
    assert _frames(session, edited, bob_reads) == [
        ("user", "status.update", str(post_id)),
        ("hashtag:Cats", "status.update", str(post_id)),
    ]
    delete_post(session, user_id=ann.id or 0, post_id=post_id)
    session.commit()
    deleted = ev.post_changed(post_id, actor_id=ann.id or 0, change=ev.DELETED)
    assert _frames(session, deleted, bob_reads) == [
        ("user", "delete", str(post_id)),
        ("hashtag:Cats", "delete", str(post_id)),
    ]


def test_notifications_are_the_readers_own_and_sent_once(
    session: Session, add_user: AddUser
) -> None:
    ann, bob = add_user(session, "ann"), add_user(session, "bob")
    bob_reads = _reader(bob, USER, se.channel("user:notification"))
    ann_reads = _reader(ann, USER)
    bob_reads.last_notification = se.newest_notification_id(session, user_id=bob.id or 0)
    ann_reads.last_notification = se.newest_notification_id(session, user_id=ann.id or 0)
    follow(session, follower_id=ann.id or 0, followed_id=bob.id or 0)
    session.commit()
    inbox = ev.LiveEvent(ev.INBOX, user_ids=(bob.id or 0,))
    assert _frames(session, inbox, bob_reads) == [
        ("user", "notification", "follow"),
        ("user:notification", "notification", "follow"),
    ]
    assert _frames(session, inbox, bob_reads) == []  # already sent
    assert _frames(session, inbox, ann_reads) == []  # not ann's event
    assert not se.wants(inbox, ann.id or 0, ann_reads.channels)


def test_unknown_streams_and_tags_are_refused() -> None:
    for name, tag, status in (
        ("nonsense", None, 400),
        ("hashtag", None, 400),
        ("hashtag", "\0", 400),
    ):
        try:
            se.channel(name, tag)
        except se.Refused as refused:
            assert refused.status == status
        else:
            raise AssertionError(f"{name} {tag!r} was accepted")
    assert se.channel("hashtag", "#Cats").label == ["hashtag", "Cats"]
    assert se.channel("user:notification").scope == "read:notifications"
    assert se.channel("public").scope == "read:statuses" and not se.channel("public").needs_user


class _Recording:
    """A hub that keeps what the services publish after their commits."""

    def __init__(self) -> None:
        self.events: list[ev.LiveEvent] = []

    def publish(self, event: ev.LiveEvent) -> None:
        self.events.append(event)

    def subscribe(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError


def test_revoking_tokens_and_changing_posts_say_so(session: Session, add_user: AddUser) -> None:
    """What the streams rely on: every way of taking tokens back publishes TOKENS_REVOKED for
    their owner (after the commit), and edits, deletions and hides say which they are."""
    from microblog.live.hub import set_hub
    from microblog.services import api_tokens, oauth

    ann = add_user(session, "ann")
    session.commit()
    recording = _Recording()
    set_hub(recording)  # type: ignore[arg-type]
    try:
        app, secret = oauth.register_app(
            session, name="App", redirect_uris="https://app.example/cb", scopes="read"
        )
        raw, token = oauth._issue(session, app_id=app.id or 0, user_id=ann.id, scopes="read")
        session.commit()
        recording.events.clear()
        oauth.revoke(session, client_id=app.client_id, client_secret=secret, token=raw)
        assert recording.events == []  # not before the commit
        session.commit()
        assert [(e.kind, e.user_ids) for e in recording.events] == [(ev.TOKENS_REVOKED, (ann.id,))]
        oauth.revoke(session, client_id=app.client_id, client_secret=secret, token=raw)
        session.commit()  # an unknown token: nothing to tell
        _raw, token = oauth._issue(session, app_id=app.id or 0, user_id=ann.id, scopes="read")
        session.commit()
        assert oauth.revoke_for_user(session, user_id=ann.id or 0, token_id=token.id or 0)
        api_raw = api_tokens.issue_token(session, user_id=ann.id or 0, lifetime_seconds=60)
        assert api_tokens.revoke_token(session, token=api_raw)
        assert not api_tokens.revoke_token(session, token=api_raw)
        api_tokens.revoke_all_tokens(session, user_id=ann.id or 0)
        session.commit()
        assert [e.kind for e in recording.events] == [ev.TOKENS_REVOKED] * 4

        recording.events.clear()
        post_id = _post(session, ann, "first")
        edit_post(session, user_id=ann.id or 0, post_id=post_id, body="second")
        delete_post(session, user_id=ann.id or 0, post_id=post_id)
        session.commit()
        changes = [e.extra.get("change") for e in recording.events if e.kind == ev.POST_CHANGED]
        assert changes == [ev.EDITED, ev.DELETED]
    finally:
        set_hub(None)
