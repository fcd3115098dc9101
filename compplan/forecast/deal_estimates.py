"""What each open deal would pay if it alone closed won on its expected date.

Every payee the deal moves (owner, split partners, SDR, managers through roll-ups, the
account's KAM) is copied once per deal, with the deal's won credits added and its
standing ones taken out, and paid by the plan's code: the change to the year's pay is
that copy's pay minus the seat's in the run, line by line, so it is what a run with
the deal won would pay, to the cent (tiers crossed, caps hit, gates opened, a leaver's
end date), as :func:`compplan.scenarios.estimate.estimate` finds one deal at a time.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.core.currencies import decimals
from compplan.core.money import to_minor
from compplan.engine.result import Evaluation
from compplan.forecast.copies import Base, pay_copies, rows_of, scatter
from compplan.forecast.open_deals import OpenDeals
from compplan.forecast.variants import Variants

Floats = npt.NDArray[np.float64]
ESTIMATE_COLUMNS = ["deal_id", "stage", "win_rate", "close_date", "payee_id", "plan",
                    "component", "currency", "change", "expected_change"]
"""``change``: the year's pay with the deal won, less without it (the plan's currency);
``expected_change``: that x the win rate."""


def deal_estimates(result: Evaluation, bases: dict[str, Base], deals: OpenDeals,
                   var: Variants, win: Floats) -> pd.DataFrame:
    """One row per open deal, payee and component whose year's pay it changes, in
    minor units of the plan's currency (``change``, ``expected_change``)."""
    k0 = var.offsets.index(0)
    ids = np.arange(deals.count, dtype=np.int64)
    chosen = np.concatenate([var.standing(ids), var.won(ids, np.full(deals.count, k0))])
    deal_of = np.concatenate([ids, ids])
    parts = []
    for plan_id, pr in sorted(result.by_plan.items()):
        moves = var.by_plan[plan_id]
        pair, rows = rows_of(moves, chosen)
        if not len(rows):
            continue
        n = pr.frame.size
        key = deal_of[pair] * n + moves.local[rows]
        pairs, copy = np.unique(key, return_inverse=True)
        seats = (pairs % n).astype(np.int64)
        base = bases[plan_id]
        added = scatter(moves, rows, copy.astype(np.int64), len(pairs))
        results, _ = pay_copies(base, result.inputs, seats, added)
        places = decimals(pr.frame.plan.currency)
        for ran, now in zip(pr.components, results, strict=True):
            change = now.cents.sum(axis=1) - ran.cents[seats].sum(axis=1)
            moved = np.flatnonzero(change != 0)
            if not len(moved):
                continue
            deal = (pairs[moved] // n).astype(np.int64)
            p = win[deal]
            parts.append(pd.DataFrame({
                "deal_id": deals.ids[deal], "stage": deals.stage[deal], "win_rate": p,
                "close_date": var.dates[deal, k0].astype(str),
                "payee_id": pr.frame.seats["payee_id"].to_numpy(dtype=object)[seats[moved]],
                "plan": plan_id, "component": now.component.id,
                "currency": pr.frame.plan.currency, "change": change[moved],
                "expected_change": to_minor(change[moved] * p / 10**places, places)}))
    if not parts:
        return pd.DataFrame(columns=ESTIMATE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["deal_id", "payee_id", "plan", "component"], kind="stable"
                           ).reset_index(drop=True)[ESTIMATE_COLUMNS]


def by_deal(estimates: pd.DataFrame) -> pd.DataFrame:
    """Per open deal and currency: the year's pay it changes if it closes (all payees),
    and that x its win rate, largest first."""
    cols = ["deal_id", "stage", "win_rate", "close_date", "currency"]
    if estimates.empty:
        return pd.DataFrame(columns=[*cols, "payees", "change", "expected_change"])
    by = estimates.groupby(cols, sort=False).agg(payees=("payee_id", "nunique"),
                                                 change=("change", "sum"),
                                                 expected_change=("expected_change", "sum"))
    return by.reset_index().sort_values(["change", "deal_id"], ascending=[False, True],
                                        kind="stable").reset_index(drop=True)
