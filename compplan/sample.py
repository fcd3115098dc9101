"""A realistic sample company, generated deterministically from a seed.

About fifty payees on the seven shipped plans (managers with teams of AEs, SDRs,
KAMs, partners, inside sales, account managers), with hires and leavers, and a year
of deals with splits, credit memos, cancellations inside and outside the clawback
window, SDR sourcing, deals from last year and a few rows that must end up in the
exceptions (an unknown owner, a cancellation dated before its close).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SampleCompany:
    """The input tables of a sample company."""

    roster: pd.DataFrame
    deals: pd.DataFrame
    quotas: pd.DataFrame
    accounts: pd.DataFrame
    territories: pd.DataFrame


_TEAMS = {"AE": ("ae-2026", 20), "SDR": ("sdr-2026", 8), "KAM": ("kam-2026", 4),
          "PARTNER": ("partner-2026", 4), "ISR": ("inside-2026", 5), "AM": ("am-2026", 5)}
_FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jade", "Kai",
          "Lena", "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess", "Uma", "Vik",
          "Wren", "Xia", "Yara", "Zed"]
_LAST = ["Okafor", "Lind", "Moreau", "Patel", "Rossi", "Kim", "Novak", "Silva", "Haas", "Berg"]
_PAY = {  # base, target incentive, annual quota
    "MGR": (150_000, 60_000, 4_000_000), "AE": (90_000, 60_000, 800_000),
    "SDR": (55_000, 24_000, None), "KAM": (110_000, 40_000, None),
    "PARTNER": (None, None, None), "ISR": (60_000, 30_000, 600_000),
    "AM": (85_000, 40_000, 300_000),
}


def _roster(rng: np.random.Generator, year: int) -> pd.DataFrame:
    rows = []
    for m in range(4):
        base, ti, quota = _PAY["MGR"]
        rows.append((f"M{m + 1:02d}", "MGR", "mgr-2026", "", f"{year - 3}-01-01", "", base, ti,
                     quota))
    for role, (plan, count) in _TEAMS.items():
        base, ti, quota = _PAY[role]
        for k in range(count):
            pid = f"{role[:3]}{k + 1:02d}"
            manager = f"M{(k % 4) + 1:02d}" if role in ("AE", "SDR", "ISR") else ""
            start, end = f"{year - 2}-02-01", ""
            if role == "AE" and k in (3, 11):  # hires
                start = f"{year}-{int(rng.integers(2, 7)):02d}-{int(rng.integers(1, 28)):02d}"
            if role in ("AE", "SDR") and k in (7, 5 + 8 * (role == "SDR")):  # leavers
                end = f"{year}-{int(rng.integers(5, 11)):02d}-{int(rng.integers(1, 28)):02d}"
            if role == "SDR" and k == 5:
                end = f"{year}-08-15"
            scaled = None if quota is None else round(quota * (0.9 + 0.05 * (k % 5)))
            rows.append((pid, role, plan, manager, start, end, base, ti, scaled))
    frame = pd.DataFrame(rows, columns=["payee_id", "role", "plan", "manager_id", "start_date",
                                        "end_date", "base_salary", "target_incentive", "quota"])
    names = [f"{_FIRST[i % len(_FIRST)]} {_LAST[(i * 7) % len(_LAST)]}" for i in range(len(frame))]
    frame.insert(1, "name", names)
    return frame


def _dates(rng: np.random.Generator, year: int, n: int) -> np.ndarray:
    season = np.repeat([0.20, 0.25, 0.25, 0.30], 3) / 3
    month = rng.choice(12, size=n, p=season)
    day = rng.integers(0, 28, size=n)
    start = np.datetime64(f"{year}-01", "M")
    return (start + month).astype("datetime64[D]") + day


def _deals(rng: np.random.Generator, roster: pd.DataFrame, year: int,
           accounts: pd.DataFrame) -> pd.DataFrame:
    sellers = roster[roster["role"].isin(["AE", "PARTNER", "ISR", "AM"])]["payee_id"].to_numpy()
    ae = roster[roster["role"] == "AE"]["payee_id"].to_numpy()
    sdrs = roster[roster["role"] == "SDR"]["payee_id"].to_numpy()
    n = 1400
    close = _dates(rng, year, n)
    created = close - rng.integers(10, 120, size=n)
    amount = np.round(rng.lognormal(10.4, 0.7, size=n), 2)
    stage = rng.choice(["Closed Won", "Closed Lost", "Qualified", "Disqualified"], size=n,
                       p=[0.55, 0.25, 0.12, 0.08])
    memo = rng.random(n) < 0.03
    amount = np.where(memo, -np.round(amount * 0.2, 2), amount)
    deals = pd.DataFrame({
        "deal_id": [f"D{year}{i:05d}" for i in range(n)],
        "owner_id": rng.choice(sellers, size=n),
        "split_pct": "",
        "amount": amount,
        "margin": np.round(amount * rng.uniform(0.25, 0.6, size=n), 2),
        "stage": stage,
        "created_date": created.astype(str),
        "close_date": np.where(np.isin(stage, ["Closed Won", "Closed Lost"]),
                               close.astype(str), ""),
        "cancel_date": "",
        "term_months": rng.choice([12, 24, 36], size=n, p=[0.6, 0.25, 0.15]),
        "account_id": rng.choice(accounts["account_id"].to_numpy(), size=n),
        "sdr_id": np.where(rng.random(n) < 0.45, rng.choice(sdrs, size=n), ""),
        "deal_type": rng.choice(["new", "expansion", "renewal", "upsell", "internal"], size=n,
                                p=[0.45, 0.2, 0.25, 0.07, 0.03]),
    })
    won = (deals["stage"] == "Closed Won").to_numpy()
    cancel_days = rng.integers(5, 140, size=n)
    cancelled = won & (rng.random(n) < 0.06)
    deals.loc[cancelled, "cancel_date"] = (close + cancel_days)[cancelled].astype(str)
    deals = deals.astype({"split_pct": object})
    split_rows = deals[won & np.isin(deals["owner_id"], ae) & (rng.random(n) < 0.15)]
    first = split_rows.assign(split_pct=0.6)
    second = split_rows.assign(owner_id=rng.choice(ae, size=len(split_rows)), split_pct=0.4)
    deals.loc[split_rows.index, "split_pct"] = 0.6
    extra = _edge_rows(deals, year)
    out = pd.concat([deals.drop(split_rows.index), first, second, extra], ignore_index=True)
    return out.sort_values(["deal_id", "split_pct"], kind="stable").reset_index(drop=True)


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


def _quotas(roster: pd.DataFrame, year: int) -> pd.DataFrame:
    sdrs = roster[roster["role"] == "SDR"]["payee_id"].to_numpy()
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    rows = [(s, "pipeline", p, 220_000) for s in sdrs for p in months]
    rows += [(s, "meetings", p, 6) for s in sdrs for p in months]
    quotas = pd.DataFrame(rows, columns=["payee_id", "measure", "period", "quota"])
    gap = (quotas["payee_id"] == sdrs[0]) & (quotas["period"] == months[7])
    kept: pd.DataFrame = quotas.loc[~gap.to_numpy()].reset_index(drop=True)
    return kept


def make_company(seed: int = 7, year: int = 2026) -> SampleCompany:
    """Generate the sample company for a seed (same seed, same company)."""
    rng = np.random.default_rng(seed)
    roster = _roster(rng, year)
    kams = roster[roster["role"] == "KAM"]["payee_id"].to_numpy()
    accounts = pd.DataFrame({
        "account_id": [f"ACC{i:03d}" for i in range(120)],
        "kam_id": [kams[i % len(kams)] if i % 3 == 0 else "" for i in range(120)],
        "class": rng.choice(["A", "B", "C"], size=120, p=[0.2, 0.3, 0.5]),
    })
    deals = _deals(rng, roster, year, accounts)
    owned = accounts[accounts["kam_id"] != ""].reset_index(drop=True)
    return SampleCompany(roster, deals, _quotas(roster, year), owned,
                         _territories(rng, roster))


def _territories(rng: np.random.Generator, roster: pd.DataFrame) -> pd.DataFrame:
    """One territory per AE: potential and last year around the AE's quota."""
    ae = roster[roster["role"] == "AE"].reset_index(drop=True)
    quota = ae["quota"].to_numpy(dtype=np.float64)
    n = len(ae)
    return pd.DataFrame({
        "territory_id": "TER-" + ae["payee_id"],
        "payee_id": ae["payee_id"],
        "potential": np.round(quota * rng.uniform(1.6, 3.0, n), -3),
        "last_year": np.round(quota * rng.uniform(0.75, 1.05, n), -3),
        "capacity": np.where(rng.random(n) < 0.2, np.round(quota * 1.2, -3), np.nan),
        "start_date": ae["start_date"].where(ae["start_date"].str.startswith("2026"), ""),
        "region": np.where(np.arange(n) % 2 == 0, "North", "South"),
    })


def write_company(company: SampleCompany, folder: str) -> dict[str, str]:
    """Write the company as CSV files; return their paths by table name."""
    from pathlib import Path  # noqa: PLC0415

    where = Path(folder)
    where.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in ("roster", "deals", "quotas", "accounts", "territories"):
        path = where / f"{name}.csv"
        getattr(company, name).to_csv(path, index=False, lineterminator="\n")
        paths[name] = str(path)
    return paths
