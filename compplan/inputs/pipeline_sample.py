"""The sample company's CRM on an as-of date: its open pipeline and stage history.

The deals that close after the as-of date (won or lost) were open on it: the pipeline
lists them in an open stage (Qualified, Proposal, Negotiation; the won ones further
along more often) with the close date expected then (the actual one up to two months
earlier: deals slip). The deals table's stale ``Qualified`` rows are not in it (a
forecast reports them as staying open). The deals closed by the as-of
date get a stage history (each open stage entered, with the close date expected then,
and the final stage), from which a forecast estimates win rates and slippage. A
forecast as of that date on the full year's deals is then a back-test: the run of the
whole year is what happened.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from compplan.inputs.synth import SampleCompany

OPEN_STAGES = ("Qualified", "Proposal", "Negotiation")
AS_OF = "09-30"


def _months_earlier(dates: pd.Series, months: np.ndarray) -> pd.Series:
    """The dates ``months`` months earlier, the day kept or the month's last."""
    day = pd.to_datetime(dates)
    shifted = [d - pd.DateOffset(months=int(m)) for d, m in zip(day, months, strict=True)]
    return pd.Series(shifted, index=dates.index).dt.strftime("%Y-%m-%d")


def pipeline_of(company: SampleCompany, as_of: str, seed: int
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pipeline rows open on ``as_of`` and the stage history of the deals closed by
    then (the deals table's text columns, as a CSV export has them)."""
    rng = np.random.default_rng(seed + 2500)
    deals = company.deals.astype({"close_date": str, "created_date": str})
    closed = deals["stage"].isin(["Closed Won", "Closed Lost"])
    created = deals["created_date"] <= as_of
    later = closed & (deals["close_date"] > as_of) & created
    ids = pd.Series(pd.unique(deals.loc[later, "deal_id"]))
    won = ids.isin(set(deals.loc[later & (deals["stage"] == "Closed Won"), "deal_id"]))
    stage_of = pd.Series(np.where(
        won, rng.choice(OPEN_STAGES, len(ids), p=[0.2, 0.35, 0.45]),
        rng.choice(OPEN_STAGES, len(ids), p=[0.5, 0.3, 0.2])), index=ids.to_numpy())
    slip = pd.Series(rng.choice(3, len(ids), p=[0.55, 0.3, 0.15]), index=ids.to_numpy())
    rows = deals[later].copy()
    rows["stage"] = stage_of.reindex(rows["deal_id"]).to_numpy()
    rows["close_date"] = _months_earlier(rows["close_date"],
                                         slip.reindex(rows["deal_id"]).to_numpy()).to_numpy()
    rows["cancel_date"] = ""
    return rows.reset_index(drop=True), _history(deals[closed & (deals["close_date"] <= as_of)],
                                                 rng)


def _history(done: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each closed deal's open stages and its end, with the close dates expected then."""
    one = done.drop_duplicates("deal_id")
    n = len(one)
    won = (one["stage"] == "Closed Won").to_numpy()
    reached = np.where(won, np.where(rng.random(n) < 0.8, 3, 2),
                       rng.choice([1, 2, 3], n, p=[0.45, 0.35, 0.2]))
    created = pd.to_datetime(one["created_date"]).to_numpy()
    close = pd.to_datetime(one["close_date"]).to_numpy()
    parts = []
    for k, stage in enumerate(OPEN_STAGES):  # three stages
        at = reached > k
        when = created[at] + (close[at] - created[at]) * k // 3
        late = rng.choice(3, int(at.sum()), p=[0.55, 0.3, 0.15])
        parts.append(pd.DataFrame({
            "deal_id": one["deal_id"].to_numpy()[at], "stage": stage,
            "date": pd.Series(when).dt.strftime("%Y-%m-%d").to_numpy(),
            "close_date": _months_earlier(one["close_date"][at].reset_index(drop=True),
                                          late).to_numpy()}))
    parts.append(pd.DataFrame({"deal_id": one["deal_id"].to_numpy(),
                               "stage": one["stage"].to_numpy(),
                               "date": one["close_date"].to_numpy(),
                               "close_date": one["close_date"].to_numpy()}))
    return pd.concat(parts, ignore_index=True).sort_values(["deal_id", "date"], kind="stable"
                                                           ).reset_index(drop=True)


def write_pipeline(company: SampleCompany, folder: Path, as_of: str, seed: int
                   ) -> dict[str, str]:
    """Write pipeline.csv and stage_history.csv (together or not at all)."""
    from compplan.core.atomic import csv_writer, write_atomically  # noqa: PLC0415

    rows, history = pipeline_of(company, as_of, seed)
    written = write_atomically(folder, {"pipeline.csv": csv_writer(rows, set()),
                                        "stage_history.csv": csv_writer(history, set())})
    return {path.stem: str(path) for path in written}
