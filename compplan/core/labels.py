"""Label columns as categoricals: millions of rows that share a few texts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd


def categorical(codes: npt.ArrayLike, labels: Sequence[str] | pd.Index) -> pd.Categorical:
    """Labels by position: ``labels[codes]`` without copying any text.

    >>> list(categorical([1, 0, 1], ["credit", "clawback"]))
    ['clawback', 'credit', 'clawback']
    """
    index = pd.Index(list(labels) if not isinstance(labels, pd.Index) else labels, dtype=object)
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),  # type: ignore[call-overload]
                                     categories=index)


def constant(label: str, n: int) -> pd.Categorical:
    """One label repeated ``n`` times."""
    return categorical(np.zeros(n, dtype=np.int64), [label])
