"""The API's request bodies and the response shapes, as pydantic models for the OpenAPI document.

Requests are validated with these models. Responses are built as dicts by `representations.py`
(no per-response model validation on the hot path); these models only describe them, and the
contract test and schemathesis check the real responses against this description.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict, JsonValue

from microblog.models import ABOUT_ME_MAX, EMAIL_MAX, MESSAGE_MAX, POST_MAX
from microblog.services.users import PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE

# -- requests --------------------------------------------------------------------------------
# The schema states the services' limits (the same constants), but the services alone enforce
# them: FastAPI checks only types and required fields, so a request with several problems hears
# about all of them at once, in the same words as the forms. Leading and trailing spaces are
# trimmed before the limits apply. tests/api/test_api_schema_rules.py asks the server on both
# sides of each documented bound, and schemathesis checks that what the schema forbids is
# refused.

USERNAME_MIN, USERNAME_MAX = 3, 32  # what USERNAME_RE allows (a test checks they agree)


def _documented(description: str, **rules: JsonValue) -> Any:
    """A field whose JSON Schema carries `rules` (minLength, pattern...) that the services
    enforce."""
    return Field(description=description, json_schema_extra=rules)


_USERNAME_RULES: JsonDict = {
    "minLength": USERNAME_MIN,
    "maxLength": USERNAME_MAX,
    "pattern": USERNAME_RE.pattern,
}
_USERNAME = (
    f"{USERNAME_MIN} to {USERNAME_MAX} letters, digits, '.', '_' or '-', starting with a letter "
    "or digit; not taken, nor one that looks like a taken one (e.g. `aIice` for `alice`)."
)
_EMAIL = "A valid email address, not taken."
_EMAIL_RULES: JsonDict = {"minLength": 1, "maxLength": EMAIL_MAX}


class UserCreate(BaseModel):
    """A new account, checked by the same rules as the registration form."""

    username: str = _documented(_USERNAME, **_USERNAME_RULES)
    email: str = _documented(_EMAIL, **_EMAIL_RULES)
    password: str = _documented(
        f"{PASSWORD_MIN} to {PASSWORD_MAX} characters.",
        minLength=PASSWORD_MIN,
        maxLength=PASSWORD_MAX,
    )
    about_me: str | None = Field(
        default=None,
        description=f"At most {ABOUT_ME_MAX} characters.",
        json_schema_extra={"maxLength": ABOUT_ME_MAX},
    )


class UserUpdate(BaseModel):
    """Any of these fields; the ones left out keep their value."""

    username: str | None = Field(
        default=None, description=_USERNAME, json_schema_extra=_USERNAME_RULES
    )
    email: str | None = Field(default=None, description=_EMAIL, json_schema_extra=_EMAIL_RULES)
    about_me: str | None = Field(
        default=None,
        description=f'At most {ABOUT_ME_MAX} characters; null or "" clears it.',
        json_schema_extra={"maxLength": ABOUT_ME_MAX},
    )


class PostCreate(BaseModel):
    body: str = _documented(
        f"1 to {POST_MAX} characters after trimming spaces.", minLength=1, maxLength=POST_MAX
    )


class MessageCreate(BaseModel):
    body: str = _documented(
        f"1 to {MESSAGE_MAX} characters after trimming spaces.", minLength=1, maxLength=MESSAGE_MAX
    )


# -- responses -------------------------------------------------------------------------------


class UserLinks(BaseModel):
    self: str
    followers: str
    following: str
    avatar: str


class UserOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    username: str
    last_seen: str = Field(description="ISO 8601 in UTC, e.g. 2026-11-21T15:04:27Z.")
    about_me: str | None
    post_count: int
    follower_count: int
    following_count: int
    email: str | None = Field(default=None, description="Only in your own representation.")
    links: UserLinks = Field(alias="_links")


class Meta(BaseModel):
    page: int
    per_page: int
    total_pages: int | None = Field(description="null for feeds, which are not counted.")
    total_items: int | None = Field(description="null for feeds, which are not counted.")


class CollectionLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


class UserCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[UserOut]
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class PostAuthor(BaseModel):
    id: int
    username: str
    avatar: str


class PostLinks(BaseModel):
    self: str
    author: str


class PostOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    body: str
    timestamp: str = Field(description="ISO 8601 in UTC.")
    language: str | None
    author: PostAuthor
    links: PostLinks = Field(alias="_links")


class PostCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[PostOut]
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class MessageLinks(BaseModel):
    sender: str
    recipient: str


class MessageOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    body: str
    timestamp: str = Field(description="ISO 8601 in UTC.")
    from_me: bool = Field(description="Whether you sent it (else you received it).")
    links: MessageLinks = Field(alias="_links")


class MessageCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[MessageOut] = Field(description="Newest first.")
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class ConversationLinks(BaseModel):
    self: str = Field(description="The conversation's messages.")
    user: str


class ConversationOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    user: PostAuthor = Field(description="The other person.")
    last_message: MessageOut = Field(description="The newest message, either way.")
    unread: int = Field(description="Messages they sent you that you have not read.")
    links: ConversationLinks = Field(alias="_links")


class ConversationCollection(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    items: list[ConversationOut] = Field(description="The most recent conversation first.")
    meta: Meta = Field(alias="_meta")
    links: CollectionLinks = Field(alias="_links")


class TokenOut(BaseModel):
    token: str


class AcceptedOut(BaseModel):
    message: str = Field(description="What happens next (check your email).")


class ErrorOut(BaseModel):
    error: str = Field(description="The HTTP reason phrase, e.g. Bad Request.")
    message: str


def errors(
    *statuses: int, examples: dict[int, tuple[str, str]] | None = None
) -> dict[int | str, dict[str, object]]:
    """The `responses=` entry documenting these error statuses with the error shape.
    `examples` gives one operation's own meaning of a status: (description, the message it
    answers with), shown as the example body."""
    described: dict[int, str] = {
        400: "Bad or missing fields, malformed JSON, or a bad query argument.",
        401: "Missing, wrong, expired or revoked credentials.",
        403: "Not allowed for this user.",
        404: "No such resource (or URL).",
        413: "The body is larger than 64 KiB.",
        415: "The body is not JSON (Content-Type must be application/json).",
        429: "Rate limited: retry after the `Retry-After` header's seconds.",
    }
    responses: dict[int | str, dict[str, object]] = {
        status: {"model": ErrorOut, "description": described[status]} for status in statuses
    }
    for status, (description, message) in (examples or {}).items():
        example = {"error": HTTPStatus(status).phrase, "message": message}
        responses[status] = {
            "model": ErrorOut,
            "description": description,
            "content": {"application/json": {"example": example}},
        }
    return responses
