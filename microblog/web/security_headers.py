"""Security headers on every HTTP answer of the backend: the API, the session endpoints and, in
production (one port serves everything), the pages themselves.

- `Content-Security-Policy`: scripts, styles, fonts and connections only from our own origins
  (and avatars from Gravatar, pictures from the media store's public address: the backend's
  `/media` by default, a bucket or CDN with S3 storage); `frame-ancestors 'none'` (with
  `X-Frame-Options: DENY` for older browsers), so no other page can frame the signed-in app
  and trick a click on Follow or Delete.
  Reflex needs two allowances, and nothing more: `'unsafe-inline'` scripts (the prerendered
  pages carry React Router's hydration data inline) and `'unsafe-eval'` (Reflex's browser side
  runs the JavaScript of `rx.call_script` events with `eval`). Styles are inline too (Radix
  Themes, Reflex's generated styles).
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: strict-origin-when-cross-origin`, a
  `Permissions-Policy` that turns off what we never use, and `Strict-Transport-Security` when
  the site is served over https.

The API's interactive docs (`/api/docs`, Swagger UI from the fastapi-offline package, served by
the API itself: no CDN) get the same policy with inline scripts allowed, which the page needs
for its one `SwaggerUIBundle({...})` call.

Under `make run` pages come from the frontend dev server, which sends none of these; they apply
to what the backend serves, which in production is everything but the files nginx sends itself,
and nginx sends these same headers with those (`header_lines`, written into its configuration
by microblog/stack/nginx.py).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from microblog.config import PublicAddresses, public_addresses
from microblog.services.media.store import public_base

GRAVATAR = "https://www.gravatar.com https://secure.gravatar.com"
DOCS_PATH = "/api/docs"

Headers = tuple[tuple[str, str], ...]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _socket_origin(origin: str) -> str:
    return origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


def header_lines(addresses: PublicAddresses) -> tuple[Headers, str]:
    """(the headers for every answer, the docs page's CSP) for a site at these addresses."""
    origins = sorted(addresses.origins)
    own = " ".join(["'self'", *origins])
    sockets = " ".join(_socket_origin(o) for o in origins)
    media = _origin(public_base())
    images = " ".join([own, *([media] if media and media not in origins else []), "data:"])
    csp = (
        f"default-src {own}; script-src {own} 'unsafe-inline' 'unsafe-eval'; "
        f"style-src {own} 'unsafe-inline'; img-src {images} {GRAVATAR}; font-src {own} data:; "
        f"connect-src {own} {sockets}; frame-ancestors 'none'; base-uri 'self'; "
        f"form-action {own}; object-src 'none'"
    )
    docs = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
    )
    headers = [
        ("content-security-policy", csp),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "strict-origin-when-cross-origin"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if addresses.is_https:
        headers.append(("strict-transport-security", "max-age=31536000"))
    return tuple(headers), docs


@cache
def policies() -> tuple[Headers, str]:
    """`header_lines` for this process's addresses (PUBLIC_URL), built once."""
    return header_lines(public_addresses())


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        common, docs = policies()
        is_docs = scope.get("path", "") == DOCS_PATH

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in common:
                    if name == "content-security-policy" and is_docs:
                        value = docs
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
