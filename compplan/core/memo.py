"""Values derived once per key and shared, also between threads.

Credits of several measures are built on parallel threads that need the same derived
arrays (a factorized deal id column, a payee column's roster codes); each is computed
by the first thread that asks while the others wait for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """A cache whose every value is computed exactly once.

    >>> memo: Memo[int] = Memo()
    >>> memo.get("a", lambda: 1), memo.get("a", lambda: 2)
    (1, 1)
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, V] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        if key in self._values:
            return self._values[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
        return self._values[key]

    def forget(self, key: Hashable) -> None:
        """Drop a value no one will ask for again (its memory is freed with it)."""
        with self._guard:
            self._values.pop(key, None)
            self._locks.pop(key, None)

    def __reduce__(self) -> tuple[type[Memo[V]], tuple[()]]:
        """Sent to another process (a Dask worker) empty: locks do not travel."""
        return (Memo, ())
