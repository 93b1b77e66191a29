"""The three boxes a post is written in, each with its pictures (state/draft_pictures.py) in a
state of its own, so that each has its own pictures, ticket and drop zone: the home page's
compose box (`FeedState.submit_post`), a thread's reply box (`ThreadState.submit_reply`) and a
card's edit box (`PostCardsState.save_edit`, on every page that lists cards). Each box's page
issues its ticket when it loads (home, a thread) or when the box opens (an edit)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from microblog.state.draft_pictures import DraftPicture, DraftPictures

__all__ = [
    "UPLOAD_ID",
    "ComposeMediaState",
    "DraftPicture",
    "DraftPictures",
    "EditMediaState",
    "ReplyMediaState",
]

UPLOAD_ID = "compose-media"


class ComposeMediaState(DraftPictures, rx.State):
    """The home page's "Say something" box."""

    upload_id: ClassVar[str] = UPLOAD_ID


class ReplyMediaState(DraftPictures, rx.State):
    """A thread's reply box."""

    upload_id: ClassVar[str] = "reply-media"


class EditMediaState(DraftPictures, rx.State):
    """The edit box of a card (one open at a time in a tab): it opens with the post's pictures
    and their alt texts; what is saved replaces them, in the box's order."""

    upload_id: ClassVar[str] = "edit-media"
