"""The client address of a tab's websocket, for the states that count per address (the login
throttle, registrations): microblog/client_address.py's rule on the handshake's headers."""

from __future__ import annotations

from reflex.istate.data import RouterData

from microblog.client_address import client_address

# Reflex records the websocket's TCP peer under this name among the handshake's headers (it
# overwrites any header of that name the client sent).
PEER_HEADER = "asgi-scope-client"


def client_of(router: RouterData) -> str:
    raw = router.headers.raw_headers
    forwarded = raw.get("x-forwarded-for")
    peer = raw.get(PEER_HEADER) or router.session.client_ip or None
    return client_address(peer, [forwarded] if forwarded else [])
