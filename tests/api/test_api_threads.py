"""Replies, edits and their history, threads, likes, boosts, tag listings and the instance's
rules over real HTTP: statuses, who may do what, and the counts in the representation."""

from __future__ import annotations

import httpx
import pytest

from microblog.config import get_settings
from tests.api.conftest import Account, ApiServer, unique_name
from tests.api.tagging import tag_post


def _post(api: httpx.Client, who: Account, body: str, reply_to: int | None = None) -> dict:
    data: dict[str, object] = {"body": body}
    if reply_to is not None:
        data["in_reply_to"] = reply_to
    response = api.post("/posts", json=data, headers=who.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _get(api: httpx.Client, who: Account, post_id: int) -> dict:
    response = api.get(f"/posts/{post_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_reply_names_what_it_answers_and_is_counted(api: httpx.Client, make_account) -> None:
    author: Account = make_account()
    replier: Account = make_account()
    first = _post(api, author, "Where shall we meet?")
    assert (first["in_reply_to"], first["in_reply_to_username"], first["replies_count"]) == (
        None,
        None,
        0,
    )
    reply = _post(api, replier, "At the *station*", reply_to=first["id"])
    assert reply["in_reply_to"] == first["id"]
    assert reply["in_reply_to_username"] == author.username
    assert reply["_links"]["in_reply_to"] == f"/api/posts/{first['id']}"
    assert reply["body_html"].startswith("<p>") and "station" in reply["body_html"]
    assert _get(api, replier, first["id"])["replies_count"] == 1


def test_replying_to_a_missing_post_is_a_404_and_nothing_is_posted(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    gone = _post(api, me, "soon gone")
    api.delete(f"/posts/{gone['id']}", headers=me.headers)
    for missing in (gone["id"], 0, -5, 2**40):
        response = api.post(
            "/posts", json={"body": "hello?", "in_reply_to": missing}, headers=me.headers
        )
        assert response.status_code == 404, (missing, response.text)
        assert response.json()["error"] == "Not Found"
    assert (
        api.post("/posts", json={"body": "x", "in_reply_to": "a"}, headers=me.headers).status_code
        == 400
    )
    assert api.get(f"/users/{me.id}", headers=me.headers).json()["post_count"] == 0


def test_the_author_edits_and_the_history_keeps_the_old_text(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    post = _post(api, me, "first draft")
    assert post["edited_at"] is None
    edited = api.patch(f"/posts/{post['id']}", json={"body": "  final  "}, headers=me.headers)
    assert edited.status_code == 200, edited.text
    assert edited.json()["body"] == "final"
    assert edited.json()["edited_at"] is not None
    assert edited.json()["id"] == post["id"]
    assert _get(api, me, post["id"]) == edited.json()
    history = api.get(f"/posts/{post['id']}/history", headers=me.headers)
    assert history.status_code == 200
    assert [v["body"] for v in history.json()["items"]] == ["final", "first draft"]
    assert history.json()["items"][1]["written_at"] == post["timestamp"]
    assert history.json()["_links"] == {"post": f"/api/posts/{post['id']}"}


def test_editing_someone_elses_post_is_a_403_and_changes_nothing(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    author: Account = make_account()
    other: Account = make_account()
    post = _post(api, author, "mine")
    response = api.patch(f"/posts/{post['id']}", json={"body": "yours"}, headers=other.headers)
    assert response.status_code == 403
    with api_server.client() as client:
        schema = client.get("/openapi.json").json()
    example = schema["paths"]["/posts/{post_id}"]["patch"]["responses"]["403"]["content"][
        "application/json"
    ]["example"]
    assert (
        response.json()
        == example
        == {
            "error": "Forbidden",
            "message": "You can only edit your own posts.",
        }
    )
    assert _get(api, other, post["id"])["body"] == "mine"
    history = api.get(f"/posts/{post['id']}/history", headers=other.headers).json()
    assert len(history["items"]) == 1


def test_edit_refuses_bad_text_and_missing_posts(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    post = _post(api, me, "keep me")
    most = get_settings().post_max_length
    for body in ("", "   ", "x" * (most + 1), "nul \x00 here"):
        response = api.patch(f"/posts/{post['id']}", json={"body": body}, headers=me.headers)
        assert response.status_code == 400, body
    assert api.patch(f"/posts/{post['id']}", json={}, headers=me.headers).status_code == 400
    assert _get(api, me, post["id"])["body"] == "keep me"
    for missing in (999_999_999, 0):
        response = api.patch(f"/posts/{missing}", json={"body": "x"}, headers=me.headers)
        assert response.status_code == 404
        assert api.get(f"/posts/{missing}/history", headers=me.headers).status_code == 404


def test_like_twice_is_one_like_and_the_counts_follow(api: httpx.Client, make_account) -> None:
    author: Account = make_account()
    fan: Account = make_account()
    post = _post(api, author, "like me")
    for _ in range(2):
        liked = api.post(f"/posts/{post['id']}/like", headers=fan.headers)
        assert liked.status_code == 200, liked.text
        assert liked.json() == {
            "post_id": post["id"],
            "replies_count": 0,
            "likes_count": 1,
            "boosts_count": 0,
            "liked": True,
            "boosted": False,
            "_links": {"post": f"/api/posts/{post['id']}"},
        }
    seen_by_fan = _get(api, fan, post["id"])
    assert (seen_by_fan["likes_count"], seen_by_fan["liked"]) == (1, True)
    seen_by_author = _get(api, author, post["id"])
    assert (seen_by_author["likes_count"], seen_by_author["liked"]) == (1, False)
    for _ in range(2):
        unliked = api.delete(f"/posts/{post['id']}/like", headers=fan.headers)
        assert unliked.status_code == 200
        assert (unliked.json()["likes_count"], unliked.json()["liked"]) == (0, False)
    assert _get(api, author, post["id"])["likes_count"] == 0


@pytest.mark.parametrize("action", ["like", "boost"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_reacting_to_a_missing_post_is_a_404(
    api: httpx.Client, make_account, action: str, method: str
) -> None:
    me: Account = make_account()
    for missing in (999_999_999, 0, 2**40):
        response = api.request(method, f"/posts/{missing}/{action}", headers=me.headers)
        assert response.status_code == 404
        assert response.json() == {"error": "Not Found", "message": "No such post."}
    assert api.request(method, f"/posts/x/{action}", headers=me.headers).status_code == 400


def test_a_boost_reaches_followers_feeds_once_and_is_undone(
    api: httpx.Client, make_account
) -> None:
    author: Account = make_account()
    booster: Account = make_account()
    reader: Account = make_account()
    api.post(f"/users/{booster.id}/follow", headers=reader.headers)
    post = _post(api, author, "worth sharing")
    for _ in range(2):
        boosted = api.post(f"/posts/{post['id']}/boost", headers=booster.headers)
        assert boosted.status_code == 200
        assert (boosted.json()["boosts_count"], boosted.json()["boosted"]) == (1, True)
    feed = api.get("/feed", headers=reader.headers).json()["items"]
    assert len(feed) == 1
    entry = feed[0]
    assert entry["boosted_by"] == booster.username
    assert entry["id"] != post["id"]
    assert entry["boost_of"]["id"] == post["id"]
    assert entry["boost_of"]["boosts_count"] == 1
    assert entry["_links"] == {
        "self": f"/api/posts/{entry['id']}",
        "boost_of": f"/api/posts/{post['id']}",
    }
    assert _get(api, reader, entry["id"]) == entry
    # Liking the boost likes the post it shares.
    liked = api.post(f"/posts/{entry['id']}/like", headers=reader.headers).json()
    assert (liked["post_id"], liked["likes_count"]) == (post["id"], 1)
    # A boost has no text to edit.
    assert (
        api.patch(f"/posts/{entry['id']}", json={"body": "x"}, headers=booster.headers).status_code
        == 400
    )
    unboosted = api.delete(f"/posts/{post['id']}/boost", headers=booster.headers)
    assert (unboosted.json()["boosts_count"], unboosted.json()["boosted"]) == (0, False)
    assert api.get("/feed", headers=reader.headers).json()["items"] == []
    assert api.get(f"/posts/{entry['id']}", headers=reader.headers).status_code == 404
    again = api.delete(f"/posts/{post['id']}/boost", headers=booster.headers)
    assert again.status_code == 200 and again.json()["boosts_count"] == 0


def test_a_thread_has_the_chain_above_and_a_page_of_replies(
    api: httpx.Client, make_account
) -> None:
    alice: Account = make_account()
    bob: Account = make_account()
    root = _post(api, alice, "root")
    middle = _post(api, bob, "middle", reply_to=root["id"])
    leaf = _post(api, alice, "leaf", reply_to=middle["id"])
    other = _post(api, alice, "another answer", reply_to=root["id"])

    thread = api.get(f"/posts/{leaf['id']}/thread", headers=bob.headers).json()
    assert [p["id"] for p in thread["ancestors"]] == [root["id"], middle["id"]]
    assert thread["post"]["id"] == leaf["id"]
    assert thread["replies"]["items"] == []

    path = f"/api/posts/{root['id']}/thread"
    first = api.get(f"/posts/{root['id']}/thread?per_page=1", headers=bob.headers).json()
    assert first["ancestors"] == []
    assert first["post"]["replies_count"] == 2
    assert [p["id"] for p in first["replies"]["items"]] == [middle["id"]]
    assert first["replies"]["_meta"] == {
        "page": 1,
        "per_page": 1,
        "total_pages": 2,
        "total_items": 2,
    }
    assert first["replies"]["_links"] == {
        "self": f"{path}?page=1&per_page=1",
        "next": f"{path}?page=2&per_page=1",
        "prev": None,
    }
    second = api.get(first["replies"]["_links"]["next"].removeprefix("/api"), headers=bob.headers)
    assert [p["id"] for p in second.json()["replies"]["items"]] == [other["id"]]
    assert second.json()["replies"]["_links"]["next"] is None
    assert api.get("/posts/999999999/thread", headers=bob.headers).status_code == 404


def test_a_tag_lists_its_posts_newest_first_in_pages(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    tag = unique_name("café")
    ids = [_post(api, me, f"tagged {i}")["id"] for i in range(3)]
    _post(api, me, "not tagged")
    for post_id in ids:
        tag_post(api_server.engine, post_id, tag)
    page = api.get(f"/tags/{tag.upper()}/posts?per_page=2", headers=me.headers).json()
    assert [p["id"] for p in page["items"]] == ids[::-1][:2]
    assert page["_links"]["next"] is not None and "page=2" in page["_links"]["next"]
    rest = api.get(page["_links"]["next"].removeprefix("/api"), headers=me.headers).json()
    assert [p["id"] for p in rest["items"]] == [ids[0]]
    assert api.get(f"/tags/%23{tag}/posts", headers=me.headers).json()["items"]
    for nobody in ("never-used-tag", "nul%00tag"):
        response = api.get(f"/tags/{nobody}/posts", headers=me.headers)
        assert response.status_code == 200
        assert response.json()["items"] == []


def test_the_instance_tells_the_post_rules_without_a_token(api: httpx.Client) -> None:
    response = api.get("/instance")
    assert response.status_code == 200
    assert response.json() == {
        "post_max_length": get_settings().post_max_length,
        "characters_per_link": 23,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/posts/1"),
        ("GET", "/posts/1/history"),
        ("GET", "/posts/1/thread"),
        ("POST", "/posts/1/like"),
        ("DELETE", "/posts/1/like"),
        ("POST", "/posts/1/boost"),
        ("DELETE", "/posts/1/boost"),
        ("GET", "/tags/x/posts"),
    ],
)
def test_conversation_endpoints_need_a_token(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path, json={"body": "x"})
    assert response.status_code == 401
    assert response.json()["error"] == "Unauthorized"
