"""Languages: message catalogs (en, es, zh), Accept-Language negotiation, translatable
messages, and the browser's copy of the catalogs. No Reflex here: the services use it too.
See docs/i18n.md."""

from microblog.i18n.catalogs import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    SUPPORTED,
    normalize_language,
    translate,
    translate_errors,
    translators,
)
from microblog.i18n.messages import Message, _l, _ln
from microblog.i18n.negotiation import negotiate_language

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "SUPPORTED",
    "Message",
    "_l",
    "_ln",
    "negotiate_language",
    "normalize_language",
    "translate",
    "translate_errors",
    "translators",
]
