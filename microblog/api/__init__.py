"""The REST API under /api (FastAPI; its OpenAPI docs at /api/docs): the Mega-Tutorial's tokens
and users endpoints and shapes, plus posts, the home feed and follows. docs/api.md."""

from __future__ import annotations

from microblog.api.rest import mount_rest_api

__all__ = ["mount_rest_api"]
