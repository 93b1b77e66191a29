"""The media stores (services/media/store.py): the same tests against the local folder and
against S3 on moto's standalone server (a real S3 protocol peer on loopback). Each test also
reads what it stored back over HTTP, from the address the store hands out, as a browser would:
the local folder through the backend's /media route, S3 from the bucket."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from microblog.config import load_settings
from microblog.services.media.store import (
    CACHE_CONTROL,
    LocalStore,
    MediaMissing,
    MediaStore,
    S3Location,
    S3Store,
    content_name,
    store_from_settings,
    use_store,
)
from tests.app_server import serve_asgi
from tests.s3_server import S3Server, s3_server, use_credentials

PNG = b"\x89PNG\r\n\x1a\n" + b"not really decoded by the store" * 3
JPEG = b"\xff\xd8\xff\xe0" + b"bytes of a jpeg" * 10


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as server:
        yield server


@pytest.fixture(scope="module")
def media_http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The backend's HTTP app (the object Reflex mounts) on a loopback port, serving a local
    media folder: (its base URL, the folder)."""
    work = tmp_path_factory.mktemp("media-http")
    folder = work / "media"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'unused.db'}",
        "MICROBLOG_ENV": "test",
        "LOG_TO_STDOUT": "1",
        "MEDIA_DIR": str(folder),
    }
    env.pop("MEDIA_STORAGE_URL", None)
    with serve_asgi(
        "microblog.web:create_http_app",
        env=env,
        ready_path="/media/none",
        log_path=work / "server.log",
    ) as server:
        yield server.base, folder


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[MediaStore]:
    if request.param == "local":
        base, folder = request.getfixturevalue("media_http")
        made: MediaStore = LocalStore(folder, f"{base}/media")
    else:
        server: S3Server = request.getfixturevalue("s3")
        use_credentials(monkeypatch)
        settings = replace(
            load_settings(), media_storage_url=server.storage_url(server.new_bucket())
        )
        made = store_from_settings(settings)
        assert isinstance(made, S3Store)
    use_store(made)
    try:
        yield made
    finally:
        use_store(None)


def unique(data: bytes) -> bytes:
    """Each test its own content (the local folder is shared by the module's tests)."""
    return data + secrets.token_bytes(8)


def test_a_stored_file_is_served_with_its_type_and_year_long_cache(store: MediaStore) -> None:
    data = unique(PNG)
    name = content_name(data, "png")
    store.put(name, data, "image/png")
    assert store.exists(name)
    assert store.read(name) == data
    answer = httpx.get(store.url(name), timeout=10)
    assert answer.status_code == 200
    assert answer.content == data
    assert answer.headers["content-type"] == "image/png"
    assert answer.headers["cache-control"] == CACHE_CONTROL


def test_names_are_content_hashes_and_the_same_content_is_one_file(store: MediaStore) -> None:
    data = unique(JPEG)
    name = content_name(data, "jpg")
    assert name == content_name(data, "jpg")
    assert name != content_name(data + b"!", "jpg")
    store.put(name, data, "image/jpeg")
    store.put(name, data, "image/jpeg")  # again: nothing changes, nothing fails
    assert store.read(name) == data


def test_delete_removes_the_file_and_missing_is_not_an_error(store: MediaStore) -> None:
    data = unique(PNG)
    name = content_name(data, "png")
    store.put(name, data, "image/png")
    store.delete(name)
    assert not store.exists(name)
    with pytest.raises(MediaMissing):
        store.read(name)
    assert httpx.get(store.url(name), timeout=10).status_code in {403, 404}
    store.delete(name)  # already gone


def test_only_content_names_are_accepted(store: MediaStore) -> None:
    for bad in ("../../etc/passwd", "a.png", "0" * 64 + ".svg", "0" * 64 + ".html", ""):
        with pytest.raises(MediaMissing):
            store.put(bad, PNG, "image/png")


def test_concurrent_puts_of_one_file_leave_it_whole(store: MediaStore) -> None:
    data = unique(JPEG) * 1000
    name = content_name(data, "jpg")
    threads = [
        threading.Thread(target=store.put, args=(name, data, "image/jpeg")) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.read(name) == data


def test_the_local_route_refuses_what_is_not_a_content_name(
    media_http: tuple[str, Path],
) -> None:
    base, folder = media_http
    (folder / "ab").mkdir(parents=True, exist_ok=True)
    (folder / "secret.txt").write_text("no")
    for path in ("/media/secret.txt", "/media/..%2Fsecret.txt", "/media/" + "0" * 64 + ".svg"):
        assert httpx.get(base + path, timeout=10).status_code == 404


def test_the_local_route_sends_nosniff_and_a_sandbox(media_http: tuple[str, Path]) -> None:
    base, folder = media_http
    store = LocalStore(folder, f"{base}/media")
    data = unique(PNG)
    name = content_name(data, "png")
    store.put(name, data, "image/png")
    headers = httpx.get(store.url(name), timeout=10).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"]


def test_s3_location_parsing() -> None:
    location = S3Location.parse("s3://pics/site-a?endpoint=http://127.0.0.1:9000&region=eu-1")
    assert (location.bucket, location.prefix) == ("pics", "site-a/")
    assert location.endpoint == "http://127.0.0.1:9000" and location.region == "eu-1"
    assert location.default_public_base() == "http://127.0.0.1:9000/pics/site-a"
    aws = S3Location.parse("s3://pics?region=eu-west-1")
    assert aws.default_public_base() == "https://pics.s3.eu-west-1.amazonaws.com"
    with pytest.raises(ValueError, match="s3://"):
        S3Location.parse("https://pics")


def test_s3_prefix_and_public_url(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Objects go under the prefix; MEDIA_PUBLIC_URL (a CDN) replaces the bucket's address in
    URLs without changing where objects are written."""
    use_credentials(monkeypatch)
    bucket = s3.new_bucket()
    settings = replace(
        load_settings(),
        media_storage_url=s3.storage_url(bucket, "site-a"),
        media_public_url="https://cdn.example.test/m",
    )
    store = store_from_settings(settings)
    data = unique(PNG)
    name = content_name(data, "png")
    store.put(name, data, "image/png")
    assert store.url(name) == f"https://cdn.example.test/m/{name}"
    keys = [o["Key"] for o in s3.client().list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [f"site-a/{name}"]


def test_local_is_the_default_and_its_urls_are_the_backends(tmp_path: Path) -> None:
    settings = replace(
        load_settings(),
        media_storage_url="",
        media_public_url="",
        media_dir=str(tmp_path),
        api_url="http://localhost:8123",
    )
    store = store_from_settings(settings)
    assert isinstance(store, LocalStore)
    name = content_name(PNG, "png")
    assert store.url(name) == f"http://localhost:8123/media/{name}"


def test_the_content_security_policy_lets_pages_show_the_stores_pictures(
    tmp_path: Path,
) -> None:
    from microblog.web.security_headers import policies

    use_store(LocalStore(tmp_path, "https://cdn.example.test/media"))
    policies.cache_clear()
    try:
        csp = dict(policies()[0])["content-security-policy"]
    finally:
        use_store(None)
        policies.cache_clear()
    img_src = next(part for part in csp.split(";") if part.strip().startswith("img-src"))
    assert "https://cdn.example.test" in img_src.split()
    assert "https://cdn.example.test" not in csp.replace(img_src, "")  # only pictures from it
