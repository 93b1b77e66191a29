"""Words, typo neighbours and highlighting: the engine-independent half of search.

The tokenizer splits like SQLite's `unicode61` tokenizer (runs of letters and digits; `_` and
punctuation separate), so the vocabulary holds the same words the index does. Highlighting is done
here, on the post's plain text, for every engine: the page gets (text, hit) segments and renders
them as components, so nothing an engine returns is ever treated as markup.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

WORD = re.compile(r"[^\W_]+")
TERM_MAX = 64
"""Longer "words" (URLs without separators, say) are not kept in the vocabulary."""
TYPO_MIN = 5
"""A word of at least this many letters is still found with one wrong letter."""
MAX_QUERY_WORDS = 8
"""More words than this in a query are ignored (each adds an AND and a neighbour look-up)."""
_ALPHABET = string.ascii_lowercase + string.digits


def words(text: str) -> list[str]:
    """The lower-cased words of `text`, in order."""
    return [w.lower() for w in WORD.findall(text)]


def query_words(text: str) -> list[str]:
    """The distinct words of a query, in order, at most `MAX_QUERY_WORDS`."""
    seen: dict[str, None] = {}
    for word in words(text):
        if len(word) <= TERM_MAX:
            seen.setdefault(word, None)
    return list(seen)[:MAX_QUERY_WORDS]


def vocabulary_terms(text: str) -> set[str]:
    """The words of a post worth keeping as typo targets: those of `TYPO_MIN` letters or more."""
    return {w for w in words(text) if TYPO_MIN <= len(w) <= TERM_MAX}


def neighbours(word: str) -> set[str]:
    """Every string one edit away (delete, transpose, replace, insert) that could be a vocabulary
    term: at least `TYPO_MIN` long. Empty for words too short to be typo-corrected."""
    if len(word) < TYPO_MIN - 1:
        return set()
    letters = set(_ALPHABET) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    found = deletes | transposes | replaces | inserts
    found.discard(word)
    return {w for w in found if TYPO_MIN <= len(w) <= TERM_MAX}


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insert, delete, replace or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stem(word: str) -> str:
    """A crude English stem, only to decide what to highlight ("tests" for "test"); the engines
    do their own stemming for matching."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def matches(word: str, query: str) -> bool:
    """Whether a word of a post counts as a match of one query word (for highlighting)."""
    if word == query or _stem(word) == _stem(query):
        return True
    return len(query) >= TYPO_MIN - 1 and len(word) >= TYPO_MIN and within_one_edit(word, query)


@dataclass
class Segment:
    """A piece of a post's text; `hit` pieces are shown highlighted."""

    text: str
    hit: bool


def highlight(text: str, query: list[str]) -> list[Segment]:
    """Split `text` into segments, marking the words that match a query word. Joining the
    segments' text gives back `text` exactly."""
    segments: list[Segment] = []
    position = 0
    for found in WORD.finditer(text):
        word = found.group().lower()
        if any(matches(word, q) for q in query):
            if found.start() > position:
                segments.append(Segment(text[position : found.start()], False))
            segments.append(Segment(found.group(), True))
            position = found.end()
    if position < len(text) or not segments:
        segments.append(Segment(text[position:], False))
    return segments
