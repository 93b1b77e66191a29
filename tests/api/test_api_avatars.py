"""PUT and DELETE /api/users/me/avatar over real HTTP: a picture becomes the user's avatar in
every representation, comes back as a clean square, and what is not a picture, too large or not
multipart is refused with the API's JSON errors."""

from __future__ import annotations

import io
import itertools
import time
from urllib.parse import urlsplit

import httpx
from PIL import Image

from tests.api.conftest import Account, ApiServer
from tests.api.test_api_contract import GRAVATAR

GPS_IFD = 0x8825
# Each picture its own colour: files are named by content, and the same picture uploaded by two
# accounts is one file that outlives either removal.
_shades = itertools.count(1)


def jpeg_with_gps(size: tuple[int, int] = (800, 600)) -> bytes:
    shade = next(_shades)
    image = Image.new("RGB", size, (30, (140 + 7 * shade) % 256, (60 + 13 * shade) % 256))
    exif = Image.Exif()
    exif[0x010F] = "Spy Camera Co"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _fetch(server: ApiServer, url: str) -> httpx.Response:
    """A media URL is built from the backend's configured address; the test server listens
    elsewhere, so ask it for the same path."""
    return httpx.get(server.base + urlsplit(url).path, timeout=30)


def _put(api: httpx.Client, me: Account, data: bytes, name: str = "me.jpg") -> httpx.Response:
    return api.put(
        "/users/me/avatar", headers=me.headers, files={"file": (name, data, "image/jpeg")}
    )


def test_an_uploaded_picture_is_the_avatar_everywhere(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    other: Account = make_account()
    answer = _put(api, me, jpeg_with_gps())
    assert answer.status_code == 200, answer.text
    avatar = answer.json()["_links"]["avatar"]
    assert urlsplit(avatar).path.startswith("/media/") and avatar.endswith(".webp")
    assert not GRAVATAR.match(avatar)
    # Others see it too, and the file is a clean square.
    seen = api.get(f"/users/{me.id}", headers=other.headers).json()
    assert seen["_links"]["avatar"] == avatar
    picture = _fetch(api_server, avatar)
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/webp"
    assert "immutable" in picture.headers["cache-control"]
    image = Image.open(io.BytesIO(picture.content))
    assert image.size == (256, 256) and not image.getexif()
    assert b"Spy Camera" not in picture.content
    # A post's author carries the small size of the same picture.
    api.post("/posts", headers=me.headers, json={"body": "my face"})
    (post,) = api.get(f"/users/{me.id}/posts", headers=other.headers).json()["items"]
    small = post["author"]["avatar"]
    assert small != avatar and urlsplit(small).path.startswith("/media/")
    assert Image.open(io.BytesIO(_fetch(api_server, small).content)).size == (96, 96)


def test_delete_goes_back_to_gravatar_and_the_files_go(
    api: httpx.Client, api_server: ApiServer, make_account
) -> None:
    me: Account = make_account()
    avatar = _put(api, me, jpeg_with_gps((300, 500))).json()["_links"]["avatar"]
    answer = api.delete("/users/me/avatar", headers=me.headers)
    assert answer.status_code == 200, answer.text
    assert GRAVATAR.match(answer.json()["_links"]["avatar"])
    # The files go once the change has committed, on the server's deletion thread.
    deadline = time.monotonic() + 15
    while _fetch(api_server, avatar).status_code != 404:
        assert time.monotonic() < deadline, "the old picture is still served"
        time.sleep(0.1)  # polling another process's work, not a page
    again = api.delete("/users/me/avatar", headers=me.headers)
    assert again.status_code == 200 and GRAVATAR.match(again.json()["_links"]["avatar"])


def test_what_is_not_a_picture_is_refused_and_changes_nothing(
    api: httpx.Client, make_account
) -> None:
    me: Account = make_account()
    before = _put(api, me, jpeg_with_gps()).json()["_links"]["avatar"]
    for data, name in (
        (b"<html><script>alert(1)</script></html>", "page.jpg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "x.svg"),
        (b"\xff\xd8\xff\xe0 truncated", "broken.jpg"),
    ):
        answer = _put(api, me, data, name)
        assert answer.status_code == 400, (name, answer.text)
        assert answer.json()["error"] == "Bad Request" and answer.json()["message"]
    assert api.get(f"/users/{me.id}", headers=me.headers).json()["_links"]["avatar"] == before


def test_too_large_not_multipart_and_no_file(api: httpx.Client, make_account) -> None:
    me: Account = make_account()
    big = _put(api, me, b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024 + 1))
    assert big.status_code == 413 and "larger than 10 MB" in big.json()["message"]
    as_json = api.put("/users/me/avatar", headers=me.headers, json={"file": "x"})
    assert as_json.status_code == 415 and "multipart/form-data" in as_json.json()["message"]
    no_file = api.put(
        "/users/me/avatar", headers=me.headers, files={"other": ("a.txt", b"x", "text/plain")}
    )
    assert no_file.status_code == 400 and "file" in no_file.json()["message"]


def test_only_with_a_token(api: httpx.Client) -> None:
    for method in ("PUT", "DELETE"):
        answer = api.request(method, "/users/me/avatar", files={"file": ("a.jpg", b"x")})
        assert answer.status_code == 401 and answer.json()["error"] == "Unauthorized"


def test_the_upload_is_documented(api: httpx.Client) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/users/me/avatar"]
    body = operation["put"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"400", "401", "413", "415", "503"} <= set(operation["put"]["responses"])
    assert "delete" in operation and body
