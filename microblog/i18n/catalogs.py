"""The compiled message catalogs, loaded once per process, and server-side translation.

The web UI translates its static strings in the browser (components/i18n.py and the generated
assets/i18n/catalogs.js); what the server produces at run time (form errors from the services,
toasts, emails) is translated here, in the reader's or recipient's language.
"""

from __future__ import annotations

import gettext as _gettext
import logging
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from microblog.i18n.messages import Message, interpolate

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"
# The languages of the UI. English is the source language: its catalog maps each msgid to
# itself (plural forms included), so that a typo fixed in English does not need a code change.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "zh": "中文"}
SUPPORTED: tuple[str, ...] = tuple(LANGUAGES)
DEFAULT_LANGUAGE = "en"


def po_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return TRANSLATIONS_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def normalize_language(lang: str | None) -> str:
    """One of SUPPORTED: anything else (empty, unknown, hostile) becomes the default."""
    lang = (lang or "").strip().lower()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=len(SUPPORTED))
def catalog(lang: str) -> _gettext.NullTranslations:
    """The catalog of a supported language, read once per process.

    `python -m microblog translate compile` (run by `make setup`) writes the .mo files. When a
    .mo is missing or older than its .po (a fresh checkout, an edited catalog), the .po is
    compiled in memory instead, with a warning: the site stays translated either way.
    """
    lang = normalize_language(lang)
    po, mo = po_path(lang), mo_path(lang)
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.exists():
        log.warning("No message catalog for %s; showing English", lang)
        return _gettext.NullTranslations()
    log.warning("%s is missing or stale; run `python -m microblog translate compile`", mo)
    with po.open("rb") as handle:
        parsed = read_po(handle, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, parsed)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translate(text: str, lang: str) -> str:
    """`text` in `lang`: a `Message` by its msgid, plural form and params; a plain string as a
    msgid (text not in the catalog comes back unchanged)."""
    if not text:
        return text
    translations = catalog(normalize_language(lang))
    if isinstance(text, Message):
        if text.plural is not None and text.num is not None:
            template = translations.ngettext(text.msgid, text.plural, text.num)
        else:
            template = translations.gettext(text.msgid)
        return interpolate(template, text.params)
    return translations.gettext(text)


def translate_errors(errors: dict[str, str], lang: str) -> dict[str, str]:
    """A service's per-field `Invalid.errors`, each translated."""
    return {field: translate(message, lang) for field, message in errors.items()}


class Gettext(Protocol):
    def __call__(self, msgid: str, /, **params: Any) -> str: ...


class NGettext(Protocol):
    def __call__(self, singular: str, plural: str, num: int, /, **params: Any) -> str: ...


def translators(lang: str) -> tuple[Gettext, NGettext]:
    """`_` and `_n` bound to one language, for text composed on the server (emails):
    `_, _n = translators(user.language)`; `_("Dear %(username)s,", username=name)`."""

    def _(msgid: str, /, **params: Any) -> str:
        return translate(Message(msgid, params=params), lang)

    def _n(singular: str, plural: str, num: int, /, **params: Any) -> str:
        return translate(Message(singular, plural, num, params), lang)

    return _, _n
