"""The emails Microblog sends, each as plain text and HTML. Links are built from the configured
BASE_URL (never from a request's Host header, which an attacker can set). Everything a user
wrote is escaped in the HTML part."""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from microblog.config import get_settings
from microblog.mail import build_message
from microblog.routes import user_url


def _link(path: str) -> str:
    return f"{get_settings().base_url}{path}"


def reset_password_email(*, username: str, email: str, token: str, minutes: int) -> EmailMessage:
    link = _link(f"/reset_password/{token}")
    text = (
        f"Dear {username},\n\n"
        f"To reset your password, open this link within {minutes} minutes:\n\n{link}\n\n"
        "If you did not ask for a password reset, ignore this message; "
        "your password stays as it is.\n\nMicroblog\n"
    )
    html = (
        f"<p>Dear {escape(username)},</p>"
        f'<p>To reset your password, <a href="{escape(link)}">click here</a> '
        f"within {minutes} minutes.</p>"
        f"<p>Or paste this link into your browser:<br>{escape(link)}</p>"
        "<p>If you did not ask for a password reset, ignore this message; "
        "your password stays as it is.</p><p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] Reset Your Password",
        recipients=[email],
        text_body=text,
        html_body=html,
    )


def new_follower_email(*, username: str, email: str, follower: str) -> EmailMessage:
    follower_link = _link(user_url(follower))
    settings_link = _link("/edit_profile")
    text = (
        f"Dear {username},\n\n{follower} is now following you on Microblog:\n{follower_link}\n\n"
        f"You can turn these emails off on your profile: {settings_link}\n\nMicroblog\n"
    )
    html = (
        f"<p>Dear {escape(username)},</p>"
        f'<p><a href="{escape(follower_link)}">{escape(follower)}</a> '
        "is now following you on Microblog.</p>"
        f'<p>You can <a href="{escape(settings_link)}">turn these emails off</a> '
        "on your profile.</p><p>Microblog</p>"
    )
    return build_message(
        subject=f"[Microblog] {follower} is now following you",
        recipients=[email],
        text_body=text,
        html_body=html,
    )
