"""The server process's garbage-collector tuning (microblog/runtime.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from microblog.runtime import GEN0_THRESHOLD, tune_garbage_collector


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_start_up_objects_are_frozen_and_young_collections_are_rarer(restored_gc: None) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    tune_garbage_collector()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GEN0_THRESHOLD
