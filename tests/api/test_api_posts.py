"""Posts, a user's posts and the home feed over real HTTP, with the UI's rules."""

from __future__ import annotations

import httpx

from microblog.config import get_settings
from tests.api.conftest import Account


def test_create_read_and_delete_a_post(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    created = api.post("/posts", json={"body": "  Hello from the API  "}, headers=me.headers)
    assert created.status_code == 201
    post = created.json()
    assert created.headers["location"] == f"/api/posts/{post['id']}"
    assert post["body"] == "Hello from the API"
    assert post["author"]["id"] == me.id
    assert api.get(f"/posts/{post['id']}", headers=me.headers).json() == post
    assert api.get(f"/users/{me.id}", headers=me.headers).json()["post_count"] == 1
    assert api.delete(f"/posts/{post['id']}", headers=me.headers).status_code == 204
    gone = api.get(f"/posts/{post['id']}", headers=me.headers)
    assert gone.status_code == 404
    assert gone.json() == {"error": "Not Found", "message": "No such post."}
    assert api.delete(f"/posts/{post['id']}", headers=me.headers).status_code == 404


def test_only_the_author_deletes_a_post(api: httpx.Client, make_account) -> None:
    author: Account = make_account()
    other: Account = make_account()
    post = api.post("/posts", json={"body": "mine"}, headers=author.headers).json()
    response = api.delete(f"/posts/{post['id']}", headers=other.headers)
    assert response.status_code == 403
    assert response.json() == {
        "error": "Forbidden",
        "message": "You can only delete your own posts.",
    }
    assert api.get(f"/posts/{post['id']}", headers=other.headers).status_code == 200


def test_posts_follow_the_ui_rules(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    most = get_settings().post_max_length
    for body, word in (
        ("", "Write something"),
        ("   ", "Write something"),
        ("x" * (most + 1), str(most)),
    ):
        response = api.post("/posts", json={"body": body}, headers=me.headers)
        assert response.status_code == 400
        assert word in response.json()["message"]
    assert api.post("/posts", json={}, headers=me.headers).status_code == 400
    assert api.post("/posts", json={"body": 5}, headers=me.headers).status_code == 400
    assert api.post("/posts", content="hi", headers=me.headers).status_code == 415
    assert api.post("/posts", json={"body": "x" * most}, headers=me.headers).status_code == 201
    for missing in ("/posts/999999", "/posts/0", "/posts/-1"):
        assert api.get(missing, headers=me.headers).status_code == 404
    assert api.get("/posts/abc", headers=me.headers).status_code == 400


def test_user_posts_are_counted_and_paged_newest_first(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    ids = [
        api.post("/posts", json={"body": f"post {i}"}, headers=me.headers).json()["id"]
        for i in range(3)
    ]
    page = api.get(f"/users/{me.id}/posts?per_page=2", headers=me.headers).json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    assert page["_meta"] == {"page": 1, "per_page": 2, "total_pages": 2, "total_items": 3}
    assert page["_links"]["next"] == f"/api/users/{me.id}/posts?page=2&per_page=2"


def test_the_feed_has_my_posts_and_those_i_follow_but_is_not_counted(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    followed: Account = make_account()
    stranger: Account = make_account()
    api.post(f"/users/{followed.id}/follow", headers=me.headers)
    mine = api.post("/posts", json={"body": "mine"}, headers=me.headers).json()["id"]
    theirs = api.post("/posts", json={"body": "theirs"}, headers=followed.headers).json()["id"]
    api.post("/posts", json={"body": "stranger"}, headers=stranger.headers)
    feed = api.get("/feed", headers=me.headers).json()
    assert [p["id"] for p in feed["items"]] == [theirs, mine]
    assert feed["_meta"] == {"page": 1, "per_page": 10, "total_pages": None, "total_items": None}
    assert feed["_links"] == {"self": "/api/feed?page=1&per_page=10", "next": None, "prev": None}
    one = api.get("/feed?per_page=1", headers=me.headers).json()
    assert [p["id"] for p in one["items"]] == [theirs]
    assert one["_links"]["next"] == "/api/feed?page=2&per_page=1"
