"""The routers of the Mastodon API's REST endpoints (accounts, statuses, media, timelines,
notifications, markers), which the API's mount includes."""

from __future__ import annotations

from fastapi import APIRouter

from microblog.mastodon import accounts, markers, media, notifications, statuses, timelines

ROUTERS: list[APIRouter] = [
    accounts.router,
    statuses.router,
    media.router,
    media.upload_router,
    timelines.router,
    notifications.router,
    markers.router,
]
