"""`python -m microblog user disable` ends the user's sessions live: a tab open on the running
backend is emptied (it becomes a visitor's page) as soon as the command commits, through the
live events' Redis channel that the command and the backend share."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from microblog.config import PROJECT_ROOT, normalize_database_url
from microblog.db import make_engine
from microblog.services import accounts
from tests.app_server import serve_reflex_backend
from tests.conftest import migrate
from tests.reflex_socket import RawTab, session_cookie

COOKIE = "mb_admin_live"
REDIS = os.environ.get("TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS, reason="TEST_REDIS_URL not set (CI sets it to the local Redis)")
def test_disable_empties_the_open_tabs_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    migrate(url)
    engine = make_engine(normalize_database_url(url))
    with Session(engine) as db:
        user = accounts.create_user(
            db, username="alice", email="alice@example.com", password="correct horse battery"
        )
        db.commit()
        user_id = user.id or 0
    cookie = session_cookie(engine, user_id, COOKIE)
    env = {"REDIS_URL": REDIS, "SESSION_COOKIE_NAME": COOKIE}
    try:
        with serve_reflex_backend(url, tmp_path, env) as server:
            port = int(server.base.rsplit(":", 1)[1])

            async def scenario() -> tuple[list[str], str]:
                tab = RawTab("127.0.0.1", port, origin="http://localhost:3000", cookie=cookie)
                await tab.open("/")
                await tab.settled()
                signed_in = list(tab.frames)
                start = len(tab.frames)
                command = await asyncio.to_thread(
                    subprocess.run,
                    [sys.executable, "-m", "microblog", "user", "disable", "alice"],
                    cwd=PROJECT_ROOT,
                    env={**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS},
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert command.returncode == 0, command.stderr
                emptied = await tab.wait_for('"user_id_rx_state_":0', 30, after=start)
                await tab.close()
                return signed_in, emptied

            signed_in, emptied = asyncio.run(scenario())
    finally:
        engine.dispose()
    assert any(f'"user_id_rx_state_":{user_id}' in frame for frame in signed_in)
    assert '"user_name_rx_state_":""' in emptied
