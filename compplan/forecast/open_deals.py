"""The deals as they stood on the as-of date, and the open ones a forecast may close.

A forecast reads the CRM export as it was on ``--as-of``: a row created after that
date, or closed (won or lost) after it, was not known then and is left out of the
actuals (listed, never dropped silently); a cancellation dated after it had not
happened yet. So a forecast as of a past date on this year's full export is a
back-test: its distribution can be held against the run that actually happened.

The open deals are the rows whose stage is neither won nor lost. Their expected close
date is the ``close_date`` column (where CRMs keep it for an open opportunity), or
the rows of a pipeline file with the deals table's columns (``--pipeline``), which
then replace the deals table's open rows of the same ``deal_id``. A deal expected on
or before the as-of date (overdue, still open) is expected the day after it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from compplan.errors import InputError, Issue
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import Table

Days = npt.NDArray[np.datetime64]
INTERNAL = ("_row",)


@dataclass(frozen=True)
class Stages:
    """Which CRM stages end a deal: won, or lost (any other stage is open)."""

    won: str = "Closed Won"
    lost: tuple[str, ...] = ("Closed Lost", "Disqualified")

    def closed(self, stage: pd.Series) -> npt.NDArray[np.bool_]:
        return np.asarray(stage.astype(str).isin([self.won, *self.lost]).to_numpy(),
                          dtype=bool)


@dataclass(frozen=True)
class OpenDeals:
    """The open deals, one per ``deal_id`` (its split rows share its fate)."""

    actual: Inputs
    """The inputs as known on the as-of date: the run the forecast starts from."""
    rows: pd.DataFrame
    """Every open deal row as it would close (the deals table's columns)."""
    deal: npt.NDArray[np.int64]
    """Per row of ``rows``: its deal, 0..deals-1."""
    ids: npt.NDArray[np.object_]
    stage: npt.NDArray[np.object_]
    expected: Days
    """Per deal: the expected close date (the day after the as-of date when overdue)."""
    standing: npt.NDArray[np.int64]
    """Rows of the actual deals table each deal replaces when it closes (its open rows)."""
    standing_deal: npt.NDArray[np.int64]
    left_out: pd.DataFrame
    """Rows of the deals table not known on the as-of date, with the reason."""
    overdue: int
    cancellations_later: int
    stay_open: int
    """Open rows of the deals table with no row in the pipeline file: open in every draw."""

    @property
    def count(self) -> int:
        return len(self.ids)


def _known(deals: Table, as_of: np.datetime64, stages: Stages) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame, int]:
    """The deals table as known on the as-of date, the rows left out, and how many
    cancellations were not known yet."""
    frame = deals.frame
    day = pd.Timestamp(as_of)
    later = np.zeros(len(frame), dtype=bool)
    reason = np.full(len(frame), "", dtype=object)
    if "created_date" in frame:
        created = (frame["created_date"] > day).to_numpy(dtype=bool)
        reason[created] = "created after the as-of date"
        later |= created
    if "close_date" in frame and "stage" in frame:
        closed = stages.closed(frame["stage"]) & (frame["close_date"] > day).to_numpy(dtype=bool)
        reason[closed & ~later] = "closed after the as-of date"
        later |= closed
    left = frame[later].assign(reason=reason[later])
    kept = frame[~later]
    cancelled = 0
    if "cancel_date" in kept:
        after = (kept["cancel_date"] > day).to_numpy(dtype=bool)
        cancelled = int(after.sum())
        if cancelled:
            kept = kept.assign(cancel_date=kept["cancel_date"].mask(after))
    return kept.reset_index(drop=True), left, cancelled


def _need_dates(rows: pd.DataFrame, file: str, what: str) -> None:
    missing = rows["close_date"].isna().to_numpy() if "close_date" in rows else np.ones(
        len(rows), dtype=bool)
    if missing.any():
        where = rows["_row"].to_numpy()[missing] if "_row" in rows else np.flatnonzero(missing)
        shown = ", ".join(str(int(r)) for r in where[:5])
        more = f" and {int(missing.sum()) - 5} more" if missing.sum() > 5 else ""
        raise InputError([Issue(file, f"{int(missing.sum())} open deal row(s) with no expected "
                                      f"close date (rows {shown}{more}): {what}", None,
                                "close_date")])


def _pipeline_rows(pipeline: Table, deals: pd.DataFrame, deals_file: str,
                   stages: Stages) -> pd.DataFrame:
    """The pipeline file's rows, checked against the deals table they extend."""
    rows = pipeline.frame
    missing = [c for c in deals.columns if c not in rows and c not in INTERNAL]
    if missing:
        raise InputError([Issue(pipeline.file, f"no column {', '.join(map(repr, missing))}: "
                                f"the plans read open deals as rows of {deals_file}, so the "
                                "pipeline needs every column the deals table has", 1)])
    closed = stages.closed(rows["stage"])
    if closed.any():
        at = int(rows["_row"].to_numpy()[np.flatnonzero(closed)[0]])
        raise InputError([Issue(pipeline.file, f"{int(closed.sum())} row(s) with a won or lost "
                                f"stage: the pipeline holds open deals only", None,
                                f"row {at}, stage")])
    ended = set(deals.loc[stages.closed(deals["stage"]), "deal_id"].astype(str))
    stale = rows["deal_id"].astype(str).isin(ended).to_numpy()
    if stale.any():
        at = int(rows["_row"].to_numpy()[np.flatnonzero(stale)[0]])
        raise InputError([Issue(pipeline.file, f"{int(stale.sum())} row(s) of deals already "
                                f"won or lost in {deals_file} (e.g. "
                                f"{rows['deal_id'].astype(str).to_numpy()[stale][0]!r}): "
                                "export the pipeline and the deals on the same date", None,
                                f"row {at}, deal_id")])
    _need_dates(rows, pipeline.file, "the pipeline gives each deal's expected close date")
    out = rows[list(deals.columns)].reset_index(drop=True)
    for column in deals.columns:
        if out[column].dtype != deals[column].dtype:
            try:
                out[column] = out[column].astype(deals[column].dtype)
            except (TypeError, ValueError):
                raise InputError([Issue(pipeline.file, f"column {column!r} holds "
                                        f"{out[column].dtype} values where {deals_file} holds "
                                        f"{deals[column].dtype}", 1, column)]) from None
    return out


def open_deals(inputs: Inputs, as_of: str, stages: Stages = Stages(),
               pipeline: Table | None = None) -> OpenDeals:
    """The inputs as known on ``as_of`` and their open deals (see the module)."""
    for column in ("deal_id", "stage", "close_date"):
        if column not in inputs.deals.frame:
            raise InputError([Issue(inputs.deals.file, f"no column {column!r}: a forecast "
                                    "needs each deal's id, stage and (expected) close date",
                                    1)])
    day = np.datetime64(as_of, "D")
    kept, left, cancelled = _known(inputs.deals, day, stages)
    actual = dataclasses.replace(inputs, deals=dataclasses.replace(inputs.deals, frame=kept))
    is_open = ~stages.closed(kept["stage"])
    open_ids = kept["deal_id"].astype(str).to_numpy()
    stay_open = 0
    if pipeline is not None:
        rows = _pipeline_rows(pipeline, kept, inputs.deals.file, stages)
        piped = rows["deal_id"].astype(str).to_numpy()
        standing_mask = is_open & pd.Index(open_ids).isin(piped)  # hashed: text ids
        stay_open = int((is_open & ~standing_mask).sum())
        # a pipeline deal the table lacks (a back-test cut its later close) was open on
        # the as-of date: it stands in the actuals as its open rows
        new = ~pd.Index(piped).isin(open_ids[is_open])
        if new.any():
            kept = pd.concat([kept, rows[new]], ignore_index=True)
            actual = dataclasses.replace(inputs, deals=dataclasses.replace(inputs.deals,
                                                                           frame=kept))
            open_ids = kept["deal_id"].astype(str).to_numpy()
            standing_mask = np.concatenate([standing_mask, np.ones(int(new.sum()), bool)])
    else:
        rows = kept[is_open].reset_index(drop=True)
        _need_dates(rows, inputs.deals.file, "give it in close_date (the CRM's expected "
                                             "close date), or give --pipeline")
        standing_mask = is_open
    codes, ids = pd.factorize(rows["deal_id"].astype(str), sort=True)
    deal = np.asarray(codes, dtype=np.int64)
    first = np.unique(deal, return_index=True)[1]
    expected = rows["close_date"].to_numpy(dtype="datetime64[D]")[first]
    overdue = expected <= day
    expected = np.where(overdue, day + 1, expected)
    standing = np.flatnonzero(standing_mask)
    lookup = pd.Index(ids)
    return OpenDeals(
        actual=actual, rows=rows, deal=deal, ids=np.asarray(ids, dtype=object),
        stage=rows["stage"].astype(str).to_numpy(dtype=object)[first], expected=expected,
        standing=standing.astype(np.int64),
        standing_deal=np.asarray(lookup.get_indexer(open_ids[standing]), dtype=np.int64),
        left_out=left, overdue=int(overdue.sum()), cancellations_later=cancelled,
        stay_open=stay_open)
