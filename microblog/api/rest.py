"""The REST API (chapter 23 of the Mega-Tutorial, and posts, feed and follows beyond it): a
FastAPI sub-application mounted at /api, with its OpenAPI document at /api/openapi.json and
interactive docs at /api/docs (Swagger UI, served from /api/docs/static: no CDN). Endpoints and
examples: docs/api.md.

A sub-application rather than a router on the outer app, so its error handlers (JSON for every
error) and its OpenAPI document cover exactly the API, and not the cookie routes beside it.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi_offline import FastAPIOffline
from starlette.routing import Mount

from microblog.api import (
    avatars,
    conversations,
    instance,
    media,
    posts,
    safety,
    threads,
    tokens,
    users,
)
from microblog.api.errors import install_error_handlers
from microblog.api.representations import API_PREFIX

DESCRIPTION = """
The Microblog REST API. Get a token with `POST /api/tokens` and HTTP Basic credentials, then
send it as `Authorization: Bearer <token>` with every other request (it lasts an hour).
Collections take `page` and `per_page` (at most 100). Errors are JSON:
`{"error": "<HTTP reason>", "message": "<what went wrong>"}`.
"""


DOCS_ASSETS = "/docs/static"  # Swagger UI's script and style, from the fastapi-offline package


def create_rest_api() -> FastAPI:
    # Swagger UI's files come with fastapi-offline and are served here, under /api/docs/static:
    # the docs work offline and with a CSP that allows no other site (web/security_headers.py).
    app = FastAPIOffline(
        title="Microblog API",
        version="1.0",
        description=DESCRIPTION,
        docs_url="/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
        static_url=DOCS_ASSETS,
        # Swagger UI would send the document to its public validator for a badge.
        swagger_ui_parameters={"validatorUrl": None},
    )
    install_error_handlers(app)
    app.include_router(tokens.router)
    app.include_router(users.router)
    app.include_router(avatars.upload_router)
    app.include_router(avatars.router)
    app.include_router(posts.router)
    app.include_router(threads.router)
    app.include_router(conversations.router)
    app.include_router(safety.router)
    app.include_router(safety.moderator_router)
    app.include_router(instance.router)
    app.include_router(media.router)
    app.include_router(media.json_router)
    app.openapi = lambda: _openapi_without_422(app)  # type: ignore[method-assign]
    return app


def _openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents a 422 for every operation with parameters; we answer 400 instead (in
    the documented error shape), so the document says so."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None and "400" not in responses:
                    responses["400"] = {
                        "description": "Bad or missing fields or query arguments.",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ErrorOut"}
                            }
                        },
                    }
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
    return app.openapi_schema


class _WholePathMount(Mount):
    """A mount that takes every path under its prefix. Starlette's pattern for the rest of the
    path is `.*`, which stops at a newline, so `/api/users/1%0A/follow` fell through to the app
    below (Reflex) and got its plain-text 404; here it reaches the API, whose 404 is JSON."""

    def __init__(self, path: str, app: FastAPI) -> None:
        super().__init__(path, app=app)
        self.path_regex = re.compile(self.path_regex.pattern, re.DOTALL)


def mount_rest_api(app: FastAPI) -> None:
    """Serve the API under /api of the backend's HTTP app."""
    app.router.routes.append(_WholePathMount(API_PREFIX, create_rest_api()))
