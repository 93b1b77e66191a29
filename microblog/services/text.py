"""The one rule for text a user sends us: it must be storable and encodable.

Two kinds of character pass every other check and then fail deep down, as a server error:
NUL (U+0000), which PostgreSQL's text type cannot hold (SQLite would store it and cut the text
short in some readers), and lone surrogates (U+D800..U+DFFF), which a JSON `"\\ud800"` escape or
a websocket event can carry but UTF-8 cannot encode (the database driver, the password hash, the
search index and every response would fail on them). Every service that stores or hashes user
text checks it here first and answers with `Invalid`, which the API turns into a 400 and the
pages show beside the field; nothing is written.
"""

from __future__ import annotations

import re

from microblog.i18n import Message, _l
from microblog.services.errors import Invalid

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text_error() -> Message:
    return _l(
        "This text contains a character that cannot be stored "
        "(a NUL character or an unpaired surrogate). Please remove it."
    )


def is_storable(value: str) -> bool:
    """False when `value` holds a NUL or a lone surrogate."""
    return _UNSTORABLE.search(value) is None


def text_errors(**fields: str) -> dict[str, str]:
    """field -> message for each of `fields` that cannot be stored (empty when all can)."""
    return {
        name: unstorable_text_error() for name, value in fields.items() if not is_storable(value)
    }


def require_storable(**fields: str) -> None:
    """Raise `Invalid` naming every field of `fields` that cannot be stored."""
    if errors := text_errors(**fields):
        raise Invalid(errors)
