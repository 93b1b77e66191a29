"""The production frontend as our middlewares serve it, over real HTTP with granian, as `reflex
run --env prod` serves the build:

- cache headers (microblog/web/asset_caching.py): hashed build assets are kept for a year and
  never asked for again, everything else the frontend serves is revalidated, and responses that
  chose their own caching (the API) keep it;
- page addresses (microblog/web/page_addresses.py): a page is served at its own address, not
  redirected to the folder form;
- profiles (microblog/web/profile_skeleton.py): every profile address is answered with the one
  prerendered profile page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from microblog.web.asset_caching import IMMUTABLE, REVALIDATE, cache_control_for
from microblog.web.profile_skeleton import CONVERSATION_SKELETON, SKELETON
from tests.app_server import serve_asgi


@pytest.mark.parametrize(
    ("path", "status", "content_type", "expected"),
    [
        ("/assets/root-BrLfRxIi.js", 200, "text/javascript", IMMUTABLE),
        ("/assets/manifest-fd7c6513.js", 200, "text/javascript", IMMUTABLE),
        ("/assets/__reflex_global_styles-NccINl-w.css", 304, "text/css", IMMUTABLE),
        ("/app/assets/entry.client-D3JR-U0f.js", 200, "text/javascript", IMMUTABLE),
        ("/assets/root.js", 200, "text/javascript", REVALIDATE),  # no hash: may change
        ("/assets/root-BrLfRxIi.js", 404, "text/plain", None),  # a miss must not stick
        ("/", 200, "text/html; charset=utf-8", REVALIDATE),
        ("/explore", 200, "text/html; charset=utf-8", REVALIDATE),
        ("/favicon.ico", 200, "image/vnd.microsoft.icon", REVALIDATE),
        ("/i18n/runtime.js", 200, "text/javascript", REVALIDATE),
        ("/api/users/1", 200, "application/json", None),
    ],
)
def test_cache_control_by_path_status_and_type(
    path: str, status: int, content_type: str, expected: str | None
) -> None:
    assert cache_control_for(path, status, content_type) == expected


def _served(build: Path) -> Iterator[str]:
    """`build` served as the production frontend mount, over HTTP: its base URL."""
    with serve_asgi(
        "tests.prod_frontend_app:create",
        env={**os.environ, "PROD_FRONTEND_DIR": str(build)},
        log_path=build.parent / f"granian-{build.name}.log",
    ) as server:
        yield server.base


@pytest.fixture(scope="module")
def frontend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build = tmp_path_factory.mktemp("build")
    (build / "assets").mkdir()
    (build / "assets" / "root-BrLfRxIi.js").write_text("export const root = 1;\n")
    (build / "index.html").write_text("<!doctype html><title>Microblog</title>\n")
    (build / "explore").mkdir()
    (build / "explore" / "index.html").write_text("<!doctype html><title>Explore</title>\n")
    (build / SKELETON.strip("/")).mkdir(parents=True)
    (build / SKELETON.strip("/") / "index.html").write_text(
        "<!doctype html><title>Profile</title>\n"
    )
    (build / CONVERSATION_SKELETON.strip("/")).mkdir(parents=True)
    (build / CONVERSATION_SKELETON.strip("/") / "index.html").write_text(
        "<!doctype html><title>Conversation</title>\n"
    )
    yield from _served(build)


def test_hashed_asset_is_immutable_over_http(frontend: str) -> None:
    response = httpx.get(f"{frontend}/assets/root-BrLfRxIi.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    # A conditional request (a browser without the immutable hint) still gets a 304 with it.
    again = httpx.get(
        f"{frontend}/assets/root-BrLfRxIi.js", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["cache-control"] == IMMUTABLE


def test_page_html_is_revalidated_over_http(frontend: str) -> None:
    response = httpx.get(f"{frontend}/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == REVALIDATE
    assert "etag" in response.headers  # what makes revalidation a cheap 304


def test_missing_asset_and_own_headers_are_left_alone(frontend: str) -> None:
    missing = httpx.get(f"{frontend}/assets/gone-ABCDEFGH.js")
    assert missing.status_code == 404
    assert "cache-control" not in missing.headers
    api = httpx.get(f"{frontend}/api/thing")
    assert api.headers["cache-control"] == "no-store"
    head = httpx.head(f"{frontend}/assets/root-BrLfRxIi.js")
    assert head.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize(
    ("address", "title"),
    [
        ("/explore", "Explore"),
        ("/explore?page=2", "Explore"),
        # Every profile gets the one prerendered profile page.
        ("/user/alice", "Profile"),
        ("/user/alice?tab=followers", "Profile"),
        ("/user/bob/", "Profile"),
        # And every conversation the one prerendered conversation page.
        ("/messages/alice", "Conversation"),
        ("/messages/b%C3%B6b/", "Conversation"),
    ],
)
def test_a_page_is_served_at_its_own_address(frontend: str, address: str, title: str) -> None:
    response = httpx.get(f"{frontend}{address}")  # httpx follows no redirect unless told
    assert response.status_code == 200
    assert f"<title>{title}</title>" in response.text
    assert response.headers["cache-control"] == REVALIDATE
    head = httpx.head(f"{frontend}{address}")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(response.content))


def test_other_answers_are_unchanged(frontend: str) -> None:
    assert httpx.get(f"{frontend}/explore/").text == httpx.get(f"{frontend}/explore").text
    assert httpx.get(f"{frontend}/nowhere").status_code == 404
    assert httpx.get(f"{frontend}/assets").status_code == 404  # a folder with no page
    assert httpx.post(f"{frontend}/explore").status_code == 405


def test_other_user_addresses_are_unchanged(frontend: str) -> None:
    assert httpx.get(f"{frontend}/user/alice/posts").status_code == 404
    assert httpx.get(f"{frontend}/messages/alice/more").status_code == 404
    assert httpx.get(f"{frontend}/users/alice").status_code == 404
    assert httpx.post(f"{frontend}/user/alice").status_code == 405


@pytest.fixture(scope="module")
def frontend_without_skeleton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    build = tmp_path_factory.mktemp("plain-build")
    (build / "index.html").write_text("<!doctype html><title>Microblog</title>\n")
    yield from _served(build)


def test_a_build_without_the_profile_page_answers_as_before(frontend_without_skeleton: str) -> None:
    """The profile's own address is asked for (a stand-in static folder has no page there)."""
    assert httpx.get(f"{frontend_without_skeleton}/user/alice").status_code == 404
    assert httpx.get(f"{frontend_without_skeleton}/").status_code == 200
