"""Positions of many ranges at once, without a Python loop over the ranges."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]


def expand(starts: Ints, lengths: Ints) -> tuple[Ints, Ints]:
    """For ranges ``[start, start + length)``: which range each position is of, and the
    positions, range after range.

    >>> expand(np.array([5, 0, 9]), np.array([2, 0, 3]))
    (array([0, 0, 2, 2, 2]), array([ 5,  6,  9, 10, 11]))
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    first = np.cumsum(lengths) - lengths  # where each range begins in the output
    positions = np.asarray(starts, dtype=np.int64)[owner] + (
        np.arange(len(owner), dtype=np.int64) - first[owner])
    return owner, positions
