"""Usernames that only look like another: the Unicode TR39 confusable skeleton, from ICU.

Two strings are confusable when their skeletons are equal (Unicode Technical Standard #39,
section 4). ICU's SpoofChecker is the reference implementation of that standard, with the
Unicode Consortium's confusables data, so `aIice` (capital i) and `alice`, `rnallory` and
`mallory`, `b0b` and `bob` get one skeleton each pair.

The key we store and compare is skeleton(casefold(skeleton(name))): usernames are already unique
regardless of case, so `AIice` must meet `alice` too. The skeleton comes first because case
folding would turn a confusable capital I into an i, which looks like nothing else; the
second skeleton maps what folding produced (`M` folds to `m`, whose skeleton is `rn`).

The key depends on ICU's confusables data: a new ICU may compute different keys for some names,
which the check then compares with keys stored under the old data. Usernames are ASCII today
(`users.USERNAME_RE`), where the mappings have been stable for years; after an ICU upgrade that
changed them, recompute the column as migration 0013 does.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import icu

_local = threading.local()


def _checker() -> icu.SpoofChecker:
    """One SpoofChecker per thread: usernames are checked in run_db's worker threads, and a
    checker is cheap to make but not documented as safe to share while in use."""
    checker = getattr(_local, "checker", None)
    if checker is None:
        checker = _local.checker = icu.SpoofChecker()
    return checker


@lru_cache(maxsize=4096)
def username_skeleton(username: str) -> str:
    """The key two usernames share when one could be mistaken for the other."""
    checker = _checker()
    first = checker.getSkeleton(0, username)
    return str(checker.getSkeleton(0, str(first).casefold()))
