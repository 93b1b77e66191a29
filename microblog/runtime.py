"""Process-wide tuning of the Python runtime for a long-running server process."""

from __future__ import annotations

import gc

# Young-generation collections after this many net allocations (CPython's default is 700; 3.13+
# tunes differently). A request allocates thousands of short-lived objects, so the default runs
# a collection several times per request and, every so often, a full one over every object the
# process holds: those pauses were the p99 tail of the API (docs/api.md).
GEN0_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    """Move everything allocated so far (modules, the app, its routes: objects that live as long
    as the process) out of the collector's sight, and collect the young generation less often.
    Reference counting still frees almost everything at once; only cycles wait a little longer."""
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, second, third)
