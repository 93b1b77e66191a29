"""A client we did not write, Mastodon.py (PyPI `mastodon-py`), against the Mastodon API over
real HTTP, with a bearer token from our own `POST /api/tokens`: it posts, replies, uploads a
picture with alt text, favourites, boosts, follows, reads home and notifications, edits and
deletes; each result is checked through our own REST API (/api), which reads the same
services as the web UI."""

from __future__ import annotations

import io

import httpx
import pytest
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError
from PIL import Image

from tests.api.conftest import Account, ApiServer


def client(api_server: ApiServer, who: Account) -> Mastodon:
    # The version given, not read: reading it needs /api/v1/instance (and Mastodon.py 2.3.3
    # recurses without end when that read fails).
    return Mastodon(
        access_token=who.token,
        api_base_url=api_server.base,
        version_check_mode="none",
        request_timeout=30,
    )


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (20, 160, 90)).save(out, "JPEG")
    return out.getvalue()


def test_mastodon_py_does_what_a_person_does(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    as_ann, as_bob = client(api_server, ann), client(api_server, bob)

    # Bob follows Ann; our API sees the follow.
    relation = as_bob.account_follow(ann.id)
    assert relation.following is True
    assert api.get(f"/users/{ann.id}/follow", headers=bob.headers).status_code == 204

    # Ann posts with a picture and its alt text.
    media = as_ann.media_post(io.BytesIO(picture()), mime_type="image/jpeg", description="Leaf")
    assert media.description == "Leaf" and media.type == "image"
    status = as_ann.status_post("Hello from Mastodon.py #pyclient", media_ids=[media])
    ours = api.get(f"/posts/{status.id}", headers=ann.headers).json()
    assert ours["body"] == "Hello from Mastodon.py #pyclient"
    assert [m["description"] for m in ours["media_attachments"]] == ["Leaf"]
    assert ours["media_attachments"][0]["id"] == int(media.id)

    # Bob reads it on his home timeline, replies, favourites and boosts it.
    home = as_bob.timeline_home(limit=5)
    assert status.id in [s.id for s in home]
    assert home[0].account.acct == ann.username and home[0].media_attachments[0].description
    reply = as_bob.status_post("Nice one", in_reply_to_id=status.id)
    assert reply.in_reply_to_id == status.id
    assert api.get(f"/posts/{reply.id}", headers=bob.headers).json()["in_reply_to"] == int(
        status.id
    )
    assert as_bob.status_favourite(status.id).favourited is True
    boost = as_bob.status_reblog(status.id)
    assert boost.reblog.id == status.id
    ours = api.get(f"/posts/{status.id}", headers=ann.headers).json()
    assert (ours["likes_count"], ours["boosts_count"], ours["replies_count"]) == (1, 1, 1)
    assert [s.id for s in as_bob.status_context(status.id).descendants] == [reply.id]

    # Ann's notifications, as Mastodon.py reads them.
    kinds = [n.type for n in as_ann.notifications()]
    assert kinds == ["reblog", "favourite", "mention", "follow"]
    assert str(as_ann.notifications(types=["follow"])[0].account.id) == str(bob.id)

    # Pagination through the Link header.
    for i in range(3):
        as_ann.status_post(f"more {i}")
    first = as_bob.timeline_home(limit=2)
    second = as_bob.fetch_next(first)
    assert second is not None and len(second) == 2
    assert {s.id for s in first}.isdisjoint({s.id for s in second})

    # Ann edits, then deletes; our API follows.
    edited = as_ann.status_update(status.id, "Hello, edited")
    assert edited.edited_at is not None
    assert api.get(f"/posts/{status.id}", headers=ann.headers).json()["body"] == "Hello, edited"
    assert len(as_ann.status_history(status.id)) == 2
    with pytest.raises(MastodonNotFoundError):
        as_bob.status_delete(status.id)  # not his: refused
    as_ann.status_delete(status.id)
    assert api.get(f"/posts/{status.id}", headers=ann.headers).status_code == 404
    with pytest.raises(MastodonNotFoundError):
        as_bob.status(status.id)

    with pytest.raises(MastodonUnauthorizedError):
        Mastodon(
            access_token="not-a-token",
            api_base_url=api_server.base,
            version_check_mode="none",
        ).timeline_home()


def test_toot_reads_our_entities(api_server: ApiServer, make_account) -> None:
    """toot (PyPI `toot`) turns every answer into its typed entities (toot/entities.py), and
    a field it cannot convert is an error: each of ours converts."""
    from toot import entities as toot

    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    with httpx.Client(base_url=api_server.base, timeout=30) as masto:
        masto.post(f"/api/v1/accounts/{ann.id}/follow", headers=bob.headers)
        media = masto.post(
            "/api/v2/media",
            files={"file": ("p.jpg", picture(), "image/jpeg")},
            data={"description": "Leaf"},
            headers=ann.headers,
        ).json()
        status = masto.post(
            "/api/v1/statuses",
            json={"status": "Read by toot https://example.com #toot", "media_ids": [media["id"]]},
            headers=ann.headers,
        ).json()
        masto.post(f"/api/v1/statuses/{status['id']}/reblog", headers=bob.headers)
        masto.post(f"/api/v1/statuses/{status['id']}/favourite", headers=bob.headers)

        home = masto.get("/api/v1/timelines/home", headers=bob.headers).json()
        statuses = toot.from_dict_list(toot.Status, home)
        # The post shows once, at its newest appearance: Bob's boost of it.
        assert len(statuses) == 1 and statuses[0].original.id == status["id"]
        assert statuses[0].original.media_attachments[0].description == "Leaf"
        one = toot.from_dict(toot.Status, masto.get(f"/api/v1/statuses/{status['id']}").json())
        assert [tag.name for tag in one.tags] == ["toot"]
        notices = masto.get("/api/v1/notifications", headers=ann.headers).json()
        kinds = [n.type for n in toot.from_dict_list(toot.Notification, notices)]
        assert kinds == ["favourite", "reblog", "follow"]
        account = toot.from_dict(toot.Account, masto.get(f"/api/v1/accounts/{ann.id}").json())
        assert account.acct == ann.username and account.followers_count == 1
        relation = masto.get(
            "/api/v1/accounts/relationships", params={"id[]": ann.id}, headers=bob.headers
        ).json()
        assert toot.from_dict_list(toot.Relationship, relation)[0].following is True


def test_mastodon_py_retries_pages_up_and_keeps_its_place(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    """Mastodon.py's own `idempotency_key`, `fetch_previous` (the `prev` link: min_id) and
    home marker, against the server."""
    ann: Account = make_account("ann")
    bob: Account = make_account("bob")
    as_ann, as_bob = client(api_server, ann), client(api_server, bob)
    as_bob.account_follow(ann.id)

    # A retried post is one post.
    sent = as_ann.status_post("only once", idempotency_key="mastodon-py-retry")
    again = as_ann.status_post("only once", idempotency_key="mastodon-py-retry")
    assert again.id == sent.id
    mine = api.get(f"/users/{ann.id}/posts", headers=ann.headers).json()["items"]
    assert [p["id"] for p in mine].count(int(sent.id)) == 1 and len(mine) == 1

    # Paging up from the retried post with fetch_previous reads each newer post once.
    later = [as_ann.status_post(f"later {i}").id for i in range(5)]
    page = as_bob.timeline_home(min_id=sent.id, limit=2)
    assert [s.id for s in page] == later[:2][::-1]
    seen: list = []
    while page:
        seen += [s.id for s in reversed(page)]
        page = as_bob.fetch_previous(page)
    assert seen == later

    # The home marker keeps Bob's place for his other devices.
    as_bob.markers_set(["home"], [later[2]])
    assert as_bob.markers_get(["home"])["home"].last_read_id == later[2]
