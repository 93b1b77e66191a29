"""The emails Microblog sends. Each is described once, as paragraphs of text and links, and
rendered twice by `_letter`: as plain text and as HTML, where everything is escaped. Links are
built from PUBLIC_URL (never from a request's Host header, which an attacker can
set). Each is written in the recipient's language (`User.language`, English when they never
chose one); the text comes from the message catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from html import escape

from microblog.config import get_settings
from microblog.i18n import translators
from microblog.mail import Attachment, build_message
from microblog.routes import LOGIN, RESET_PASSWORD_REQUEST, confirm_url, post_url, user_url


@dataclass(frozen=True)
class _Link:
    url: str


# A paragraph is lines; a line is pieces of text and links, separated by spaces.
_Line = tuple[str | _Link, ...]


def _link(path: str) -> _Link:
    return _Link(f"{get_settings().base_url}{path}")


def _letter(
    *,
    subject: str,
    email: str,
    paragraphs: list[list[_Line]],
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    """The message, from its one description: plain text, and the same as escaped HTML."""

    def as_text(piece: str | _Link) -> str:
        return piece.url if isinstance(piece, _Link) else piece

    def as_html(piece: str | _Link) -> str:
        if isinstance(piece, _Link):
            return f'<a href="{escape(piece.url)}">{escape(piece.url)}</a>'
        return escape(piece)

    signed: list[list[_Line]] = [*paragraphs, [("Microblog",)]]
    text = "\n\n".join(
        "\n".join(" ".join(map(as_text, line)) for line in paragraph) for paragraph in signed
    )
    html = "".join(
        "<p>" + "<br>".join(" ".join(map(as_html, line)) for line in paragraph) + "</p>"
        for paragraph in signed
    )
    return build_message(
        subject="[Microblog] " + subject,
        recipients=[email],
        text_body=text + "\n",
        html_body=html,
        attachments=attachments,
    )


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
    return _letter(
        subject=_("Reset Your Password"),
        email=email,
        paragraphs=[[(dear,)], [(within,)], [(link,)], [(ignore,)]],
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
    return _letter(
        subject=_("%(username)s is now following you", username=follower),
        email=email,
        paragraphs=[[(dear,)], [(following,), (follower_link,)], [(turn_off, settings_link)]],
    )


def post_notice_email(
    *,
    username: str,
    email: str,
    actor: str,
    replied: bool,
    post_id: int,
    excerpt: str,
    language: str | None = None,
) -> EmailMessage:
    """Someone replied to the user's post (`replied`) or mentioned them in one: who, what they
    wrote (the start of it, as plain text), and the link to the thread."""
    _, _n = translators(language or "en")
    dear = _("Dear %(username)s,", username=username)
    if replied:
        subject = _("%(username)s replied to your post", username=actor)
        what = _("%(username)s replied to your post on Microblog:", username=actor)
    else:
        subject = _("%(username)s mentioned you", username=actor)
        what = _("%(username)s mentioned you in a post on Microblog:", username=actor)
    read_it = _("Read the conversation and reply:")
    turn_off = _("You can turn these emails off on your profile:")
    return _letter(
        subject=subject,
        email=email,
        paragraphs=[
            [(dear,)],
            [(what,)],
            [(excerpt,)],
            [(read_it, _link(post_url(post_id)))],
            [(turn_off, _link("/edit_profile"))],
        ],
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
    return _letter(
        subject=_("Your blog posts"),
        email=email,
        paragraphs=[[(dear,)], [(where,)], [(also, profile_link)]],
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
    return _letter(
        subject=_("Confirm your email address"),
        email=email,
        paragraphs=[[(dear,)], [(welcome,)], [(link,)], [(ignore,)]],
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
    return _letter(
        subject=_("Someone tried to register with your email address"),
        email=email,
        paragraphs=[
            [(dear,)],
            [(tried,)],
            [(if_you, login_link), (forgot, reset_link)],
            [(ignore,)],
        ],
    )
