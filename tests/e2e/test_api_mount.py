"""The REST API through the real app (`reflex run`): Reflex mounts our HTTP app with
`api_transformer`, so /api is served by the backend beside the websocket. A client registers,
confirms its address through the emailed link, gets a token and posts over HTTP, and a
follower's open home page shows the post live, as it does for a post from the web form.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from microblog.db import make_engine
from microblog.models import User
from tests.e2e.actions import PASSWORD, confirmation_link, log_in, new_name
from tests.e2e.conftest import NewPage, RunningApp

pytestmark = pytest.mark.browser


def _api_account(
    api: httpx.Client, username: str, live_app: RunningApp, new_page: NewPage
) -> dict[str, str]:
    """Register over the API. The app sends real email, so the answer is 202 and the account
    works once the link emailed to the address is opened (in a browser, as its owner would)."""
    email = f"{username}@example.com"
    created = api.post("/users", json={"username": username, "email": email, "password": PASSWORD})
    assert created.status_code == 202, created.text
    page = new_page()
    page.goto(confirmation_link(email))
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    credentials = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
    token = api.post("/tokens", headers={"Authorization": f"Basic {credentials}"})
    assert token.status_code == 200, token.text
    engine = make_engine(live_app.database_url)
    try:
        with Session(engine) as db:
            user_id = db.exec(select(User.id).where(User.username == username)).one()
    finally:
        engine.dispose()
    return {"Authorization": f"Bearer {token.json()['token']}", "id": str(user_id)}


def test_api_is_served_by_the_reflex_backend(live_app: RunningApp) -> None:
    with httpx.Client(base_url=f"{live_app.backend}/api", timeout=30) as api:
        schema = api.get("/openapi.json")
        assert schema.status_code == 200
        assert schema.json()["info"]["title"] == "Microblog API"
        assert "/api/openapi.json" in api.get("/docs").text
        missing = api.get("/users/1")
        assert missing.status_code == 401
        assert missing.json()["error"] == "Unauthorized"  # the API's JSON, not Reflex's page
        assert api.get("/no/such/route").json()["error"] == "Not Found"
    # Reflex's own routes still answer beside it.
    assert httpx.get(f"{live_app.backend}/ping", timeout=10).status_code == 200


def test_a_post_made_over_the_api_reaches_a_followers_open_page(
    live_app: RunningApp, new_page: NewPage
) -> None:
    reader, writer = new_name("reader"), new_name("writer")
    with httpx.Client(base_url=f"{live_app.backend}/api", timeout=30) as api:
        reader_auth = _api_account(api, reader, live_app, new_page)
        writer_auth = _api_account(api, writer, live_app, new_page)
        follow = api.post(
            f"/users/{writer_auth.pop('id')}/follow",
            headers={"Authorization": reader_auth["Authorization"]},
        )
        assert follow.status_code == 204

        page = new_page()
        page.goto("/login")
        log_in(page, reader)
        expect(page.get_by_role("heading", name=f"Hi, {reader}!")).to_be_visible()
        page.evaluate("window.__still_same_page = true")

        body = f"posted over the API by {writer}"
        created = api.post("/posts", json={"body": body}, headers=writer_auth)
        assert created.status_code == 201
    bar = page.get_by_role("button", name="Show 1 new post")
    expect(bar).to_be_visible()
    bar.click()
    expect(page.locator(".post").first).to_contain_text(body)
    assert page.evaluate("window.__still_same_page === true"), "the page was reloaded"
