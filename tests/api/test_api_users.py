"""/api/users over real HTTP: read one, the collection, followers/following, register, update,
follow/unfollow, and every error status a client can cause."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import PASSWORD, Account, ApiServer, basic, unique_name

PROTECTED = [
    ("GET", "/users/1"),
    ("GET", "/users"),
    ("GET", "/users/1/followers"),
    ("GET", "/users/1/following"),
    ("PUT", "/users/1"),
    ("GET", "/users/1/follow"),
    ("POST", "/users/1/follow"),
    ("DELETE", "/users/1/follow"),
    ("GET", "/users/1/posts"),
    ("GET", "/posts/1"),
    ("POST", "/posts"),
    ("DELETE", "/posts/1"),
    ("GET", "/feed"),
    ("DELETE", "/tokens"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED)
def test_every_protected_endpoint_wants_a_live_token(
    api: httpx.Client, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Token x"}):
        response = api.request(method, path, headers=headers, json={"body": "valid"})
        assert response.status_code == 401, (method, path, headers)
        assert response.json()["error"] == "Unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_get_a_user_shows_email_only_to_themselves(api: httpx.Client, make_account) -> None:
    me: Account = make_account(about_me="Hi there")
    other: Account = make_account()
    mine = api.get(f"/users/{me.id}", headers=me.headers).json()
    theirs = api.get(f"/users/{other.id}", headers=me.headers).json()
    assert mine["email"] == me.email
    assert mine["about_me"] == "Hi there"
    assert "email" not in theirs
    assert theirs["username"] == other.username
    assert theirs["about_me"] is None


@pytest.mark.parametrize("user_id", ["999999", "0", "-5", "99999999999999999999999"])
def test_unknown_users_are_404(api: httpx.Client, make_account, user_id: str) -> None:
    me: Account = make_account()
    for path in ("", "/followers", "/following", "/posts", "/follow"):
        response = api.get(f"/users/{user_id}{path}", headers=me.headers)
        assert response.status_code == 404, path
        assert response.json()["error"] == "Not Found"


def test_a_non_numeric_id_is_a_400_that_names_it(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    response = api.get("/users/abc", headers=me.headers)
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert "user_id" in response.json()["message"]


def test_collection_of_users_pages_and_clamps(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    for _ in range(2):
        make_account()
    first = api.get("/users", params={"per_page": 2}, headers=me.headers).json()
    meta = first["_meta"]
    assert meta["page"] == 1 and meta["per_page"] == 2
    assert meta["total_items"] >= 3
    assert meta["total_pages"] == -(-meta["total_items"] // 2)
    assert first["_links"] == {
        "self": "/api/users?page=1&per_page=2",
        "next": "/api/users?page=2&per_page=2",
        "prev": None,
    }
    second = api.get(first["_links"]["next"].removeprefix("/api"), headers=me.headers).json()
    assert second["_links"]["prev"] == "/api/users?page=1&per_page=2"
    assert {u["id"] for u in first["items"]}.isdisjoint({u["id"] for u in second["items"]})
    # per_page is capped at 100 and at least 1; odd page numbers are clamped, not errors.
    assert api.get("/users?per_page=1000", headers=me.headers).json()["_meta"]["per_page"] == 100
    assert api.get("/users?per_page=-3", headers=me.headers).json()["_meta"]["per_page"] == 1
    assert api.get("/users?page=-1", headers=me.headers).json()["_meta"]["page"] == 1
    huge = api.get("/users?page=99999999999999999999999", headers=me.headers)
    assert huge.status_code == 200
    assert huge.json()["items"] == [] and huge.json()["_links"]["next"] is None
    bad = api.get("/users?page=two", headers=me.headers)
    assert bad.status_code == 400 and "page" in bad.json()["message"]


def test_followers_and_following_and_the_follow_endpoints(api: httpx.Client, make_account) -> None:
    amy: Account = make_account("amy")
    bob: Account = make_account("bob")
    follow = f"/users/{bob.id}/follow"
    assert api.get(follow, headers=amy.headers).status_code == 404  # not following yet
    assert api.post(follow, headers=amy.headers).status_code == 204
    assert api.post(follow, headers=amy.headers).status_code == 204  # again: same outcome
    assert api.get(follow, headers=amy.headers).status_code == 204
    followers = api.get(f"/users/{bob.id}/followers", headers=amy.headers).json()
    following = api.get(f"/users/{amy.id}/following", headers=bob.headers).json()
    assert [u["id"] for u in followers["items"]] == [amy.id]
    assert followers["_meta"]["total_items"] == 1
    assert followers["_links"]["self"] == f"/api/users/{bob.id}/followers?page=1&per_page=10"
    assert [u["id"] for u in following["items"]] == [bob.id]
    assert following["items"][0]["follower_count"] == 1
    bob_seen = api.get(f"/users/{bob.id}", headers=bob.headers).json()
    assert (bob_seen["follower_count"], bob_seen["following_count"]) == (1, 0)
    assert api.delete(follow, headers=amy.headers).status_code == 204
    assert api.delete(follow, headers=amy.headers).status_code == 204  # not following: fine
    assert api.get(f"/users/{bob.id}/followers", headers=amy.headers).json()["items"] == []


def test_following_yourself_or_nobody_is_refused(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    own = api.post(f"/users/{me.id}/follow", headers=me.headers)
    assert own.status_code == 400
    assert own.json() == {"error": "Bad Request", "message": "You cannot follow yourself."}
    assert api.post("/users/999999/follow", headers=me.headers).status_code == 404
    assert api.delete("/users/999999/follow", headers=me.headers).status_code == 404


def test_register_answers_201_with_location_and_the_user(api: httpx.Client) -> None:
    name = unique_name("new")
    response = api.post(
        "/users",
        json={
            "username": name,
            "email": f"{name.upper()}@Example.com",
            "password": PASSWORD,
            "about_me": "Hello, my name is Alice!",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/api/users/{body['id']}"
    assert body["username"] == name
    assert body["email"] == f"{name}@example.com"  # normalized as the form does
    assert body["about_me"] == "Hello, my name is Alice!"
    assert "password" not in body and "password_hash" not in body
    assert api.post("/tokens", headers=basic(name, PASSWORD)).status_code == 200


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"email": "x@example.com", "password": PASSWORD}, ["username", "required"]),
        ({"username": "someone"}, ["email", "password"]),
        ({"username": "a", "email": "a@example.com", "password": PASSWORD}, ["3 to 32"]),
        ({"username": "a" * 33, "email": "a@example.com", "password": PASSWORD}, ["3 to 32"]),
        (
            {"username": "longmail", "email": f"{'a' * 60}@{'b' * 60}.com", "password": PASSWORD},
            ["120"],
        ),
        ({"username": "okname1", "email": "not-an-email", "password": PASSWORD}, ["valid email"]),
        ({"username": "okname2", "email": "ok2@example.com", "password": "short"}, ["8"]),
        (
            {
                "username": "okname3",
                "email": "ok3@example.com",
                "password": PASSWORD,
                "about_me": "x" * 141,
            },
            ["140"],
        ),
        ({"username": 12, "email": "n@example.com", "password": PASSWORD}, ["username"]),
    ],
)
def test_register_refuses_bad_fields_with_a_clear_400(
    api: httpx.Client, fields: dict, words: list[str]
) -> None:
    response = api.post("/users", json=fields)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "Bad Request"
    for word in words:
        assert word in response.json()["message"]


def test_register_refuses_a_taken_name_or_address_ignoring_case(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    for fields in (
        {"username": me.username.upper(), "email": "fresh@example.org"},
        {"username": unique_name(), "email": me.email.upper()},
    ):
        response = api.post("/users", json={**fields, "password": PASSWORD})
        assert response.status_code == 400
        assert "taken" in response.json()["message"] or "registered" in response.json()["message"]


@pytest.mark.parametrize(
    ("content", "headers", "status", "word"),
    [
        ('{"username": ', {"content-type": "application/json"}, 400, "not valid JSON"),
        ("[1, 2]", {"content-type": "application/json"}, 400, "JSON object"),
        ("", {}, 400, "JSON body"),
        (
            "username=x&password=y",
            {"content-type": "application/x-www-form-urlencoded"},
            415,
            "JSON",
        ),
        ('{"username": "x"}', {"content-type": "text/plain"}, 415, "JSON"),
        ('{"username": "x"}', {}, 415, "JSON"),
    ],
)
def test_bodies_that_are_not_a_json_object(
    api: httpx.Client, content: str, headers: dict, status: int, word: str
) -> None:
    response = api.post("/users", content=content, headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert word in response.json()["message"]


def test_a_huge_body_is_refused_without_reading_it_all(api: httpx.Client) -> None:
    response = api.post("/users", json={"username": "x" * 100_000})
    assert response.status_code == 413
    assert response.json()["error"] in {"Content Too Large", "Request Entity Too Large"}


def test_put_changes_your_own_account_only(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    other: Account = make_account()
    new_name, new_email = unique_name("ren"), f"{unique_name('mail')}@example.net"
    response = api.put(
        f"/users/{me.id}",
        json={"username": new_name, "email": new_email, "about_me": "Hi, I am Miguel"},
        headers=me.headers,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["username"], response.json()["email"]) == (new_name, new_email)
    assert response.json()["about_me"] == "Hi, I am Miguel"
    # Fields left out keep their value; null clears about_me.
    cleared = api.put(f"/users/{me.id}", json={"about_me": None}, headers=me.headers).json()
    assert (cleared["username"], cleared["about_me"]) == (new_name, None)
    forbidden = api.put(f"/users/{other.id}", json={"about_me": "hacked"}, headers=me.headers)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"] == "Forbidden"
    assert api.get(f"/users/{other.id}", headers=other.headers).json()["about_me"] is None
    taken = api.put(f"/users/{me.id}", json={"username": other.username}, headers=me.headers)
    assert taken.status_code == 400 and "taken" in taken.json()["message"]
    bad = api.put(
        f"/users/{me.id}", json={"email": "nope", "about_me": "y" * 200}, headers=me.headers
    )
    assert bad.status_code == 400
    assert "email" in bad.json()["message"] and "140" in bad.json()["message"]
    unchanged = api.get(f"/users/{me.id}", headers=me.headers).json()
    assert (unchanged["email"], unchanged["about_me"]) == (new_email, None)  # all or nothing


def test_unknown_urls_and_methods_answer_json(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    missing = api.get("/nothing/here", headers=me.headers)
    assert missing.status_code == 404
    assert missing.json()["error"] == "Not Found"
    wrong = api.patch("/users", headers=me.headers)
    assert wrong.status_code == 405
    assert wrong.json()["error"] == "Method Not Allowed"
    assert "GET" in wrong.headers["allow"]


def test_docs_and_schema_are_served(api_server: ApiServer) -> None:
    schema = httpx.get(f"{api_server.api}/openapi.json").json()
    assert {"/tokens", "/users", "/users/{user_id}", "/feed", "/posts"} <= set(schema["paths"])
    assert schema["servers"] == [{"url": "/api"}]
    docs = httpx.get(f"{api_server.api}/docs")
    assert docs.status_code == 200 and "/api/openapi.json" in docs.text


def test_a_name_that_only_looks_like_a_taken_one_is_refused(
    api: httpx.Client, make_account
) -> None:
    """`rn` for `m`, capital i for l: the TR39 skeleton check, on registration and on PUT."""
    mallory: Account = make_account("mal")
    lookalike = "rn" + mallory.username[1:]
    created = api.post(
        "/users",
        json={"username": lookalike, "email": f"{lookalike}@example.com", "password": PASSWORD},
    )
    assert created.status_code == 400
    assert "looks too much like" in created.json()["message"]
    other: Account = make_account("lil")
    renamed = api.put(
        f"/users/{other.id}",
        json={"username": mallory.username.replace("l", "I")},
        headers=other.headers,
    )
    assert renamed.status_code == 400
    assert "looks too much like" in renamed.json()["message"]
    assert api.get(f"/users/{other.id}", headers=other.headers).json()["username"] == (
        other.username
    )
