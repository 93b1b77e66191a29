"""What a client needs to know about this site before it posts (public, like Mastodon's
/api/v2/instance): the longest post and what a link counts toward it."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from microblog.api.contract import InstanceOut
from microblog.api.routing import JsonRoute
from microblog.services.instance import instance_rules

router = APIRouter(route_class=JsonRoute, tags=["instance"])


@router.get("/instance", response_model=InstanceOut)
def get_instance() -> JSONResponse:
    """The site's rules for posts. No token needed."""
    return JSONResponse(asdict(instance_rules()))
