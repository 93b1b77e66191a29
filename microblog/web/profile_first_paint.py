"""A profile's first paint: the card, the tabs and the first page of posts, drawn by the server
from the same widgets the live page renders (microblog/widgets/profile.py), into the profile
page's HTML (first_paint.py serves it; components/feed_first_paint.py says why).

The profile's card sits above its posts and its height varies (about me, buttons), so posts
drawn alone would jump when the card arrived: the server draws the whole profile, and the live
page replaces it in one piece. What differs until then is the widgets' HTML rendering's
(widgets/html.py): buttons marked `aria-disabled`, the avatar's initial; the owner's "Download
your last export" appears when the live page knows of one.
"""

from __future__ import annotations

from datetime import datetime

from microblog import routes
from microblog.services.profile import ProfileView
from microblog.widgets.html import HtmlRenderer, fields_of
from microblog.widgets.profile import PROFILE_CARD, PROFILE_TABS


def profile_html(
    view: ProfileView, posts_html: str, *, reader_id: int | None, lang: str, now: datetime
) -> str:
    """The profile as pages/profile.py's `.profile` renders it, with `posts_html` as its list
    (the posts and their pager); every value escaped."""
    fields = fields_of(
        view.user,
        view,
        signed_in=reader_id is not None,
        send_message_href=routes.conversation_url(view.user.username),
    )
    header = HtmlRenderer(fields, lang=lang, now=now).render(PROFILE_CARD, PROFILE_TABS)
    return f'<div class="profile">{header}{posts_html}</div>'
