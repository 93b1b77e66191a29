"""One backend worker: the Reflex app under uvicorn, on one port, serving the websocket, the
API, the session endpoints and the pages' HTML from the build (`python -m microblog.stack
worker --port N`; `make prod` starts WEB_WORKERS of them, a systemd unit or a container one
each).

Why one process per port rather than `reflex run --env prod`: Reflex would compile the app and
rebuild the frontend on every start, pick its own number of workers (5 on 2 cores once
REDIS_URL is set), and put them all behind one port, where nginx could neither spread the
websockets nor skip a worker that is restarting. Here the build is made once (build.py) and
each worker is a plain ASGI server that nginx addresses, restarts alone and never overloads.

uvicorn, not granian (rxconfig.py says why); its own X-Forwarded-For handling is off, so the
one rule of microblog/client_address.py decides the client's address.
"""

from __future__ import annotations

from reflex_base.constants import Env
from reflex_base.environment import environment

APP = "microblog.microblog:app"  # rx.App, called once to build the ASGI application
GRACEFUL_SECONDS = 5  # open websockets are closed after this on a stop; tabs reconnect


def run_worker(host: str, port: int) -> None:
    import uvicorn

    environment.REFLEX_ENV_MODE.set(Env.PROD)
    # The frontend is built already (build.py): no compile, and the build mounted for pages.
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    uvicorn.run(
        APP,
        factory=True,
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
        log_level="warning",
    )
