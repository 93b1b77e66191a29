"""The emails Microblog sends, each as plain text and HTML. Links are built from the configured
BASE_URL (never from a request's Host header, which an attacker can set). Everything a user
wrote is escaped in the HTML part. Each is written in the recipient's language (`User.language`,
English when they never chose one); the text comes from the message catalogs."""

from __future__ import annotations

from email.message import EmailMessage
from html import escape

from microblog.config import get_settings
from microblog.i18n import translators
from microblog.mail import Attachment, build_message
from microblog.routes import LOGIN, RESET_PASSWORD_REQUEST, confirm_url, user_url


def _link(path: str) -> str:
    return f"{get_settings().base_url}{path}"


def reset_password_email(
    *, username: str, email: str, token: str, minutes: int, language: str | None = None
) -> EmailMessage:
    _, _n = translators(language or "en")
    link = _link(f"/reset_password/{token}")
    dear = _("Dear %(username)s,", username=username)
    within = _n(
        "To reset your password, open this link within %(num)d minute:",
        "To reset your password, open this link within %(num)d minutes:",
        minutes,
    )
    ignore = _(
        "If you did not ask for a password reset, ignore this message; "
        "your password stays as it is."
    )
    text = f"{dear}\n\n{within}\n\n{link}\n\n{ignore}\n\nMicroblog\n"
    html = (
        f"<p>{escape(dear)}</p><p>{escape(within)}</p>"
        f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
        f"<p>{escape(ignore)}</p><p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] " + _("Reset Your Password"),
        recipients=[email],
        text_body=text,
        html_body=html,
    )


def new_follower_email(
    *, username: str, email: str, follower: str, language: str | None = None
) -> EmailMessage:
    _, _n = translators(language or "en")
    follower_link = _link(user_url(follower))
    settings_link = _link("/edit_profile")
    dear = _("Dear %(username)s,", username=username)
    following = _("%(username)s is now following you on Microblog.", username=follower)
    turn_off = _("You can turn these emails off on your profile:")
    text = f"{dear}\n\n{following}\n{follower_link}\n\n{turn_off} {settings_link}\n\nMicroblog\n"
    html = (
        f"<p>{escape(dear)}</p>"
        f'<p>{escape(following)} <a href="{escape(follower_link)}">{escape(follower_link)}</a></p>'
        f'<p>{escape(turn_off)} <a href="{escape(settings_link)}">{escape(settings_link)}</a>'
        "</p><p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] " + _("%(username)s is now following you", username=follower),
        recipients=[email],
        text_body=text,
        html_body=html,
    )


def export_posts_email(
    *,
    username: str,
    email: str,
    attachment: Attachment | None,
    count: int,
    language: str | None = None,
) -> EmailMessage:
    """The tutorial's "your blog posts" email. The file is attached when it is small enough for
    mail servers (EXPORT_MAIL_MAX_BYTES); otherwise the email says where to download it."""
    _, _n = translators(language or "en")
    profile_link = _link(user_url(username))
    dear = _("Dear %(username)s,", username=username)
    if attachment is not None:
        where = _n(
            "Please find attached the archive of your posts that you requested (%(num)d post).",
            "Please find attached the archive of your posts that you requested (%(num)d posts).",
            count,
        )
    else:
        where = _n(
            "The archive of your posts (%(num)d post) is too large to attach; "
            "download it from your profile.",
            "The archive of your posts (%(num)d posts) is too large to attach; "
            "download it from your profile.",
            count,
        )
    also = _("You can also download it from your profile:")
    text = f"{dear}\n\n{where}\n\n{also} {profile_link}\n\nMicroblog\n"
    html = (
        f"<p>{escape(dear)}</p><p>{escape(where)}</p>"
        f'<p>{escape(also)} <a href="{escape(profile_link)}">{escape(profile_link)}</a></p>'
        "<p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] " + _("Your blog posts"),
        recipients=[email],
        text_body=text,
        html_body=html,
        attachments=(attachment,) if attachment is not None else (),
    )


def confirm_address_email(
    *, username: str, email: str, token: str, hours: int, language: str | None = None
) -> EmailMessage:
    """The link that activates a new account (services/registration.py)."""
    _, _n = translators(language or "en")
    link = _link(confirm_url(token))
    dear = _("Dear %(username)s,", username=username)
    welcome = _n(
        "Welcome to Microblog! To confirm your email address and activate your account, "
        "open this link within %(num)d hour:",
        "Welcome to Microblog! To confirm your email address and activate your account, "
        "open this link within %(num)d hours:",
        hours,
    )
    ignore = _(
        "If you did not register, ignore this message: the account stays inactive and "
        "nobody can log in to it."
    )
    text = f"{dear}\n\n{welcome}\n\n{link}\n\n{ignore}\n\nMicroblog\n"
    html = (
        f"<p>{escape(dear)}</p><p>{escape(welcome)}</p>"
        f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
        f"<p>{escape(ignore)}</p><p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] " + _("Confirm your email address"),
        recipients=[email],
        text_body=text,
        html_body=html,
    )


def registration_attempt_email(
    *, username: str, email: str, language: str | None = None
) -> EmailMessage:
    """Someone tried to register with an address that already has an account: its owner is
    told so, instead of the form saying the address is registered (services/registration.py)."""
    _, _n = translators(language or "en")
    reset_link = _link(RESET_PASSWORD_REQUEST)
    login_link = _link(LOGIN)
    dear = _("Dear %(username)s,", username=username)
    tried = _(
        "Someone tried to register a new Microblog account with this email address, which "
        "already belongs to your account (%(username)s).",
        username=username,
    )
    if_you = _("If it was you, log in instead:")
    forgot = _("Forgot your password? Reset it here:")
    ignore = _("If it was not you, ignore this message; nothing has changed on your account.")
    text = (
        f"{dear}\n\n{tried}\n\n{if_you} {login_link}\n{forgot} {reset_link}\n\n{ignore}\n\n"
        "Microblog\n"
    )
    html = (
        f"<p>{escape(dear)}</p><p>{escape(tried)}</p>"
        f'<p>{escape(if_you)} <a href="{escape(login_link)}">{escape(login_link)}</a><br>'
        f'{escape(forgot)} <a href="{escape(reset_link)}">{escape(reset_link)}</a></p>'
        f"<p>{escape(ignore)}</p><p>Microblog</p>"
    )
    return build_message(
        subject="[Microblog] " + _("Someone tried to register with your email address"),
        recipients=[email],
        text_body=text,
        html_body=html,
    )
