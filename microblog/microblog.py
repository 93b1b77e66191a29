"""The composition root: builds the Reflex app, mounts the HTTP routes, registers the pages."""

from __future__ import annotations

import reflex as rx

from microblog import routes
from microblog.api import create_http_app
from microblog.pages.edit_profile import edit_profile_page
from microblog.pages.explore import explore_page
from microblog.pages.index import index_page
from microblog.pages.login import login_page
from microblog.pages.not_found import not_found_page
from microblog.pages.register import register_page
from microblog.pages.user import user_page
from microblog.state.auth import LoginState, RegisterState
from microblog.state.edit_profile import EditProfileState
from microblog.state.feed import FeedState
from microblog.state.profile import ProfileState
from microblog.state.session import SessionState

app = rx.App(api_transformer=create_http_app())

app.add_page(index_page, route=routes.INDEX, title="Home · Microblog", on_load=FeedState.load_home)
app.add_page(
    explore_page, route=routes.EXPLORE, title="Explore · Microblog", on_load=FeedState.load_explore
)
app.add_page(login_page, route=routes.LOGIN, title="Sign In · Microblog", on_load=LoginState.load)
app.add_page(
    register_page, route=routes.REGISTER, title="Register · Microblog", on_load=RegisterState.load
)
app.add_page(user_page, route=routes.USER, title="Profile · Microblog", on_load=ProfileState.load)
app.add_page(
    edit_profile_page,
    route=routes.EDIT_PROFILE,
    title="Edit Profile · Microblog",
    on_load=EditProfileState.load,
)
app.add_page(
    not_found_page, route="404", title="Not Found · Microblog", on_load=SessionState.load_session
)
