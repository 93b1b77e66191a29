"""The API's request bodies and the response shapes, as pydantic models for the OpenAPI document.

Requests are validated with these models. Responses are built as dicts by `representations.py`
(no per-response model validation on the hot path); these models only describe them, and the
contract test and schemathesis check the real responses against this description.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

# -- requests --------------------------------------------------------------------------------


class UserCreate(BaseModel):
    """A new account, checked by the same rules as the registration form."""

    username: str = Field(description="3 to 32 letters, digits, '.', '_' or '-'.")
    email: str
    password: str = Field(description="8 to 256 characters.")
    about_me: str | None = Field(default=None, description="At most 140 characters.")


class UserUpdate(BaseModel):
    """Any of these fields; the ones left out keep their value."""

    username: str | None = None
    email: str | None = None
    about_me: str | None = Field(default=None, description='null or "" clears it.')


class PostCreate(BaseModel):
    body: str = Field(description="1 to 140 characters after trimming spaces.")


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


class TokenOut(BaseModel):
    token: str


class AcceptedOut(BaseModel):
    message: str = Field(description="What happens next (check your email).")


class ErrorOut(BaseModel):
    error: str = Field(description="The HTTP reason phrase, e.g. Bad Request.")
    message: str


def errors(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The `responses=` entry documenting these error statuses with the error shape."""
    described = {
        400: "Bad or missing fields, malformed JSON, or a bad query argument.",
        401: "Missing, wrong, expired or revoked credentials.",
        403: "Not allowed for this user.",
        404: "No such resource (or URL).",
        413: "The body is larger than 64 KiB.",
        415: "The body is not JSON (Content-Type must be application/json).",
        429: "Rate limited: retry after the `Retry-After` header's seconds.",
    }
    return {status: {"model": ErrorOut, "description": described[status]} for status in statuses}
