"""Telling a user that someone replied to their post or mentioned them: the notification, and an
email through the outbox when they allow it (`User.email_on_mention`, on Edit profile), queued
in the same transaction as the post so that it goes only if the post is written."""

from __future__ import annotations

from sqlmodel import Session

from microblog.emails import post_notice_email
from microblog.models import Post, row_id
from microblog.services import mail_outbox, notifications, safety, visibility
from microblog.services.users import get_user

EXCERPT_MAX = 200  # characters of the post quoted in the email


def excerpt(body: str) -> str:
    """The start of a post as plain text for an email (its Markdown as written)."""
    text = " ".join(body.split())
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1].rstrip() + "…"


def notify_about_post(session: Session, *, user_id: int, kind: str, post: Post) -> None:
    """`kind` is notifications.REPLY or MENTION; `post` is the reply or the post mentioning.
    Nobody is told (neither notification nor email) when they block, are blocked by or mute
    the author, or muted the conversation (services/safety.py)."""
    post_id = row_id(post)
    if visibility.silenced(session, user_id=user_id, actor_id=post.user_id):
        return
    if safety.conversation_muted(session, user_id=user_id, post_id=post_id):
        return
    notifications.notify(
        session, user_id=user_id, kind=kind, actor_id=post.user_id, post_id=post_id
    )
    recipient = get_user(session, user_id)
    if not recipient.email_on_mention:
        return
    actor = get_user(session, post.user_id)
    mail_outbox.queue_email(
        session,
        post_notice_email(
            username=recipient.username,
            email=recipient.email,
            actor=actor.username,
            replied=kind == notifications.REPLY,
            post_id=post_id,
            excerpt=excerpt(post.body),
            language=recipient.language,
        ),
    )
