"""Engine benchmark: load, evaluate and write at several sizes; prints a table.

    python benchmarks/bench_engine.py                 # 1,000 payees x 100k and 500k lines
    python benchmarks/bench_engine.py --tiny          # CI smoke size

Peak memory is the process's maximum resident set size (ru_maxrss) after each size.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from compplan.engine import evaluate
from compplan.inputs import load_inputs
from compplan.loader import load_plans
from compplan.outputs import run_writers, write_atomically

PLANS = Path(__file__).resolve().parent.parent / "plans"


def company(payees: int, lines: int, seed: int = 1) -> dict[str, pd.DataFrame]:
    """A company of AEs (80 %), partners, KAMs and managers with ``lines`` deal rows."""
    rng = np.random.default_rng(seed)
    n_mgr = max(1, payees // 20)
    n_kam = max(1, payees // 20)
    n_partner = max(1, payees // 10)
    n_ae = payees - n_mgr - n_kam - n_partner
    ids = ([f"M{i}" for i in range(n_mgr)] + [f"A{i}" for i in range(n_ae)]
           + [f"K{i}" for i in range(n_kam)] + [f"P{i}" for i in range(n_partner)])
    plan = (["mgr-2026"] * n_mgr + ["ae-2026"] * n_ae + ["kam-2026"] * n_kam
            + ["partner-2026"] * n_partner)
    roster = pd.DataFrame({
        "payee_id": ids, "plan": plan,
        "manager_id": [""] * n_mgr + [f"M{i % n_mgr}" for i in range(n_ae)]
        + [""] * (n_kam + n_partner),
        "start_date": "2024-01-01",
        "end_date": np.where(rng.random(payees) < 0.05, "2026-08-31", ""),
        "base_salary": 100000, "target_incentive": 50000, "quota": 1000000,
    })
    sellers = np.array(ids[n_mgr:n_mgr + n_ae] + ids[-n_partner:])
    day = np.datetime64("2026-01-01") + rng.integers(0, 365, lines)
    cancel = np.where(rng.random(lines) < 0.05,
                      (day + rng.integers(1, 150, lines)).astype(str), "")
    accounts = pd.DataFrame({"account_id": [f"C{i}" for i in range(payees * 5)],
                             "kam_id": [ids[n_mgr + n_ae + i % n_kam] for i in range(payees * 5)],
                             "class": rng.choice(["A", "B", "C"], payees * 5)})
    deals = pd.DataFrame({
        "deal_id": [f"D{i}" for i in range(lines)],
        "owner_id": rng.choice(sellers, lines),
        "split_pct": "",
        "amount": np.round(rng.lognormal(9.5, 1.0, lines), 2),
        "margin": np.round(rng.lognormal(8.5, 1.0, lines), 2),
        "stage": rng.choice(["Closed Won", "Closed Lost"], lines, p=[0.7, 0.3]),
        "created_date": (day - 30).astype(str),
        "close_date": day.astype(str),
        "cancel_date": cancel,
        "term_months": rng.choice([12, 24, 36], lines),
        "account_id": rng.choice(accounts["account_id"].to_numpy(), lines),
        "sdr_id": "",
    })
    return {"roster": roster, "deals": deals, "accounts": accounts}


def measure(payees: int, lines: int, folder: Path) -> dict[str, float]:
    tables = company(payees, lines)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    plans = load_plans(PLANS)
    t0 = time.perf_counter()
    inputs = load_inputs(folder / "roster.csv", folder / "deals.csv",
                         accounts=folder / "accounts.csv")
    t1 = time.perf_counter()
    result = evaluate(plans, inputs, 2026)
    t2 = time.perf_counter()
    write_atomically(folder / "out", run_writers(result))
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"payees": payees, "lines": lines, "credits": len(result.credits),
            "load_s": t1 - t0, "engine_s": t2 - t1, "write_s": t3 - t2, "peak_mib": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    sizes = [(40, 2000)] if args.tiny else [(1000, 100_000), (1000, 500_000)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for payees, lines in sizes:
            rows.append(measure(payees, lines, Path(tmp)))
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
