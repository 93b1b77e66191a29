"""`/healthz` and `/readyz`, for load balancers, orchestrators and people.

- `/healthz`: the process is alive and serving HTTP. It checks nothing else, so a database
  outage never makes an orchestrator restart every worker (which would not bring the database
  back, and would drop every open tab). Docker's HEALTHCHECK and nginx's checks use it.
- `/readyz`: the worker can serve a page: the database answers, and Redis and Elasticsearch
  when configured (microblog/health.py). 200 when all do; 503 naming the ones that did not.

Both answer `no-store`: a cache in between must not keep an old verdict.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from microblog.health import readiness

router = APIRouter(include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz")
async def readyz() -> JSONResponse:
    results = await asyncio.to_thread(readiness)
    failed = [check.name for check in results if not check.ok]
    body = {
        "status": "unavailable" if failed else "ready",
        "failed": failed,
        "checks": {check.name: check.detail for check in results},
    }
    return JSONResponse(body, status_code=503 if failed else 200, headers=NO_STORE)
