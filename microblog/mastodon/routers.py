"""Every router of the Mastodon client API, in the order their routes are matched (a fixed
path such as /api/v1/accounts/verify_credentials before /api/v1/accounts/{id})."""

from __future__ import annotations

from fastapi import APIRouter

from microblog.mastodon import apps, credentials, instance, oauth

ROUTERS: list[APIRouter] = [
    instance.router,
    apps.router,
    oauth.router,
    credentials.router,
]
