"""The composition root: sets up logging, builds the Reflex app (with our exception handlers),
mounts the HTTP routes, registers the pages and starts the delivery of live events."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.config import get_config
from reflex.event import EventType

from microblog import routes
from microblog.components.i18n import t
from microblog.components.inline_script import inline_script
from microblog.config import get_settings
from microblog.jobs import export_tasks, mail_outbox, media_orphans, search_outbox
from microblog.logs import configure_logging
from microblog.pages.announcements import announcements_page
from microblog.pages.authorize_app import authorize_app_page
from microblog.pages.authorized_apps import authorized_apps_page
from microblog.pages.confirm_email import confirm_email_page
from microblog.pages.conversation import conversation_page
from microblog.pages.edit_profile import edit_profile_page
from microblog.pages.explore import explore_page
from microblog.pages.index import index_page
from microblog.pages.login import login_page
from microblog.pages.messages import messages_page
from microblog.pages.moderation import moderation_page
from microblog.pages.not_found import not_found_page
from microblog.pages.notifications import notifications_page
from microblog.pages.profile import profile_page
from microblog.pages.register import register_page
from microblog.pages.reset_password import reset_password_page, reset_password_request_page
from microblog.pages.safety_settings import safety_settings_page
from microblog.pages.search import search_page
from microblog.pages.send_message import send_message_page
from microblog.pages.tag import tag_page
from microblog.pages.thread import thread_page
from microblog.state.announcements import AnnouncementsState
from microblog.state.auth import LoginState, RegisterState
from microblog.state.confirm_email import ConfirmEmailState
from microblog.state.conversation import ConversationState
from microblog.state.delivery import live_updates
from microblog.state.edit_profile import EditProfileState
from microblog.state.errors import handle_backend_exception, handle_frontend_exception
from microblog.state.event_check import EventCheck, quiet_unknown_handlers
from microblog.state.event_timing import EventTiming
from microblog.state.feed import FeedState
from microblog.state.live import LiveState
from microblog.state.messages import MessagesState
from microblog.state.moderation import ModerationState
from microblog.state.notifications import NotificationsState
from microblog.state.oauth_apps import AuthorizeAppState, AuthorizedAppsState
from microblog.state.password_reset import ResetPasswordState, ResetRequestState
from microblog.state.profile import ProfileState
from microblog.state.safety import SafetySettingsState
from microblog.state.search import SearchState
from microblog.state.session import SessionGuard, SessionState
from microblog.state.tag import TagState
from microblog.state.thread import ThreadState
from microblog.web import create_http_app
from microblog.web.dev_first_paint import SCRIPT as DEV_SCRIPT
from microblog.web.syndication import BACKGROUND_DARK, BACKGROUND_LIGHT

configure_logging()


def _dev_scripts() -> list[rx.Component]:
    """Under `make run`, the first paint that production writes into a page's HTML, fetched
    from the backend (microblog/web/dev_first_paint.py)."""
    if not get_settings().shows_dev_first_paint:
        return []
    api = get_config().api_url.rstrip("/")
    return [rx.el.script(src=DEV_SCRIPT, custom_attrs={"data-api": api})]


app = rx.App(
    stylesheets=["/microblog.css"],
    # Every language we speak is written left to right. Said in the page, the toasts' library
    # (sonner) reads it instead of asking for the document's computed direction on each render:
    # a style pass forced from a script, which on the home feed's takeover also dropped the
    # hidden first paint's layout with the script on the stack (docs/performance.md).
    html_custom_attrs={"dir": "ltr"},
    # Without an icon of its own, every page load also asked for /favicon.ico and got a 404.
    head_components=[
        # First: a page reached under another address than PUBLIC_URL moves there.
        # It and the other two that run before the first paint are in the page, not files
        # (components/inline_script.py).
        inline_script("public_origin.js", **{"data-origin": get_config().deploy_url or ""}),
        rx.el.link(rel="icon", href="/favicon.ico", sizes="48x48"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
        rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
        # Installable (web/syndication.py serves the manifest); the browser's bar takes the
        # page's own background in either theme.
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        # (`media` as a keyword would be taken for a style prop: custom_attrs.)
        *(
            rx.el.meta(
                name="theme-color",
                content=color,
                custom_attrs={"media": f"(prefers-color-scheme: {scheme})"},
            )
            for scheme, color in (("light", BACKGROUND_LIGHT), ("dark", BACKGROUND_DARK))
        ),
        # A plain (not module) script: it runs before the app's scripts read the tab token.
        inline_script("tab_token.js"),
        # Pictures: the full-size viewer and pasting into the compose box (assets/media.js).
        rx.el.script(src="/media.js", defer=True),
        # Before the first paint: <html lang> in the visitor's chosen language.
        inline_script("i18n/html_lang.js"),
        # The navbar's menu on a phone and the skip link (assets/nav_menu.js).
        rx.el.script(src="/nav_menu.js", defer=True),
        *_dev_scripts(),
    ],
    api_transformer=create_http_app(),
    backend_exception_handler=handle_backend_exception,
    frontend_exception_handler=handle_frontend_exception,
)
# Before every event: its clock starts (metrics), its payload fits its handler, then the tab's
# state belongs to the session of the event's cookie, or is emptied.
app.add_middleware(EventTiming())
app.add_middleware(EventCheck())
app.add_middleware(SessionGuard())
quiet_unknown_handlers()
app.register_lifespan_task(live_updates)
app.register_lifespan_task(export_tasks)
app.register_lifespan_task(search_outbox)
app.register_lifespan_task(mail_outbox)
app.register_lifespan_task(media_orphans)


# The picture a shared link to any page shows (a profile's or a post's own replaces it:
# web/page_meta.py), absolute as crawlers need it.
SITE_IMAGE = f"{get_config().deploy_url}/icons/icon-512.png"

# The head of a page that is one reader's own (messages, notifications, settings), a link mailed
# to one person, or search results: not for a search engine's index, should one reach it past
# robots.txt (web/syndication.py keeps crawlers off the same addresses) or through a shared link.
NOINDEX_META = [{"name": "robots", "content": "noindex"}]


def add_page(
    page: Callable[[], rx.Component],
    route: str,
    title: rx.Var[str],
    on_load: EventType[()],
    description: rx.Var[str],
    *,
    noindex: bool = False,
) -> None:
    """Every page: its own on_load (which re-checks the session), then LiveState.connect, which
    settles the reader's language (profile, own choice, or Accept-Language), registers the tab
    for live events and reads the badges, the banner and the export bar.

    The title is a translated Var (`t("Home")`): Reflex renders it as a `<title>` element inside
    the page, which React 19 hoists into the document head and re-renders like any other text,
    so the tab's title follows LocaleState.lang without a reload. The description (what a
    search engine shows under the title) is translated the same way; a profile's, a post's and
    a tag's own are written by the server (web/page_meta.py)."""
    app.add_page(
        page,
        route=route,
        title=title.to(str) + " · Microblog",
        description=description,
        image=SITE_IMAGE,
        meta=NOINDEX_META if noindex else [],
        on_load=[on_load, LiveState.connect],
    )


add_page(
    index_page,
    routes.INDEX,
    t("Home"),
    FeedState.load_home,
    t("Your home feed: your posts and those of the people you follow."),
)
add_page(
    explore_page,
    routes.EXPLORE,
    t("Explore"),
    FeedState.load_explore,
    t("The newest posts from everyone on Microblog."),
)
add_page(
    login_page,
    routes.LOGIN,
    t("Sign In"),
    LoginState.load,
    t("Sign in to Microblog."),
)
add_page(
    register_page,
    routes.REGISTER,
    t("Register"),
    RegisterState.load,
    t("Create your Microblog account."),
)
add_page(
    profile_page,
    routes.USER,
    t("Profile"),
    ProfileState.load,
    t("A Microblog profile: posts, followers and following."),
)
add_page(
    edit_profile_page,
    routes.EDIT_PROFILE,
    t("Edit Profile"),
    EditProfileState.load,
    t("Edit your Microblog profile."),
    noindex=True,
)
add_page(
    safety_settings_page,
    routes.SAFETY_SETTINGS,
    t("Privacy and safety"),
    SafetySettingsState.load,
    t("Who can message you, and whom you block and mute."),
)
add_page(
    messages_page,
    routes.MESSAGES,
    t("Messages"),
    MessagesState.load,
    t("Your private conversations on Microblog."),
    noindex=True,
)
add_page(
    conversation_page,
    routes.CONVERSATION,
    t("Messages"),
    ConversationState.load,
    t("Your private conversations on Microblog."),
    noindex=True,
)
add_page(
    send_message_page,
    routes.SEND_MESSAGE,
    t("Messages"),
    ConversationState.open_from_old_address,
    t("Your private conversations on Microblog."),
    noindex=True,
)
add_page(
    notifications_page,
    routes.NOTIFICATIONS,
    t("Notifications"),
    NotificationsState.load,
    t("Your notifications on Microblog."),
    noindex=True,
)
add_page(
    announcements_page,
    routes.ANNOUNCEMENTS,
    t("Announce"),
    AnnouncementsState.load,
    t("Announcements to everyone on Microblog."),
    noindex=True,
)
add_page(
    authorize_app_page,
    routes.AUTHORIZE_APP,
    t("Authorize an app"),
    AuthorizeAppState.load,
    t("Let an app use your Microblog account."),
)
add_page(
    authorized_apps_page,
    routes.AUTHORIZED_APPS,
    t("Authorized apps"),
    AuthorizedAppsState.load,
    t("The apps that can use your Microblog account."),
)
add_page(
    moderation_page,
    routes.MODERATION,
    t("Moderation"),
    ModerationState.load,
    t("The moderators' reports queue and audit log."),
)
add_page(
    reset_password_request_page,
    routes.RESET_PASSWORD_REQUEST,
    t("Reset Password"),
    ResetRequestState.load,
    t("Reset your Microblog password."),
)
add_page(
    reset_password_page,
    routes.RESET_PASSWORD,
    t("Set a New Password"),
    ResetPasswordState.load,
    t("Choose a new password for your Microblog account."),
    noindex=True,
)
add_page(
    search_page,
    routes.SEARCH,
    t("Search"),
    SearchState.load,
    t("Search posts and people on Microblog."),
    noindex=True,
)
add_page(
    thread_page,
    routes.POST,
    t("Conversation"),
    ThreadState.load,
    t("A post on Microblog and its replies."),
)
add_page(
    tag_page,
    routes.TAG,
    t("Tag"),
    TagState.load,
    t("Posts with a hashtag on Microblog."),
)
add_page(
    confirm_email_page,
    routes.CONFIRM_EMAIL,
    t("Confirm your email address"),
    ConfirmEmailState.load,
    t("Confirm your email address."),
    noindex=True,
)
add_page(
    not_found_page,
    "404",
    t("Not Found"),
    SessionState.load_session,
    t("The page you asked for does not exist."),
)
