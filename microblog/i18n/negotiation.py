"""Which of our languages a browser asks for, from its Accept-Language header."""

from __future__ import annotations

from babel.core import negotiate_locale

from microblog.i18n.catalogs import DEFAULT_LANGUAGE, SUPPORTED

_MAX_ENTRIES = 32  # a header is short; a hostile one must not cost much


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags in order of preference (q-values, then order of appearance); q=0 and
    malformed entries are dropped. `en-US,es;q=0.8,zh-CN;q=0.9` -> en-US, zh-CN, es."""
    weighted: list[tuple[float, int, str]] = []
    for position, entry in enumerate((header or "").split(",")[:_MAX_ENTRIES]):
        tag, _, params = entry.strip().partition(";")
        tag = tag.strip().replace("_", "-")
        if not tag or tag == "*" or not all(part.isalnum() for part in tag.split("-")):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate_language(header: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The best of SUPPORTED for an Accept-Language header, or `default`.

    Babel's `negotiate_locale` matches a tag exactly, else by its language part, so `es-MX`
    gets Spanish and `zh-Hant-TW` Chinese (our catalog is simplified Chinese: closer than
    English for a Chinese reader).
    """
    preferred = [tag.lower() for tag in parse_accept_language(header)]
    found = negotiate_locale(preferred, list(SUPPORTED), sep="-", aliases={})
    return found.lower() if found and found.lower() in SUPPORTED else default
