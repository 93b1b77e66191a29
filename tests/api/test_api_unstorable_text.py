"""Text that cannot be stored (a NUL, which PostgreSQL's text refuses; a lone surrogate, which
UTF-8 cannot encode) over real HTTP, on SQLite and PostgreSQL: every endpoint that takes text
answers a 400 in the API's error shape, and nothing changes. Before, each was a 500.

Bodies are sent as JSON with `\\u0000` / `\\ud800` escapes, as any JSON client may send them.
"""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from microblog.models import ApiToken, LoginFailure, Post, User
from tests.api.conftest import PASSWORD, Account, ApiServer, basic, unique_name

BAD = {"nul": "a\x00b", "surrogate": "a\ud800b"}
STORED = "cannot be stored"


def _post_json(
    client: httpx.Client, method: str, path: str, body: dict, **kwargs
) -> httpx.Response:
    """`json.dumps` escapes NUL and surrogates as \\u0000 / \\ud800 (httpx's own encoder would
    fail on a surrogate before sending anything)."""
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    return client.request(method, path, content=json.dumps(body), headers=headers, **kwargs)


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "Bad Request"
    assert STORED in body["message"]


def _count(server: ApiServer, statement) -> int:
    with Session(server.engine) as db:
        return db.exec(statement).one()


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", ["username", "email", "password", "about_me"])
def test_register_refuses_unstorable_text(
    api: httpx.Client, api_server: ApiServer, field: str, kind: str
) -> None:
    name = unique_name("reg")
    fields = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    fields[field] = {
        "username": name[:3] + BAD[kind],
        "email": f"{name}{BAD[kind]}@example.com",
        "password": PASSWORD + BAD[kind],
        "about_me": "Hi " + BAD[kind],
    }[field]
    before = _count(api_server, select(func.count()).select_from(User))
    _refused(_post_json(api, "POST", "/users", fields))
    assert _count(api_server, select(func.count()).select_from(User)) == before


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("field", ["username", "email", "about_me"])
def test_updating_an_account_refuses_unstorable_text(
    api: httpx.Client, make_account, field: str, kind: str
) -> None:
    me: Account = make_account(about_me="as before")
    value = {"username": "ab" + BAD[kind], "email": f"x{BAD[kind]}@example.com"}.get(
        field, "new " + BAD[kind]
    )
    _refused(_post_json(api, "PUT", f"/users/{me.id}", {field: value}, headers=me.headers))
    after = api.get(f"/users/{me.id}", headers=me.headers).json()
    assert (after["username"], after["email"], after["about_me"]) == (
        me.username,
        me.email,
        "as before",
    )


@pytest.mark.parametrize("kind", BAD)
def test_posting_refuses_unstorable_text(
    api: httpx.Client, api_server: ApiServer, make_account, kind: str
) -> None:
    me: Account = make_account()
    _refused(_post_json(api, "POST", "/posts", {"body": "hello " + BAD[kind]}, headers=me.headers))
    assert _count(api_server, select(func.count()).where(Post.user_id == me.id)) == 0


def _basic_raw(username: str, password: str) -> dict[str, str]:
    raw = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


@pytest.mark.parametrize("where", ["username", "password"])
def test_basic_auth_refuses_a_nul(
    api: httpx.Client, api_server: ApiServer, make_account, where: str
) -> None:
    """HTTP Basic is decoded as UTF-8, which cannot yield a lone surrogate; a NUL it can."""
    me: Account = make_account()
    login = me.username + "\x00" if where == "username" else me.username
    password = PASSWORD + "\x00" if where == "password" else PASSWORD
    tokens = select(func.count()).where(ApiToken.user_id == me.id)
    failures = select(func.count()).select_from(LoginFailure)
    before = _count(api_server, tokens), _count(api_server, failures)
    _refused(api.post("/tokens", headers=_basic_raw(login, password)))
    assert _count(api_server, tokens) == before[0]
    if where == "username":  # nothing is counted against a login that cannot exist
        assert _count(api_server, failures) == before[1]
    # The account still works with its real credentials.
    assert api.post("/tokens", headers=basic(me.username, PASSWORD)).status_code == 200
