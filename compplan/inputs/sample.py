"""The demo's sample company: a small synthetic company with a real export's flaws.

It is :func:`compplan.inputs.synth.make` at about fifty payees and 1,450 deal rows (managers
with teams of AEs, SDRs and inside sales; KAMs, partners, account managers; hires and
leavers; splits, credit memos, cancellations inside and outside the clawback window,
SDR sourcing), plus the rows a run must report rather than drop (an unknown owner, a
clawback of last year's deal, a cancellation dated before its close), a month with no
SDR quota, and territories with capacity, start dates and regions for quota planning.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from compplan.inputs.synth import SampleCompany, Size, make, write

__all__ = ["SampleCompany", "make_company", "write_company"]


def _edge_rows(deals: pd.DataFrame, year: int) -> pd.DataFrame:
    """Rows that a real export has and the run must report rather than drop."""
    template = deals.iloc[0]
    rows = [
        {**template, "deal_id": "DX-UNKNOWN", "owner_id": "GHOST", "stage": "Closed Won",
         "close_date": f"{year}-05-10", "cancel_date": ""},
        {**template, "deal_id": "DX-LASTYEAR", "stage": "Closed Won",
         "created_date": f"{year - 1}-10-01", "close_date": f"{year - 1}-12-15",
         "cancel_date": f"{year}-02-01"},
        {**template, "deal_id": "DX-BADCANCEL", "stage": "Closed Won",
         "close_date": f"{year}-06-10", "cancel_date": f"{year}-06-01"},
    ]
    return pd.DataFrame(rows)


def _quota_gap(quotas: pd.DataFrame, year: int) -> pd.DataFrame:
    """The first SDR has no quotas for August: those months pay nothing and are reported."""
    first = quotas["payee_id"].iloc[0]
    gap = (quotas["payee_id"] == first) & (quotas["period"] == f"{year}-08")
    kept: pd.DataFrame = quotas.loc[~gap.to_numpy()].reset_index(drop=True)
    return kept


def _territories(rng: np.random.Generator, company: SampleCompany, year: int) -> pd.DataFrame:
    """The AEs' territories, with capacity for some, hire dates (of the plan year's
    hires) and regions."""
    terr = company.territories
    roster = company.roster.set_index("payee_id")
    quota = roster["quota"].reindex(terr["payee_id"]).to_numpy(dtype=np.float64)
    start = roster["start_date"].reindex(terr["payee_id"]).astype(str).to_numpy()
    n = len(terr)
    return terr.assign(
        capacity=np.where(rng.random(n) < 0.2, np.round(quota * 1.2, -3), np.nan),
        start_date=np.where(np.char.startswith(start.astype(str), str(year)), start, ""),
        region=np.where(np.arange(n) % 2 == 0, "North", "South"))


def make_company(seed: int = 7, year: int = 2026, currencies: bool = False) -> SampleCompany:
    """Generate the sample company for a seed (same seed, same company); with
    ``currencies``, a third of the AEs are paid in EUR and a third in JPY and sell in
    their currency, with a daily FX table."""
    company = make(Size(50, 1450, year=year, seed=seed))
    deals = pd.concat([company.deals, _edge_rows(company.deals, year)], ignore_index=True)
    company = replace(company, deals=deals, quotas=_quota_gap(company.quotas, year),
                      territories=_territories(np.random.default_rng(seed), company, year))
    return _with_currencies(company, seed, year) if currencies else company


EUR_USD, USD_JPY = 1.08, 150.0


def fx_rates(seed: int, year: int) -> pd.DataFrame:
    """Daily EUR->USD and USD->JPY rates from the start of the year before (a random walk
    around 1.08 and 150, four and two decimals)."""
    days = np.arange(np.datetime64(f"{year - 1}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    rng = np.random.default_rng(seed + 4217)
    walk = np.cumsum(rng.normal(0, 0.003, (2, len(days))), axis=1)
    dates = np.datetime_as_string(days)
    return pd.DataFrame({
        "date": np.concatenate([dates, dates]),
        "from": ["EUR"] * len(days) + ["USD"] * len(days),
        "to": ["USD"] * len(days) + ["JPY"] * len(days),
        "rate": np.concatenate([np.round(EUR_USD * np.exp(walk[0]), 4),
                                np.round(USD_JPY * np.exp(walk[1]), 2)])})


def _with_currencies(company: SampleCompany, seed: int, year: int) -> SampleCompany:
    """Pay every third AE in EUR and the next in JPY, their deals in that currency."""
    roster = company.roster
    ae = np.flatnonzero(roster["role"].to_numpy() == "AE")
    code = np.full(len(roster), "USD", dtype=object)
    code[ae[1::3]], code[ae[2::3]] = "EUR", "JPY"
    owner = pd.Series(code, index=roster["payee_id"].to_numpy())
    deals = company.deals
    own = owner.reindex(deals["owner_id"].to_numpy()).fillna("USD").to_numpy(dtype=object)
    amount = deals["amount"].to_numpy(dtype=np.float64)
    local = np.where(own == "EUR", np.round(amount / EUR_USD, 2),
                     np.where(own == "JPY", np.round(amount * USD_JPY, 0), amount))
    return replace(company, roster=roster.assign(currency=code),
                   deals=deals.assign(amount=local, currency=own), fx=fx_rates(seed, year))


def write_company(company: SampleCompany, folder: str) -> dict[str, str]:
    """Write the company as CSV files; return their paths by table name."""
    written = write(company, Path(folder), ("csv",))
    return {path.stem: str(path) for path in written}
