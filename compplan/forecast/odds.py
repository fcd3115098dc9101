"""How likely an open deal is to close won, and how late: win rates and slippage.

Win rates by stage come from a file (``--win-rates``: ``stage, win_rate``), or are
estimated from a stage-history table (``--stage-history``: ``deal_id, stage, date``
and, optionally, ``close_date``, the close date expected when the deal entered the
stage; Salesforce's OpportunityHistory has these). The estimate: of the deals of the
history that have ended (their last stage is won or lost), the share of those that
were ever in a stage that ended won. A stage an open deal is in with no ended deal
through it has no rate, and the forecast refuses to guess it.

Slippage is the number of months a won deal closes after the month it was expected
in: from ``--slip-months`` (the probabilities of 0, 1, 2... months late), or from the
history (each won deal, at each stage it entered with an expected close date: the
months from that date to its actual close), or none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.errors import InputError, Issue
from compplan.forecast.open_deals import Stages
from compplan.inputs.ingest import Table
from compplan.inputs.tables import TableSpec, register

Floats = npt.NDArray[np.float64]

WIN_RATES = TableSpec("win_rates", required={"stage": "str", "win_rate": "number"},
                      key=("stage",), bounds={"win_rate": (0, 1)}, filled=("stage",))
STAGE_HISTORY = TableSpec("stage_history", required={"deal_id": "str", "stage": "str",
                                                     "date": "date"},
                          optional={"close_date": "date"}, filled=("deal_id", "stage", "date"))
register(WIN_RATES)
register(STAGE_HISTORY)
ODDS_COLUMNS = ["stage", "win_rate", "source", "ended_deals", "won_deals", "open_deals"]


@dataclass(frozen=True)
class Odds:
    """Win rate per stage (with where it came from) and the slippage distribution."""

    rates: pd.DataFrame
    """ODDS_COLUMNS, one row per stage known."""
    slip: dict[int, float]
    """Months late -> probability (summing to 1)."""
    slip_source: str

    def rate_of(self, stages: npt.NDArray[np.object_], file: str) -> Floats:
        """Each open deal's win rate, by its stage (every stage must have one)."""
        known = dict(zip(self.rates["stage"].astype(str), self.rates["win_rate"], strict=True))
        missing = sorted({str(s) for s in stages} - set(known))
        if missing:
            raise InputError([Issue(file, f"no win rate for stage {', '.join(map(repr, missing))}"
                                    ": give it in --win-rates (stage, win_rate), or a "
                                    "--stage-history with ended deals through it", None,
                                    "stage")])
        return np.array([known[str(s)] for s in stages], dtype=np.float64)


def from_file(table: Table) -> pd.DataFrame:
    """The win rates of a ``--win-rates`` file."""
    f = table.frame
    return pd.DataFrame({"stage": f["stage"].astype(str), "win_rate": f["win_rate"],
                         "source": table.file, "ended_deals": np.nan, "won_deals": np.nan,
                         "open_deals": np.nan})


def _ordered(history: pd.DataFrame) -> pd.DataFrame:
    return history.assign(deal_id=history["deal_id"].astype(str),
                          stage=history["stage"].astype(str)).sort_values(
        ["deal_id", "date", "_row"] if "_row" in history else ["deal_id", "date"],
        kind="stable")


def estimate_rates(history: Table, stages: Stages) -> pd.DataFrame:
    """Win rate per open stage from the history's ended deals (see the module)."""
    h = _ordered(history.frame)
    last = h.groupby("deal_id", sort=False)["stage"].last()
    ended = last[last.isin([stages.won, *stages.lost])]
    won = set(ended.index[ended == stages.won])
    through = h[h["deal_id"].isin(set(ended.index)) & ~h["stage"].isin(
        [stages.won, *stages.lost])].drop_duplicates(["deal_id", "stage"])
    by_stage = through.groupby("stage", sort=True)["deal_id"]
    n = by_stage.size()
    w = by_stage.apply(lambda ids: int(ids.isin(won).sum()))
    return pd.DataFrame({"stage": n.index.astype(str), "win_rate": (w / n).to_numpy(),
                         "source": history.file, "ended_deals": n.to_numpy(),
                         "won_deals": w.to_numpy(), "open_deals": np.nan})


def slip_from_history(history: Table, stages: Stages) -> dict[int, float] | None:
    """Months from the expected to the actual close, over the won deals' stage entries
    with an expected date (None when the history has no expected dates)."""
    h = _ordered(history.frame)
    if "close_date" not in h:
        return None
    closes = h[h["stage"] == stages.won].groupby("deal_id")["date"].first()
    entries = h[~h["stage"].isin([stages.won, *stages.lost]) & h["close_date"].notna()
                & h["deal_id"].isin(set(closes.index))].drop_duplicates(["deal_id", "stage"])
    if entries.empty:
        return None
    actual = closes.reindex(entries["deal_id"]).to_numpy(dtype="datetime64[M]")
    expected = entries["close_date"].to_numpy(dtype="datetime64[M]")
    months = (actual - expected).astype(np.int64)
    values, counts = np.unique(months, return_counts=True)
    return {int(v): float(c) / len(months) for v, c in zip(values, counts, strict=True)}


def parse_slip(text: str) -> dict[int, float]:
    """``--slip-months 0.6,0.3,0.1``: the probabilities of 0, 1, 2 months late."""
    try:
        probs = [float(p) for p in text.split(",")]
    except ValueError:
        probs = []
    if not probs or any(not 0 <= p <= 1 for p in probs) or abs(sum(probs) - 1) > 1e-9:
        raise InputError([Issue("--slip-months", f"{text!r}: expected probabilities of 0, 1, "
                                "2... months late, each 0 to 1, adding up to 1 "
                                "(0.6,0.3,0.1)")])
    return {k: p for k, p in enumerate(probs) if p > 0}


def odds(stages: Stages, win_rates: Table | None, history: Table | None,
         slip: str | None) -> Odds:
    """The forecast's odds: the file's win rates over the history's estimate, the
    parameter's slippage over the history's."""
    if win_rates is None and history is None:
        raise InputError([Issue("command line", "no win rates: give --win-rates (stage, "
                                "win_rate) or --stage-history (deal_id, stage, date) to "
                                "estimate them from")])
    rates = from_file(win_rates) if win_rates is not None else estimate_rates(
        history, stages)  # type: ignore[arg-type]
    if slip is not None:
        return Odds(rates, parse_slip(slip), "--slip-months")
    found = slip_from_history(history, stages) if history is not None else None
    if found is not None:
        return Odds(rates, found, f"{history.file} (expected against actual close months)"
                    if history is not None else "")
    return Odds(rates, {0: 1.0}, "none (no --slip-months, no expected dates in a history)")
