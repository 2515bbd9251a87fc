"""ADR 37: what a service made to start lives as long as it, out of the full collections' walk; frozen once
per process, so a process starting many apps (the tests) keeps no garbage of the later ones."""

import gc

from kernel import heap


def test_start_up_objects_are_frozen_once_per_process(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", False)
    gc.unfreeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's, whatever an app started earlier in this process set
    try:
        heap.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the imports alone: the collector no longer walks them
        # The young generation collected less often, the older ones as CPython does.
        assert gc.get_threshold() == (heap.YOUNG_COLLECTION_THRESHOLD, 10, 10)

        made_later = [[] for _ in range(1000)]
        heap.settle()
        assert gc.get_freeze_count() == frozen, "a second start froze again"
        assert made_later
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
