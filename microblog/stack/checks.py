"""Before anything starts: is everything the stack needs there, and does it answer? Each
problem is one sentence saying what is missing and how to give it, and the stack exits
non-zero instead of starting a site that cannot work."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

from microblog.config import ConfigError, get_settings
from microblog.health import readiness
from microblog.stack.settings import StackSettings

WHAT = {"database": "the database", "redis": "Redis", "search": "Elasticsearch"}


def _where(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    return (
        f"{parts.scheme.split('+')[0]} at {host}:{parts.port}"
        if parts.port
        else f"{parts.scheme.split('+')[0]} at {host}"
    )


def problems(stack: StackSettings, *, need_nginx: bool, need_services: bool = True) -> list[str]:
    """What stands in the way, as sentences; empty when everything is there."""
    found: list[str] = []
    try:
        settings = get_settings()
    except ConfigError as error:
        return [str(error)]
    if not need_services:
        return found
    if not os.environ.get("DATABASE_URL"):
        found.append(
            "DATABASE_URL is not set: the production stack needs a database it can share "
            "between workers, e.g. DATABASE_URL=postgresql://postgres@127.0.0.1:5432/microblog "
            "(create it with: createdb -h 127.0.0.1 -U postgres microblog)."
        )
    elif settings.database_url.startswith("sqlite") and stack.workers > 1:
        found.append(
            f"WEB_WORKERS={stack.workers} with SQLite: several workers need PostgreSQL "
            "(DATABASE_URL=postgresql://...), or set WEB_WORKERS=1."
        )
    if stack.workers > 1 and not settings.redis_url:
        found.append(
            f"WEB_WORKERS={stack.workers} needs REDIS_URL: the workers keep each tab's state "
            "in Redis and pass live events to one another through it, e.g. "
            "REDIS_URL=redis://127.0.0.1:6379/0 (or set WEB_WORKERS=1)."
        )
    if need_nginx and not shutil.which(stack.nginx):
        found.append(
            f"nginx was not found ({stack.nginx}): install Debian's package "
            "(apt-get install nginx) or name the binary with NGINX=/path/to/nginx."
        )
    if found:
        return found
    for check in readiness():
        if check.ok:
            continue
        url = {"database": settings.database_url, "redis": settings.redis_url}.get(check.name)
        where = f" ({_where(url)})" if url else ""
        problem = f"{WHAT[check.name]}{where} does not answer: {check.detail}"
        if check.name == "search":
            # Not a reason to keep the site down: changes wait in the search outbox until
            # Elasticsearch is back, and /readyz names it meanwhile.
            print(f"stack: warning: {problem}", flush=True)
            continue
        found.append(problem)
    return found
