"""Synthetic companies of any size, deterministic for a seed, generated column-wise.

Roles are spread over the shipped plans (5 % managers, 55 % AEs, 15 % SDRs, 5 % KAMs,
10 % partners, 5 % inside sales, 5 % account managers); about 6 % of payees are hired
and 6 % leave during the year. Deals follow the quarterly seasonality of the reference
plans, 15 % of AE wins are split between two owners, 3 % are credit memos, 6 % of wins
are cancelled (some inside the 90-day clawback window, some after), 45 % are sourced
by an SDR, and each carries an account, a term and a deal type. A manager's quota is
the sum of the selling reports' (x 0.9 to 1.1). SDRs get monthly pipeline and meeting
quotas; each AE a territory with potential and last year.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROLES = (("MGR", "mgr-2026", 0.05), ("AE", "ae-2026", 0.55), ("SDR", "sdr-2026", 0.15),
         ("KAM", "kam-2026", 0.05), ("PARTNER", "partner-2026", 0.10),
         ("ISR", "inside-2026", 0.05), ("AM", "am-2026", 0.05))
PAY = {"MGR": (150_000, 60_000, 4_000_000), "AE": (90_000, 60_000, 800_000),
       "SDR": (55_000, 24_000, np.nan), "KAM": (110_000, 40_000, np.nan),
       "PARTNER": (np.nan, np.nan, np.nan), "ISR": (60_000, 30_000, 600_000),
       "AM": (85_000, 40_000, 300_000)}
SEASON = np.repeat([0.20, 0.25, 0.25, 0.30], 3) / 3
FIRST = np.array(["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jade",
                  "Kai", "Lena", "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tess",
                  "Uma", "Vik", "Wren", "Xia", "Yara", "Zed"])
LAST = np.array(["Okafor", "Lind", "Moreau", "Patel", "Rossi", "Kim", "Novak", "Silva", "Haas",
                 "Berg"])


@dataclass(frozen=True)
class SampleCompany:
    """The input tables of a company: what ``compplan run`` and ``quotas`` read."""

    roster: pd.DataFrame
    deals: pd.DataFrame
    quotas: pd.DataFrame
    accounts: pd.DataFrame
    territories: pd.DataFrame
    fx: pd.DataFrame | None = None  # exchange rates, when payees are paid in several


@dataclass(frozen=True)
class Size:
    payees: int
    deals: int
    year: int = 2026
    seed: int = 1


def _roster(rng: np.random.Generator, size: Size) -> pd.DataFrame:
    counts = np.maximum(1, np.round([share * size.payees for *_, share in ROLES])).astype(int)
    role = np.repeat([r for r, *_ in ROLES], counts)
    plan = np.repeat([p for _, p, _ in ROLES], counts)
    n = len(role)
    number = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts) + 1  # within role
    width = max(2, len(str(int(counts.max()))))
    ids = np.char.add(role.astype(str), np.char.zfill(number.astype(str), width))
    managers = ids[role == "MGR"]
    reports = np.isin(role, ["AE", "SDR", "ISR"])
    manager = np.where(reports, managers[np.arange(n) % len(managers)], "")
    y = size.year
    start = np.full(n, f"{y - 2}-01-01", dtype=object)
    hire = rng.random(n) < 0.06
    start[hire] = (np.datetime64(f"{y}-01-01") + rng.integers(0, 300, hire.sum())).astype(str)
    end = np.full(n, "", dtype=object)
    leave = (rng.random(n) < 0.06) & ~hire
    end[leave] = (np.datetime64(f"{y}-03-01") + rng.integers(0, 270, leave.sum())).astype(str)
    base, target, quota = (np.array([PAY[r][k] for r in role], dtype=float) for k in range(3))
    quota = np.round(quota * rng.uniform(0.9, 1.1, n), -3)
    # a manager's quota is the team's: the quotas of the reports who sell, x 0.9 to 1.1
    boss = pd.Index(ids).get_indexer(pd.Index(manager))
    sells = (boss >= 0) & ~np.isnan(quota)
    team = np.bincount(boss[sells], weights=quota[sells], minlength=n)
    is_mgr = role == "MGR"
    quota[is_mgr] = np.round(team[is_mgr] * rng.uniform(0.9, 1.1, int(is_mgr.sum())), -3)
    names = np.char.add(np.char.add(FIRST[np.arange(n) % len(FIRST)], " "),
                        LAST[(np.arange(n) * 7 + np.arange(n) // len(FIRST)) % len(LAST)])
    return pd.DataFrame({"payee_id": ids, "name": names, "role": role,
                         "plan": plan, "manager_id": manager, "start_date": start,
                         "end_date": end, "base_salary": base, "target_incentive": target,
                         "quota": quota})


def _deals(rng: np.random.Generator, roster: pd.DataFrame, accounts: pd.DataFrame,
           size: Size) -> pd.DataFrame:
    role = roster["role"].to_numpy()
    selling = np.isin(role, ["AE", "PARTNER", "ISR", "AM"])
    sellers = roster["payee_id"].to_numpy()[selling]
    seller_is_ae = role[selling] == "AE"
    aes = roster["payee_id"].to_numpy()[role == "AE"]
    sdrs = roster["payee_id"].to_numpy()[role == "SDR"]
    n = max(1, int(size.deals / 1.06))  # split wins add about 6 % rows
    month = rng.choice(12, size=n, p=SEASON)
    close = (np.datetime64(f"{size.year}-01", "M") + month).astype("datetime64[D]") + \
        rng.integers(0, 28, n)
    stage = rng.choice(["Closed Won", "Closed Lost", "Qualified", "Disqualified"], n,
                       p=[0.55, 0.25, 0.12, 0.08])
    won = stage == "Closed Won"
    amount = np.round(rng.lognormal(10.4, 0.7, n), 2)
    amount = np.where(rng.random(n) < 0.03, -np.round(amount * 0.2, 2), amount)
    cancel = np.where(won & (rng.random(n) < 0.06),
                      (close + rng.integers(5, 140, n)).astype(str), "")
    owner_idx = rng.integers(0, len(sellers), n)
    owner = sellers[owner_idx]
    deal_id = np.char.add("D", np.char.zfill(np.arange(n).astype(str), 9))
    deals = pd.DataFrame({
        "deal_id": deal_id, "owner_id": owner, "split_pct": np.nan, "amount": amount,
        "margin": np.round(amount * rng.uniform(0.25, 0.6, n), 2), "stage": stage,
        "created_date": (close - rng.integers(10, 120, n)).astype(str),
        "close_date": np.where(np.isin(stage, ["Closed Won", "Closed Lost"]), close.astype(str),
                               ""),
        "cancel_date": cancel, "term_months": rng.choice([12, 24, 36], n, p=[0.6, 0.25, 0.15]),
        "account_id": rng.choice(accounts["account_id"].to_numpy(), n),
        "sdr_id": np.where(rng.random(n) < 0.45, rng.choice(sdrs, n), ""),
        "deal_type": rng.choice(["new", "expansion", "renewal", "upsell", "internal"], n,
                                p=[0.45, 0.2, 0.25, 0.07, 0.03])})
    split = won & seller_is_ae[owner_idx] & (rng.random(n) < 0.15)
    first = deals[split].assign(split_pct=0.6)
    second = deals[split].assign(owner_id=rng.choice(aes, int(split.sum())), split_pct=0.4)
    rows: pd.DataFrame = pd.concat([deals[~split], first, second], ignore_index=True)
    return rows.sort_values(["deal_id", "split_pct"], kind="stable").reset_index(drop=True)


def make(size: Size) -> SampleCompany:
    """A company of ``size.payees`` payees and about ``size.deals`` deal rows."""
    rng = np.random.default_rng(size.seed)
    roster = _roster(rng, size)
    kams = roster["payee_id"].to_numpy()[roster["role"].to_numpy() == "KAM"]
    count = max(10, size.payees * 3)
    accounts = pd.DataFrame({
        "account_id": np.char.add("ACC", np.char.zfill(np.arange(count).astype(str), 7)),
        "kam_id": np.where(np.arange(count) % 3 == 0, kams[np.arange(count) % len(kams)], ""),
        "class": rng.choice(["A", "B", "C"], count, p=[0.2, 0.3, 0.5])})
    deals = _deals(rng, roster, accounts, size)
    sdrs = roster["payee_id"].to_numpy()[roster["role"].to_numpy() == "SDR"]
    months = [f"{size.year}-{m:02d}" for m in range(1, 13)]
    quotas = pd.DataFrame({
        "payee_id": np.repeat(sdrs, 24), "measure": np.tile(np.repeat(["pipeline", "meetings"],
                                                                      12), len(sdrs)),
        "period": np.tile(months * 2, len(sdrs)),
        "quota": np.tile(np.repeat([220_000.0, 6.0], 12), len(sdrs))})
    ae = roster[roster["role"] == "AE"]
    territories = pd.DataFrame({
        "territory_id": np.char.add("TER-", ae["payee_id"].to_numpy().astype(str)),
        "payee_id": ae["payee_id"].to_numpy(),
        "potential": np.round(ae["quota"].to_numpy() * rng.uniform(1.6, 3.0, len(ae)), -3),
        "last_year": np.round(ae["quota"].to_numpy() * rng.uniform(0.75, 1.05, len(ae)), -3)})
    return SampleCompany(roster, deals, quotas, accounts[accounts["kam_id"] != ""]
                         .reset_index(drop=True), territories)


def _with_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as Parquet dates, as a warehouse export has them (CSV keeps text)."""
    dates = {col: pd.to_datetime(frame[col].replace("", None), format="%Y-%m-%d")
             for col in frame.columns if col.endswith("_date")}
    return frame.assign(**dates)


def write(company: SampleCompany, out: Path, formats: tuple[str, ...] = ("csv", "parquet")
          ) -> list[Path]:
    """Write every table in each format, all at once or not at all; returns the files."""
    from compplan.core.atomic import Writer, write_atomically  # noqa: PLC0415 - heavy, rare

    def csv(frame: pd.DataFrame) -> Writer:
        return lambda path: frame.to_csv(path, index=False)

    def parquet(frame: pd.DataFrame) -> Writer:
        return lambda path: _with_dates(frame).to_parquet(path, index=False)

    writers: dict[str, Writer] = {}
    for name in ("roster", "deals", "quotas", "accounts", "territories", "fx"):
        frame: pd.DataFrame | None = getattr(company, name)
        if frame is None:
            continue
        if "csv" in formats:
            writers[f"{name}.csv"] = csv(frame)
        if "parquet" in formats:
            writers[f"{name}.parquet"] = parquet(frame)
    return write_atomically(out, writers)
