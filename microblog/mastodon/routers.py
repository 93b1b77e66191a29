"""Every router of the Mastodon client API, in the order their routes are matched (a fixed
path such as /api/v1/accounts/verify_credentials before /api/v1/accounts/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from microblog.mastodon import (
    accounts,
    apps,
    credentials,
    instance,
    markers,
    media,
    notifications,
    oauth,
    statuses,
    streaming,
    timelines,
)

ROUTERS: list[APIRouter] = [
    instance.router,
    apps.router,
    oauth.router,
    credentials.router,
    accounts.router,
    statuses.router,
    media.router,
    media.upload_router,
    timelines.router,
    notifications.router,
    markers.router,
    streaming.router,
]
