"""One-use tickets for Reflex's upload endpoint.

`/_upload` is plain HTTP reached with the tab's token alone (from the frontend's port in
development the browser sends no cookie), and the handler then runs with the tab's state as the
websocket left it. The tab token is not a credential (state/session.py), so a page that takes
uploads puts a fresh ticket in its own state when it loads, the upload sends it back, and the
handler refuses any other: whoever found only a token (in a log) cannot read the state without
the tab's cookie, so cannot upload either. Each upload replaces the ticket.
"""

from __future__ import annotations

import secrets


def new_ticket() -> str:
    return secrets.token_urlsafe(32)


def same_ticket(given: str, expected: str) -> bool:
    """Whether `given` is the page's ticket (compared in constant time; none issued: never)."""
    return bool(expected) and secrets.compare_digest(str(given).encode(), expected.encode())
