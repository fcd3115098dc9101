"""Seconds spent per stage of a run: what ``compplan run --timings`` and the benchmarks
print, so a slow run says where its time went."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable


class Stopwatch:
    """Accumulates the time between laps under the name of the stage just finished.

    >>> watch = Stopwatch()
    >>> watch.lap("load"); watch.lap("load"); sorted(watch.seconds)
    ['load']
    """

    def __init__(self, listener: Callable[[str], None] | None = None) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._last = time.perf_counter()
        self.listener = listener
        """Told each stage as it ends (the CLI's progress display)."""

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] += now - self._last
        self._last = now
        if self.listener is not None:
            self.listener(stage)

    def restart(self) -> None:
        """Start timing afresh (time since the last lap belongs to no stage)."""
        self._last = time.perf_counter()
