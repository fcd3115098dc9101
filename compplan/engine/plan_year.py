"""A plan year that does not fit the data: most credits dated outside it.

A wrong ``--year`` (2025 for a 2026 export) runs cleanly: every credit becomes an
"outside plan year" exception and nobody is paid commission. Nothing is wrong with any
one row, so it is said once, on stderr, with the years the credits are dated in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from compplan.engine.result import Evaluation


def year_warning(result: Evaluation) -> str | None:
    """A warning when more than half the credits fall outside the plan year, or None."""
    exc = result.exceptions
    outside = exc[(exc["reason"] == f"dated outside plan year {result.year}").to_numpy()]
    placed = len(result.credit_rows)
    total = placed + len(outside)
    if total == 0 or len(outside) * 2 <= total:
        return None
    years = pd.concat([
        pd.Series(pd.to_datetime(outside["date"], errors="coerce").dt.year.to_numpy()),
        pd.Series(np.full(placed, result.year))], ignore_index=True).dropna().astype(int)
    counts = years.value_counts().sort_index()
    held = ", ".join(f"{year} ({n:,})" for year, n in counts.items())
    return (f"{len(outside):,} of {total:,} credits ({len(outside) / total:.0%}) are dated "
            f"outside plan year {result.year}; the credits are dated in {held}: "
            "is --year right?")
