"""The client's address, the one thing the login throttle, registration and API rate limits
and the websocket limit count against: one rule, here.

Without a reverse proxy the client is the TCP peer. Behind one (nginx under `make prod`) every
peer is the proxy, so the client comes from `X-Forwarded-For`, but only as far as proxies we
trust wrote it: each proxy appends the address it saw to the header, so with
`TRUSTED_PROXY_HOPS=n` the client is the n-th address from the right, the one our outermost
trusted proxy saw. Everything left of it was written by the client (or a proxy we do not
know) and is ignored, so a forged header moves nothing. A header shorter than the chain, or an
entry that is not an IP address, means the request did not come through the chain as
configured: the peer is used.

Reflex computes `router.session.client_ip` by the same rule from the same setting (rxconfig.py
passes `trusted_proxy_hops`); the states use `client_address` on the handshake's headers
anyway (microblog/state/client.py), so there is one implementation to trust.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from microblog.config import get_settings


def client_address(
    peer: str | None, forwarded_for: Iterable[str] = (), hops: int | None = None
) -> str:
    """The client of a request from `peer` with these `X-Forwarded-For` header values (a
    request may carry several; they read as one list, in order)."""
    address = peer or "unknown"
    trusted = get_settings().trusted_proxy_hops if hops is None else hops
    if trusted <= 0:
        return address
    chain = [
        entry.strip() for value in forwarded_for for entry in value.split(",") if entry.strip()
    ]
    if len(chain) < trusted:
        return address
    named = chain[-trusted]
    try:
        return str(ipaddress.ip_address(named))
    except ValueError:
        return address
