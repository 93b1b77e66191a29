"""Security headers on what the backend serves (web/security_headers.py), over real HTTP: the
API, the session endpoints, errors; in production the pages too (tests/e2e/test_prod_build.py)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.api.conftest import ApiServer


@pytest.mark.parametrize(
    "path", ["/api/openapi.json", "/api/users/1", "/api/no-such-thing", "/auth/logout"]
)
def test_every_answer_carries_the_headers(api_server: ApiServer, path: str) -> None:
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    # The session endpoints' redirects send no referrer at all.
    assert headers["referrer-policy"] in {"strict-origin-when-cross-origin", "no-referrer"}
    assert "strict-transport-security" not in headers  # plain http here


def test_the_api_docs_page_loads_swagger_ui_from_here_and_nothing_frames_it(
    api_server: ApiServer,
) -> None:
    """No CDN: Swagger UI's script and style come from the API itself (fastapi-offline's
    files), and the docs page's policy allows no other site."""
    with httpx.Client(base_url=api_server.base, timeout=30) as client:
        answer = client.get("/api/docs")
        assert answer.status_code == 200
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "https:" not in csp
        assets = re.findall(r'(?:src|href)="([^"]+)"', answer.text)
        assert "/api/docs/static/swagger-ui-bundle.js" in assets
        assert "/api/docs/static/swagger-ui.css" in assets
        assert not [url for url in assets if "//" in url]  # nothing from elsewhere
        script = client.get("/api/docs/static/swagger-ui-bundle.js")
        assert script.status_code == 200 and "SwaggerUIBundle" in script.text
        assert script.headers["x-content-type-options"] == "nosniff"
