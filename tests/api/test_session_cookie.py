"""The two top-level navigations of a login, over real HTTP: `/auth/session` trades a ticket for
the session cookie, `/auth/logout` ends it. Another site can send a browser to either; neither
may sign the browser in as someone else (login CSRF) nor log it out."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from microblog.config import get_settings
from microblog.security import ticket_binding
from microblog.services import auth_sessions
from microblog.services.users import register_user
from tests.api.conftest import ApiServer, unique_name

EVIL = "https://evil.example"


def _ticket(server: ApiServer) -> str:
    """A login ticket for a new user, as the login form issues one after the password check."""
    with Session(server.engine) as db:
        name = unique_name("t")
        user = register_user(
            db,
            username=name,
            email=f"{name}@example.com",
            password="pw-123456",
            password2="pw-123456",
        )
        db.flush()
        ticket = auth_sessions.issue_login_ticket(
            db, user_id=user.id, remember=False, next_path="/"
        )
        db.commit()
    return ticket


def _browser(server: ApiServer, **kwargs: object) -> httpx.Client:
    return httpx.Client(base_url=server.base, timeout=30, **kwargs)  # type: ignore[arg-type]


def _binding(ticket: str) -> dict[str, str]:
    settings = get_settings()
    return {settings.login_binding_cookie_name: ticket_binding(ticket, settings.secret_key)}


def _signed_in(response: httpx.Response) -> bool:
    return get_settings().session_cookie_name in response.cookies


@pytest.mark.parametrize(
    "headers",
    [{}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["no binding cookie", "another site, no binding cookie"],
)
def test_a_ticket_is_not_redeemed_in_another_browser(
    api_server: ApiServer, headers: dict[str, str]
) -> None:
    """The attacker's own ticket, visited by the victim's browser: no session, and the ticket is
    not spent (it is as useless to the victim as before)."""
    ticket = _ticket(api_server)
    with _browser(api_server, headers=headers) as victim:
        answer = victim.get("/auth/session", params={"ticket": ticket})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("/login?expired=1")
    assert not _signed_in(answer)

    with _browser(api_server, cookies=_binding(ticket)) as asker:
        answer = asker.get("/auth/session", params={"ticket": ticket})
    assert _signed_in(answer)


def test_the_browser_that_asked_is_signed_in_unless_another_site_sent_it(
    api_server: ApiServer,
) -> None:
    ticket = _ticket(api_server)
    with _browser(api_server, cookies=_binding(ticket)) as asker:
        refused = asker.get(
            "/auth/session", params={"ticket": ticket}, headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert not _signed_in(refused)
        answer = asker.get(
            "/auth/session", params={"ticket": ticket}, headers={"Sec-Fetch-Site": "same-site"}
        )
    assert answer.status_code == 303
    assert _signed_in(answer)
    # The binding cookie is spent with the ticket.
    name = get_settings().login_binding_cookie_name
    assert any(
        c.startswith(f"{name}=") and "max-age=0" in c.lower()
        for c in answer.headers.get_list("set-cookie")
    )


def _session_of(server: ApiServer) -> str:
    ticket = _ticket(server)
    with _browser(server, cookies=_binding(ticket)) as asker:
        answer = asker.get("/auth/session", params={"ticket": ticket})
    return answer.cookies[get_settings().session_cookie_name]


def _alive(server: ApiServer, token: str) -> bool:
    with Session(server.engine) as db:
        return auth_sessions.session_user(db, token=token) is not None


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Referer": f"{EVIL}/page"}, {"Origin": "null"}],
    ids=["fetch metadata", "referer", "opaque origin"],
)
def test_another_site_cannot_log_people_out(api_server: ApiServer, headers: dict[str, str]) -> None:
    token = _session_of(api_server)
    cookies = {get_settings().session_cookie_name: token}
    with _browser(api_server, cookies=cookies) as browser:
        answer = browser.get("/auth/logout", headers=headers)
    assert answer.status_code == 303
    assert _alive(api_server, token)


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "same-origin"}, {}],
    ids=["from our frontend", "same origin", "no browser headers"],
)
def test_our_own_log_out_link_logs_out(api_server: ApiServer, headers: dict[str, str]) -> None:
    token = _session_of(api_server)
    cookies = {get_settings().session_cookie_name: token}
    with _browser(api_server, cookies=cookies) as browser:
        answer = browser.get("/auth/logout", headers=headers)
    assert answer.status_code == 303
    assert not _alive(api_server, token)
