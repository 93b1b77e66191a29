"""The published OpenAPI schema states the rules the server enforces, exactly where it enforces
them: each documented bound is read from /api/openapi.json and the server is asked on both sides
of it (accepted at the bound, refused one past it). Schemathesis (test_api_schemathesis.py)
checks the other direction at large: whatever the schema forbids, the server refuses.

Before, the schema had no lengths, no username pattern and no word about following yourself, so
a client generated from it sent requests the server refused.
"""

from __future__ import annotations

import httpx
import pytest

from microblog.api.contract import USERNAME_MAX, USERNAME_MIN
from microblog.config import get_settings
from microblog.services.users import USERNAME_RE
from tests.api.conftest import PASSWORD, Account, ApiServer, unique_name


@pytest.fixture(scope="module")
def schema(api_server: ApiServer) -> dict:
    with api_server.client() as client:
        return client.get("/openapi.json").json()


def _property(schema: dict, model: str, name: str) -> dict:
    """A request model's property; for an optional one, its string branch."""
    prop = schema["components"]["schemas"][model]["properties"][name]
    for branch in prop.get("anyOf", []):
        if branch.get("type") == "string":
            return {**prop, **branch}
    return prop


def _email(length: int) -> str:
    """A fresh valid address of exactly `length` characters (labels of at most 63)."""
    name = unique_name("em")
    fill = length - len(f"{name}@.example.com")
    labels = [("d" * 63 + ".") * (fill // 64), "d" * (fill % 64)]
    domain = "".join(labels).strip(".") or "d"
    email = f"{name}@{domain}.example.com"
    assert len(email) == length, email
    return email


def test_username_lengths_are_those_of_the_pattern() -> None:
    assert USERNAME_RE.match("a" * USERNAME_MIN) and USERNAME_RE.match("a" * USERNAME_MAX)
    assert not USERNAME_RE.match("a" * (USERNAME_MIN - 1))
    assert not USERNAME_RE.match("a" * (USERNAME_MAX + 1))


def _register(api: httpx.Client, **fields: str) -> httpx.Response:
    name = unique_name("sr")
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD, **fields}
    return api.post("/users", json=body)


def test_registration_rules_are_in_the_schema_at_the_servers_bounds(
    api: httpx.Client, schema: dict
) -> None:
    username = _property(schema, "UserCreate", "username")
    assert username["pattern"] == USERNAME_RE.pattern
    low, high = username["minLength"], username["maxLength"]
    short = unique_name("")[-low:]  # fresh: the test run's other names are longer
    responses = {
        "at minLength": _register(api, username=short),
        "at maxLength": _register(api, username=(unique_name("m") * 8)[:high]),
    }
    for what, response in responses.items():
        assert response.status_code == 201, (what, response.text)
    for value in ("a" * (low - 1), "a" * (high + 1), "-" + "a" * low, "a b" * low):
        assert _register(api, username=value).status_code == 400, value

    password = _property(schema, "UserCreate", "password")
    assert _register(api, password="p" * password["minLength"]).status_code == 201
    assert _register(api, password="p" * (password["minLength"] - 1)).status_code == 400
    assert _register(api, password="p" * password["maxLength"]).status_code == 201
    assert _register(api, password="p" * (password["maxLength"] + 1)).status_code == 400

    about = _property(schema, "UserCreate", "about_me")
    assert _register(api, about_me="a" * about["maxLength"]).status_code == 201
    assert _register(api, about_me="a" * (about["maxLength"] + 1)).status_code == 400

    email = _property(schema, "UserCreate", "email")
    assert email["minLength"] == 1
    assert _register(api, email="").status_code == 400
    assert _register(api, email=_email(email["maxLength"])).status_code == 201
    assert _register(api, email=_email(email["maxLength"] + 1)).status_code == 400


def test_post_body_rules_are_in_the_schema_at_the_servers_bounds(
    api: httpx.Client, schema: dict, make_account
) -> None:
    me: Account = make_account()
    body = _property(schema, "PostCreate", "body")

    def post(text: str) -> httpx.Response:
        return api.post("/posts", json={"body": text}, headers=me.headers)

    # No minLength: a post of pictures alone may have an empty body (test_api_media.py); the
    # description says a post without pictures needs text, and the server says so.
    assert "minLength" not in body and "unless the post has pictures" in body["description"]
    assert post("x").status_code == 201
    assert post(" ").status_code == 400
    # maxLength bounds the text as typed; the limit people see counts each link as 23
    # characters (the description says so), so a long link fits where its length would not.
    most = get_settings().post_max_length
    link = "https://example.com/" + "a" * 200
    assert post(link + " " + "x" * (most - 24)).status_code == 201
    assert post("x" * (most + 1)).status_code == 400
    assert post(link * (body["maxLength"] // len(link) + 1)).status_code == 400


def test_following_yourself_is_a_documented_400(
    api: httpx.Client, schema: dict, make_account
) -> None:
    me: Account = make_account()
    for method, word in (("post", "follow"), ("delete", "unfollow")):
        documented = schema["paths"]["/users/{user_id}/follow"][method]["responses"]["400"]
        example = documented["content"]["application/json"]["example"]
        assert f"cannot {word} yourself" in documented["description"]
        response = api.request(method.upper(), f"/users/{me.id}/follow", headers=me.headers)
        assert response.status_code == 400
        assert response.json() == example
