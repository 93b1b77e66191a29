"""A profile's first paint: the card, the tabs and the first page of posts, as pages/profile.py
renders them, written by the server into the profile page's HTML (feed_first_paint.py serves
it; components/feed_first_paint.py says why).

The profile's card sits above its posts and its height varies (about me, buttons), so posts
drawn alone would jump when the card arrived: the server draws the whole profile, and the live
page replaces it in one piece. What differs until then:
- the buttons (Follow, Unfollow, Export) are drawn but marked `aria-disabled` until the page is
  live, since nothing would answer a click yet; the links work as plain links;
- "last seen" shows as digits in UTC (the server does not know the reader's time zone); the
  live page shows the reader's own time, in digits first as well, then the full date;
- the avatar shows its initial, as post cards do (feed_first_paint.py says why), and the owner's
  "Download your last export" appears when the live page knows of one.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from microblog import routes
from microblog.i18n import translators
from microblog.i18n.relative_time import relative_time_text
from microblog.services.profile import TABS, ProfileView
from microblog.web.markup import PROFILE_TAB, ButtonVariant, button_class, link_html

_TAB_LABELS = {"posts": "Posts", "followers": "Followers", "following": "Following"}


def numeric_date_time(iso: str) -> str:
    """The moment as digits ("2026-11-21 20:15"), as assets/i18n/runtime.js's
    `numericDateTime` writes it before the full date, here in UTC."""
    when = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    return when.strftime("%Y-%m-%d %H:%M")


def _button(label: str, variant: ButtonVariant) -> str:
    return (
        f'<button type="button" class="{button_class(variant)}" aria-disabled="true">'
        f"{html.escape(label)}</button>"
    )


def _actions(view: ProfileView, *, reader_id: int | None, lang: str) -> str:
    _ = translators(lang)[0]
    if view.is_self:
        inside = link_html(_("Edit your profile"), routes.EDIT_PROFILE, button_class("soft"))
        inside += _button(_("Export your posts"), "soft")
    elif reader_id is not None:
        inside = (
            _button(_("Unfollow"), "outline")
            if view.is_following
            else _button(_("Follow"), "solid")
        )
        href = routes.send_message_url(view.user.username)
        inside += link_html(_("Send private message"), href, button_class("soft"))
    else:
        inside = ""
    return f'<div class="profile-actions">{inside}</div>'


def _card(view: ProfileView, *, reader_id: int | None, lang: str, now: datetime) -> str:
    _, _n = translators(lang)
    user = view.user
    name = html.escape(user.username)
    seen = html.escape(user.last_seen)
    about = f'<p class="about-me">{html.escape(user.about_me)}</p>' if user.about_me else ""
    followers = _n("follower", "followers", view.followers_count)
    return (
        '<div class="profile-card">'
        '<span aria-hidden="true" class="post-avatar profile-avatar">'
        f"{html.escape(user.username[:1].upper())}</span>"
        '<div class="profile-details">'
        f'<h1 class="profile-username">{name}</h1>{about}'
        f'<p class="profile-meta last-seen">{html.escape(_("Last seen on"))} '
        f'<time datetime="{seen}">{html.escape(numeric_date_time(user.last_seen))}</time> ('
        f'<time class="relative-time" datetime="{seen}">'
        f"{html.escape(relative_time_text(user.last_seen, lang=lang, now=now))}</time>)</p>"
        '<p class="profile-counts">'
        f'<span><strong class="followers-count">{view.followers_count}</strong> '
        f"{html.escape(followers)}</span>"
        f'<span><strong class="following-count">{view.following_count}</strong> '
        f"{html.escape(_('following'))}</span></p>"
        f"{_actions(view, reader_id=reader_id, lang=lang)}"
        "</div></div>"
    )


def _tabs(view: ProfileView, *, lang: str) -> str:
    _ = translators(lang)[0]
    profile = routes.user_url(view.user.username)
    links = "".join(
        link_html(
            _(_TAB_LABELS[tab]),
            f"{profile}?tab={tab}",
            f"{button_class('solid' if tab == view.tab else 'ghost')} {PROFILE_TAB}",
        )
        for tab in TABS
    )
    label = html.escape(_("Profile sections"))
    return f'<nav class="profile-tabs" aria-label="{label}">{links}</nav>'


def profile_html(
    view: ProfileView, posts_html: str, *, reader_id: int | None, lang: str, now: datetime
) -> str:
    """The profile as pages/profile.py's `.profile` renders it, less the pager (which comes below
    the posts when the page is live), with `posts_html` as its list; every value escaped."""
    return (
        '<div class="profile">'
        f"{_card(view, reader_id=reader_id, lang=lang, now=now)}"
        f"{_tabs(view, lang=lang)}{posts_html}</div>"
    )
