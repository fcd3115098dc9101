"""Capitalized commissions as assets, amortized month by month over their benefit period.

An asset is a contract x plan x component. Its schedule is straight-line over the
benefit period from the contract's start month (``first_month: half`` amortizes half
a month first and half a month after the last). Month by month, for every asset at
once (one step per month, never one per contract):

1. an addition (a later true-up) catches up on the months of the schedule already
   elapsed: that part is amortized at once, the rest joins the carrying amount;
2. a clawback first reduces the asset it reverses; what exceeds the carrying amount
   reduces commission expense;
3. a contract cancelled this month (its ``cancel`` column) writes off what remains, and
   so does any later addition to it;
4. the month's amortization is the carrying amount x this month's weight / the weight
   still ahead, in cents half-up, so the last month takes exactly what is left;
5. at the plan year's end, with a ``remaining_consideration`` column, a contract whose
   carrying amount exceeds the consideration still to come (less ``costs_to_fulfil``)
   is written down to it (impairment).

Amortization runs past the plan year to the end of every benefit period; the journal
and the roll-forward cover the plan year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from compplan.accounting.allocate import Allocated, contract_column
from compplan.core.money import largest_remainder_groups, to_cents
from compplan.engine.result import Evaluation
from compplan.errors import InputError, Issue
from compplan.schema.accounting import AccountingPolicy

ASSET_COLUMNS = ["asset_id", "entity", "currency", "plan", "component", "deal_id", "payees",
                 "benefit", "start", "months", "capitalized", "employer_taxes", "clawed_back",
                 "amortized",
                 "written_off", "impaired", "carrying_end", "current_end", "status"]
"""assets.csv; ``capitalized`` includes the ``employer_taxes`` capitalized with the
commissions; ``carrying_end`` is the carrying amount at the plan year's end, which
``--opening`` continues from the next year."""


EXPENSED_COLUMNS = ["plan", "component", "payee_id", "period", "currency", "deal_id", "cents",
                    "reason"]
"""Commissions expensed when incurred, and why (no contract, expedient, threshold)."""


def month_label(month: np.ndarray | int) -> np.ndarray:
    """Absolute month numbers (year x 12 + month - 1) as ``YYYY-MM``.

    >>> month_label(np.array([2026 * 12, 2026 * 12 + 11])).tolist()
    ['2026-01', '2026-12']
    """
    m = np.asarray(month, dtype=np.int64)
    return np.array([f"{y:04d}-{k + 1:02d}" for y, k in zip(m // 12, m % 12, strict=True)])


def _month_of(values: np.ndarray) -> np.ndarray:
    stamps = pd.to_datetime(pd.Series(values), errors="coerce")
    out = (stamps.dt.year * 12 + stamps.dt.month - 1).to_numpy(dtype=np.float64)
    return np.where(np.isnan(out), -1, out).astype(np.int64)


@dataclass(frozen=True)
class Schedule:
    """Everything the journal, the roll-forward and the files read."""

    assets: pd.DataFrame
    """One row per asset (see :data:`ASSET_COLUMNS`), plus ``first``/``last`` months."""
    months: np.ndarray
    """The absolute months of the matrices' columns."""
    additions: np.ndarray
    catch_up: np.ndarray
    reductions: np.ndarray
    excess: np.ndarray
    written_off: np.ndarray
    impaired: np.ndarray
    amortized: np.ndarray
    carrying: np.ndarray
    """Carrying amount at each month's end, cents (assets x months)."""
    current: np.ndarray
    """The part of ``carrying`` amortized within the next 12 months (the current asset)."""
    expensed: pd.DataFrame
    """Allocations and lines expensed when incurred, with the reason."""
    tax_additions: np.ndarray
    """The employer taxes within ``additions`` (zeros without ``employer_taxes``)."""
    tax_reductions: np.ndarray
    """The employer taxes within the clawbacks' reductions."""


def _weights(start: np.ndarray, months: np.ndarray, half: bool, horizon: np.ndarray
             ) -> np.ndarray:
    """Each asset's schedule weight in each month of ``horizon`` (assets x months)."""
    k = horizon[None, :] - start[:, None]
    n = months[:, None]
    out: np.ndarray
    if not half:
        out = ((k >= 0) & (k < n)).astype(np.float64)
    else:
        out = ((k > 0) & (k < n)).astype(np.float64) + 0.5 * ((k == 0) | (k == n))
    return out


def _half_up(x: np.ndarray) -> np.ndarray:
    return np.floor(np.round(x, 6) + 0.5).astype(np.int64)


def _contracts(result: Evaluation, policy: AccountingPolicy, rows: pd.DataFrame
               ) -> pd.DataFrame:
    """Start month, benefit months and cancel month of each allocation's contract."""
    c = policy.contract
    start = _month_of(contract_column(result, rows, c.start, "contract.start"))
    benefit = np.array([policy.capitalize[e].benefit if e >= 0 else 0
                        for e in rows["entry"].to_numpy()], dtype=object)
    by_contract = benefit == "contract"
    term = np.zeros(len(rows), dtype=np.float64)
    if by_contract.any():
        raw = pd.to_numeric(pd.Series(contract_column(result, rows[by_contract], c.term,
                                                      "contract.term")),
                            errors="coerce").to_numpy(dtype=np.float64)
        term[by_contract] = raw
    months = np.where(by_contract, term, benefit).astype(np.float64)
    bad = (rows["entry"].to_numpy() >= 0) & (
        (start < 0) | ~np.isfinite(months) | (months < 1) | (months != np.floor(months)))
    if bad.any():
        found = rows[bad].drop_duplicates(["table", "source_row"]).head(20)
        files = {name: getattr(result.inputs.table(str(name)), "file", str(name))
                 for name in pd.unique(found["table"])}
        raise InputError([Issue(files[r["table"]], f"contract {r['deal_id']!r}: needs a "
                                f"{c.start} date and a whole {c.term} of 1 month or more to "
                                "be capitalized", int(r["source_row"]), c.term)
                          for r in found.to_dict("records")])
    cancel = (_month_of(contract_column(result, rows, c.cancel, "contract.cancel"))
              if c.cancel is not None
              else np.full(len(rows), -1))
    return pd.DataFrame({"start": start, "months": months.astype(np.int64),
                         "cancel": cancel, "benefit": benefit.astype(str)})


def _impairment_limits(result: Evaluation, policy: AccountingPolicy, rows: pd.DataFrame
                       ) -> np.ndarray | None:
    c = policy.contract
    if c.remaining_consideration is None:
        return None
    limit = pd.to_numeric(pd.Series(contract_column(result, rows, c.remaining_consideration,
                                                    "contract.remaining_consideration")),
                          errors="coerce").to_numpy(dtype=np.float64)
    if c.costs_to_fulfil is not None:
        costs = pd.to_numeric(pd.Series(contract_column(result, rows, c.costs_to_fulfil,
                                                        "contract.costs_to_fulfil")),
                              errors="coerce").fillna(0.0).to_numpy(dtype=np.float64)
        limit = limit - costs
    return limit


def build_schedule(result: Evaluation, policy: AccountingPolicy, allocated: Allocated,
                   opening: pd.DataFrame | None = None) -> Schedule:
    """The assets of the run's capitalized allocations (and of ``opening``), amortized."""
    rows = allocated.rows
    expensed = [allocated.unallocated.assign(reason=allocated.unallocated["reason"])]
    uncovered = rows["entry"].to_numpy() < 0
    if uncovered.any():
        expensed.append(rows[uncovered].assign(reason="no policy entry covers this contract"))
    rows = rows[~uncovered].reset_index(drop=True)
    contracts = _contracts(result, policy, rows)
    rows = pd.concat([rows, contracts], axis=1)
    expedient = policy.practical_expedient & (rows["months"].to_numpy() <= 12)
    if expedient.any():
        expensed.append(rows[expedient].assign(
            reason="practical expedient: benefit period of 12 months or less"))
    rows = rows[~expedient].reset_index(drop=True)
    rows["asset_id"] = (rows["deal_id"].astype(str) + "|" + rows["plan"] + "|"
                        + rows["component"] + "|" + rows["currency"])
    added = rows.assign(pos=rows["cents"].clip(lower=0)).groupby("asset_id")["pos"].sum()
    small = added.index[added.to_numpy() < to_cents(policy.threshold)]
    if len(small):
        out = rows["asset_id"].isin(small).to_numpy()
        expensed.append(rows[out].assign(reason=f"below the threshold of {policy.threshold:,.2f}"))
        rows = rows[~out].reset_index(drop=True)
    rows["tax"] = False
    if policy.employer_taxes is not None and len(rows):
        cents = rows["cents"].to_numpy(dtype=np.int64)
        taxed = rows.assign(tax=True, cents=np.sign(cents) * _half_up(
            np.abs(cents) * policy.employer_taxes.rate))
        rows = pd.concat([rows, taxed[taxed["cents"] != 0]], ignore_index=True)
    limits = _impairment_limits(result, policy, rows) if len(rows) else None
    rows["limit"] = limits if limits is not None else np.nan
    assets = (rows.groupby("asset_id", sort=True)
              .agg(currency=("currency", "first"), plan=("plan", "first"),
                   component=("component", "first"), deal_id=("deal_id", "first"),
                   payees=("payee_id", "nunique"), benefit=("benefit", "first"),
                   start=("start", "first"), months=("months", "first"),
                   cancel=("cancel", "first"), limit=("limit", "first"))
              .reset_index())
    if opening is not None and len(opening):
        assets = pd.concat([assets, opening_assets(opening, result, policy)],
                           ignore_index=True).drop_duplicates("asset_id", keep="first")
        assets = assets.sort_values("asset_id", kind="stable").reset_index(drop=True)
    spent = pd.concat(expensed, ignore_index=True).reindex(columns=EXPENSED_COLUMNS)
    spent["cents"] = spent["cents"].astype(np.int64)
    spent["deal_id"] = spent["deal_id"].fillna("")
    return _run(result, policy, rows, assets, opening, spent)


def opening_assets(opening: pd.DataFrame, result: Evaluation, policy: AccountingPolicy
                   ) -> pd.DataFrame:
    """Assets carried from last year's assets.csv (those with a carrying amount left)."""
    left = opening[pd.to_numeric(opening["carrying_end"], errors="coerce") > 0]
    start = _month_of(pd.to_datetime(left["start"] + "-01").to_numpy())
    deals = result.inputs.deals.frame
    cancel = np.full(len(left), -1)
    if policy.contract.cancel is not None and policy.contract.cancel in deals.columns:
        by_deal = pd.Series(_month_of(deals[policy.contract.cancel].to_numpy()),
                            index=deals["deal_id"].astype(str)) if "deal_id" in deals else None
        if by_deal is not None:
            by_deal = by_deal[~by_deal.index.duplicated()]
            cancel = by_deal.reindex(left["deal_id"].astype(str)).fillna(-1).to_numpy(
                dtype=np.int64)
    return pd.DataFrame({
        "asset_id": left["asset_id"].astype(str).to_numpy(),
        "currency": left["currency"].to_numpy(), "plan": left["plan"].to_numpy(),
        "component": left["component"].to_numpy(),
        "deal_id": left["deal_id"].astype(str).to_numpy(),
        "payees": pd.to_numeric(left["payees"]).to_numpy(dtype=np.int64),
        "benefit": left["benefit"].astype(str).to_numpy(), "start": start,
        "months": pd.to_numeric(left["months"]).to_numpy(dtype=np.int64), "cancel": cancel,
        "limit": np.nan,
        "opening_cents": to_cents(pd.to_numeric(left["carrying_end"]).to_numpy()),
        "opening_current": to_cents(pd.to_numeric(left.get(
            "current_end", pd.Series(0.0, index=left.index))).to_numpy())})


def _events(rows: pd.DataFrame, index: pd.Index, months: np.ndarray) -> tuple[np.ndarray, ...]:
    shape = (len(index), len(months))
    add, red = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    if len(rows):
        a = index.get_indexer(pd.Index(rows["asset_id"]))
        m = rows["month"].to_numpy(dtype=np.int64) - months[0]
        cents = rows["cents"].to_numpy(dtype=np.int64)
        np.add.at(add, (a, m), np.clip(cents, 0, None))
        np.add.at(red, (a, m), np.clip(-cents, 0, None))
    return add, red


def _run(result: Evaluation, policy: AccountingPolicy, rows: pd.DataFrame,
         assets: pd.DataFrame, opening: pd.DataFrame | None, expensed: pd.DataFrame
         ) -> Schedule:
    year0 = result.year * 12
    start = assets["start"].to_numpy(dtype=np.int64)
    n = assets["months"].to_numpy(dtype=np.int64)
    half = policy.first_month == "half"
    first = min([year0, *start.tolist()])
    last = max([year0 + 11, *(start + n + (1 if half else 0)).tolist()])
    months = np.arange(first, last + 1)
    w = _weights(start, n, half, months)
    total = w.sum(axis=1)
    done = np.cumsum(w, axis=1) - w  # weight of the months before each month
    index = pd.Index(assets["asset_id"])
    add, red = _events(rows, index, months)
    tax_add, tax_red = _events(rows[rows["tax"].to_numpy(dtype=bool)], index, months)
    cancel = assets["cancel"].to_numpy(dtype=np.int64)
    limits = assets["limit"].to_numpy(dtype=np.float64)
    shape = (len(assets), len(months))
    catch, cut, excess, off, impaired, amort, carrying, current = (
        np.zeros(shape, np.int64) for _ in range(8))
    c = np.zeros(len(assets), np.int64)
    opened = assets["opening_cents"].to_numpy() if "opening_cents" in assets else None
    for j, k in enumerate(months):  # one vectorized step per month, all assets at once
        if opened is not None and k == year0:
            c = c + np.nan_to_num(opened, nan=0).astype(np.int64)
        frac = np.where(total > 0, done[:, j] / np.where(total > 0, total, 1), 1.0)
        cancelled = (cancel >= 0) & (k >= cancel)
        catch[:, j] = np.where(cancelled, 0, _half_up(add[:, j] * frac))
        c = c + add[:, j] - catch[:, j]
        cut[:, j] = np.minimum(red[:, j], c)
        excess[:, j] = red[:, j] - cut[:, j]
        c = c - cut[:, j]
        off[:, j] = np.where(cancelled, c, 0)  # what arrives after too: the contract is gone
        c = c - off[:, j]
        remaining = total - done[:, j]
        share = np.where((remaining > 0) & ~cancelled,
                         w[:, j] / np.where(remaining > 0, remaining, 1), 0.0)
        amort[:, j] = np.minimum(_half_up(c * share), c)
        c = c - amort[:, j]
        if k == year0 + 11 and np.isfinite(limits).any():
            impaired[:, j] = _impairment(assets, c, limits)
            c = c - impaired[:, j]
        carrying[:, j] = c
        window = w[:, j + 1:j + 13].sum(axis=1)
        rest = total - done[:, j] - w[:, j]
        current[:, j] = np.where(rest > 0, _half_up(c * np.minimum(window / np.where(
            rest > 0, rest, 1), 1.0)), 0)
    assets = _summary(assets, policy, months, year0, add, cut, catch + amort, off, impaired,
                      carrying, current)
    assets.insert(list(assets.columns).index("capitalized") + 1, "employer_taxes",
                  tax_add.sum(axis=1))
    return Schedule(assets, months, add, catch, cut, excess, off, impaired, catch + amort,
                    carrying, current, expensed, tax_add, tax_red)


def _impairment(assets: pd.DataFrame, carrying: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Write-downs per asset: each contract's carrying amount over its limit, shared
    among its assets by their carrying amounts."""
    deal = pd.factorize(assets["deal_id"].astype(str) + "|" + assets["currency"])[0]
    held = np.bincount(deal, weights=carrying.astype(np.float64))
    limit = pd.Series(limits).groupby(deal).first().reindex(range(len(held))).to_numpy()
    over = np.where(np.isfinite(limit), np.maximum(held - to_cents(np.nan_to_num(limit)), 0), 0)
    return largest_remainder_groups(deal, over.astype(np.int64), carrying.astype(np.float64))


def _summary(assets: pd.DataFrame, policy: AccountingPolicy, months: np.ndarray, year0: int,
             add: np.ndarray, cut: np.ndarray, amort: np.ndarray, off: np.ndarray,
             impaired: np.ndarray, carrying: np.ndarray, current: np.ndarray) -> pd.DataFrame:
    in_year = (months >= year0) & (months <= year0 + 11)
    end = int(np.searchsorted(months, year0 + 11))
    status = np.where(assets["cancel"].to_numpy() >= 0, "cancelled",
                      np.where(carrying[:, end] > 0, "active", "ended"))
    out = pd.DataFrame({
        "asset_id": assets["asset_id"], "entity": policy.entity,
        "currency": assets["currency"], "plan": assets["plan"],
        "component": assets["component"], "deal_id": assets["deal_id"],
        "payees": assets["payees"], "benefit": assets["benefit"],
        "start": month_label(assets["start"].to_numpy()), "months": assets["months"],
        "capitalized": add.sum(axis=1), "clawed_back": cut.sum(axis=1),
        "amortized": amort[:, in_year].sum(axis=1), "written_off": off.sum(axis=1),
        "impaired": impaired.sum(axis=1), "carrying_end": carrying[:, end],
        "current_end": current[:, end], "status": status})
    for column, name in (("opening_cents", "opening"), ("opening_current", "opening_current")):
        if column in assets:
            out[name] = np.nan_to_num(assets[column].to_numpy(dtype=np.float64)).astype(np.int64)
    return out
