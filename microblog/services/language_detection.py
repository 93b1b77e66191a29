"""The language of a post, detected when it is written (chapter 14), so readers of another
language get a Translate link.

Lingua (lingua-language-detector) rather than langdetect: it is maintained, deterministic (no
random seed to pin) and much better on short texts, which is all a microblog has. We ask it only
about the languages people here are likely to write in, which keeps it fast and small, and we
accept its answer only when the text is long enough and the answer clearly ahead of the
runner-up: a post with no language gets no Translate link, while a wrong language would offer a
useless one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = (
    Language.ENGLISH,
    Language.SPANISH,
    Language.CHINESE,
    Language.FRENCH,
    Language.GERMAN,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
    Language.RUSSIAN,
    Language.JAPANESE,
    Language.KOREAN,
    Language.ARABIC,
)
# Below these the evidence is too thin: letters for alphabetic scripts, characters for CJK.
MIN_LETTERS = 12
MIN_CJK = 4
# The best guess must have at least this confidence (0..1), and beat the second by this much.
MIN_CONFIDENCE = 0.75
MIN_DISTANCE = 0.25

# Links and @mentions are not language: they are removed before judging.
_NOT_LANGUAGE = re.compile(r"(?:https?://|www\.)\S+|@\w+", re.IGNORECASE)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    with _lock:
        return (
            LanguageDetectorBuilder.from_languages(*LANGUAGES)
            .with_minimum_relative_distance(MIN_DISTANCE)
            # Trigram models only: a small fraction of the full models' load time and memory,
            # and as good on texts past MIN_LETTERS (measured; docs/i18n.md).
            .with_low_accuracy_mode()
            .build()
        )


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED", "HIRAGANA", "KATAKANA", "HANGUL"))


def _enough_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    cjk = sum(1 for c in letters if _is_cjk(c))
    return cjk >= MIN_CJK or len(letters) - cjk >= MIN_LETTERS


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of `text` ("en", "es", "zh", ...), or None when it is short, mixed or
    otherwise uncertain."""
    text = _NOT_LANGUAGE.sub(" ", text or "").strip()
    if not _enough_text(text):
        return None
    detector = _detector()
    language = detector.detect_language_of(text)
    if language is None:
        return None
    confidence = detector.compute_language_confidence(text, language)
    if confidence < MIN_CONFIDENCE:
        return None
    code: IsoCode639_1 = language.iso_code_639_1
    return code.name.lower()
