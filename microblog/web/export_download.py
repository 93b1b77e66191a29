"""GET /export/<task id>: download a finished post export, for its owner only.

The request is authenticated by the HttpOnly session cookie, read and checked against the
session rows exactly as the websocket does. Someone else's export, an unknown id, an unfinished
export and a file already cleaned up all answer the same 404, so ids cannot be probed.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

from microblog.config import get_settings
from microblog.db import session_scope
from microblog.services import auth_sessions, exports
from microblog.services.errors import NotFound

router = APIRouter(include_in_schema=False)


@router.get("/export/{task_id}")
def download_export(task_id: str, request: Request) -> FileResponse:
    token = request.cookies.get(get_settings().session_cookie_name, "")
    with session_scope() as db:
        auth = auth_sessions.resolve_session(db, token=token)
        if auth is None:
            raise HTTPException(status_code=401, detail="Log in to download your export.")
        try:
            path, filename = exports.export_file(db, user_id=auth.user_id, task_id=task_id)
        except NotFound as problem:
            raise HTTPException(status_code=404, detail=problem.message) from problem
    return FileResponse(
        path,
        media_type="application/json",
        filename=filename,  # sets Content-Disposition: attachment
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
