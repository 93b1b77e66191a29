"""Private messages as conversations, the same as the Messages pages show them: the list, one
conversation's messages (reading its newest page marks it read, as opening it in the browser
does), and sending. The rules are the services' (services/conversations.py, messages.py)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from microblog.api.auth import BearerCredentials, authorized
from microblog.api.contract import (
    ConversationCollection,
    MessageCollection,
    MessageCreate,
    MessageOut,
    errors,
)
from microblog.api.params import PagingArgs
from microblog.api.representations import (
    API_PREFIX,
    collection_json,
    conversation_json,
    conversation_path,
    message_json,
)
from microblog.api.routing import JsonRoute
from microblog.models import row_id
from microblog.schemas import MessageRow
from microblog.services import conversations, messages

router = APIRouter(route_class=JsonRoute, tags=["messages"])

_NO_SUCH_USER = ("No such user.", "User nobody not found.")
_YOURSELF = (
    "Bad fields or query arguments, or the username is your own.",
    "You cannot send a message to yourself.",
)


@router.get("/conversations", response_model=ConversationCollection, responses=errors(400, 401))
def get_conversations(paging: PagingArgs, credentials: BearerCredentials) -> JSONResponse:
    """Your conversations, one per person you wrote to or heard from, the most recent first,
    each with the newest message and how many of theirs you have not read. Listing marks
    nothing read. Not counted: follow `_links.next` until it is null."""
    with authorized(credentials) as (db, me):
        reader = row_id(me)
        page = conversations.list_conversations(
            db, user_id=reader, page=paging.page, per_page=paging.per_page
        )
        return JSONResponse(
            collection_json(
                page,
                lambda row: conversation_json(row, reader_id=reader),
                f"{API_PREFIX}/conversations",
            )
        )


@router.get(
    "/conversations/{username}",
    response_model=MessageCollection,
    responses=errors(401, examples={400: _YOURSELF, 404: _NO_SUCH_USER}),
)
def get_conversation(
    username: str, paging: PagingArgs, credentials: BearerCredentials
) -> JSONResponse:
    """Your messages with `username`, both ways, newest first. Reading page 1 marks the
    conversation read up to its newest message, as opening it in the browser does (your
    unread badge goes down on your open pages); other pages change nothing. Not counted."""
    with authorized(credentials) as (db, me):
        view = conversations.read_conversation(
            db,
            user_id=row_id(me),
            other_username=username,
            page=paging.page,
            per_page=paging.per_page,
        )
        path = conversation_path(view.other.username)
        return JSONResponse(collection_json(view.messages, message_json, path))


@router.post(
    "/conversations/{username}",
    status_code=201,
    response_model=MessageOut,
    # 403: a block, or their "who can message you" setting; 429: the spam brake.
    responses=errors(401, 403, 413, 415, 429, examples={400: _YOURSELF, 404: _NO_SUCH_USER}),
)
def send_message(
    username: str, data: MessageCreate, credentials: BearerCredentials
) -> JSONResponse:
    """Send `username` a private message; 201 with the message. It reaches their open pages
    live (the badge, the conversation and the list), as one sent from the browser does."""
    with authorized(credentials) as (db, me):
        sent = messages.send_message(
            db, sender_id=row_id(me), recipient_username=username, body=data.body
        )
        row = MessageRow.of_columns(
            row_id(sent),
            sent.body,
            sent.timestamp,
            sent.sender_id,
            sent.recipient_id,
            reader_id=row_id(me),
        )
    return JSONResponse(message_json(row), status_code=201)
