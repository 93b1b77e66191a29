"""Pictures over real HTTP: upload (multipart), alt text, posting with `media_ids`, the
post's `media_attachments`, the served files (no EXIF), refusals, and deletion with the post."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import httpx
from PIL import Image

from tests.api.conftest import Account, ApiServer

GPS_IFD = 0x8825


def gps_jpeg(size: tuple[int, int] = (900, 600)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Co"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(
    api: httpx.Client, me: Account, data: bytes, name: str = "photo.jpg", **form: str
) -> httpx.Response:
    return api.post(
        "/media", files={"file": (name, data, "image/jpeg")}, data=form, headers=me.headers
    )


def served(api_server: ApiServer, url: str) -> httpx.Response:
    """The file at `url` from this test server (the URL's host is the configured backend's)."""
    return httpx.get(api_server.base + urlsplit(url).path, timeout=10)


def test_upload_describe_post_and_read_back(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    created = upload(api, me, gps_jpeg(), description="A blue wall")
    assert created.status_code == 201, created.text
    picture = created.json()
    assert created.headers["location"] == f"/api/media/{picture['id']}"
    assert picture["type"] == "image" and picture["description"] == "A blue wall"
    assert picture["meta"]["original"] == {
        "width": 900,
        "height": 600,
        "size": "900x600",
        "aspect": 1.5,
    }
    assert picture["meta"]["small"]["width"] == 400 and picture["blurhash"]
    changed = api.put(
        f"/media/{picture['id']}", json={"description": "A wall, blue"}, headers=me.headers
    )
    assert changed.status_code == 200 and changed.json()["description"] == "A wall, blue"

    post = api.post("/posts", json={"body": "", "media_ids": [picture["id"]]}, headers=me.headers)
    assert post.status_code == 201, post.text
    attached = post.json()["media_attachments"]
    assert [m["id"] for m in attached] == [picture["id"]]
    assert attached[0]["description"] == "A wall, blue"
    again = api.get(f"/posts/{post.json()['id']}", headers=me.headers).json()
    assert again["media_attachments"] == attached

    image = served(api_server, attached[0]["url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert "immutable" in image.headers["cache-control"]
    assert image.headers["x-content-type-options"] == "nosniff"
    decoded = Image.open(io.BytesIO(image.content))
    assert decoded.size == (900, 600)
    assert not decoded.getexif() and b"Spy Camera" not in image.content
    assert served(api_server, attached[0]["preview_url"]).status_code == 200


def test_a_disguised_html_file_and_an_svg_are_refused(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    page = b"<!doctype html><script>alert(document.cookie)</script>"
    refused = upload(api, me, page, name="cat.jpg")
    assert refused.status_code == 400
    assert refused.json()["message"] == (
        "This file is not a picture we take: JPEG, PNG, WebP or GIF only."
    )
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(api, me, svg, name="x.svg").status_code == 400


def test_only_your_own_pictures(api: httpx.Client, make_account) -> None:
    owner: Account = make_account()
    other: Account = make_account()
    picture = upload(api, owner, gps_jpeg((200, 100))).json()
    assert api.get(f"/media/{picture['id']}", headers=other.headers).status_code == 404
    put = api.put(f"/media/{picture['id']}", json={"description": "x"}, headers=other.headers)
    assert put.status_code == 404
    stolen = api.post(
        "/posts", json={"body": "mine now", "media_ids": [picture["id"]]}, headers=other.headers
    )
    assert stolen.status_code == 400
    assert api.get(f"/media/{picture['id']}", headers=owner.headers).status_code == 200


def test_at_most_four_pictures_a_post(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    ids = [upload(api, me, gps_jpeg((100 + i, 100))).json()["id"] for i in range(5)]
    refused = api.post("/posts", json={"body": "five", "media_ids": ids}, headers=me.headers)
    assert refused.status_code == 400
    assert "at most 4 pictures" in refused.json()["message"]


def test_discard_and_deletion_with_the_post(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    loose = upload(api, me, gps_jpeg((120, 80))).json()
    assert api.delete(f"/media/{loose['id']}", headers=me.headers).status_code == 204
    assert api.get(f"/media/{loose['id']}", headers=me.headers).status_code == 404

    picture = upload(api, me, gps_jpeg((321, 123))).json()
    post = api.post(
        "/posts", json={"body": "soon gone", "media_ids": [picture["id"]]}, headers=me.headers
    ).json()
    assert api.delete(f"/media/{picture['id']}", headers=me.headers).status_code == 400
    assert api.delete(f"/posts/{post['id']}", headers=me.headers).status_code == 204
    assert api.get(f"/media/{picture['id']}", headers=me.headers).status_code == 404


def test_editing_a_posts_pictures(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    first = upload(api, me, gps_jpeg((150, 100))).json()
    second = upload(api, me, gps_jpeg((100, 150))).json()
    post = api.post(
        "/posts", json={"body": "v1", "media_ids": [first["id"]]}, headers=me.headers
    ).json()
    edited = api.patch(
        f"/posts/{post['id']}",
        json={"body": "v2", "media_ids": [second["id"]]},
        headers=me.headers,
    )
    assert edited.status_code == 200
    assert [m["id"] for m in edited.json()["media_attachments"]] == [second["id"]]
    text_only = api.patch(f"/posts/{post['id']}", json={"body": "v3"}, headers=me.headers)
    assert [m["id"] for m in text_only.json()["media_attachments"]] == [second["id"]]
