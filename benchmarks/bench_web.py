"""Web app benchmark: how long each page takes to render for a large company.

    python benchmarks/bench_web.py          # 10,000 payees, 500,000 deal lines
    python benchmarks/bench_web.py --tiny   # CI smoke size

The company is ``compplan synth``'s, evaluated once when the app starts (``start`` s);
then each page is requested 20 times through FastAPI's test client as a finance user
(who sees everyone), and the median and slowest milliseconds are printed. The goal is
every page under 300 ms: lists are paginated on the server (100 rows a page).
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
from bench_engine import company
from fastapi.testclient import TestClient

from compplan.commands.demo import default_plans
from compplan.ledger.store import open_ledger
from compplan.web.app import create_app
from compplan.web.company import Company
from compplan.web.config import load_config
from compplan.web.serve import demo_config
from compplan.web.users import add_user

PASSWORD = "benchmark password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tiny", action="store_true", help="smoke size for CI")
    args = parser.parse_args()
    payees, lines = (40, 4_000) if args.tiny else (10_000, 500_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "input").mkdir()
        for name, frame in company(payees, lines).items():
            frame.to_csv(folder / "input" / f"{name}.csv", index=False)
        config = load_config(demo_config(folder, 2026, default_plans(), fx=False,
                                         quota_review=False))
        add_user(open_ledger(config.ledger), "finance@bench.example", "finance", None,
                 PASSWORD)
        start = time.perf_counter()
        loaded = Company.load(config)
        started = time.perf_counter() - start
        client = TestClient(create_app(config, loaded), follow_redirects=False)
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
        assert token is not None
        client.post("/login", data={"email": "finance@bench.example", "password": PASSWORD,
                                    "csrf": token.group(1)})
        someone = str(loaded.result.seats["payee_id"].iloc[len(loaded.result.seats) // 2])
        pages = ["/team", "/team?offset=5000", "/team?q=AE01", f"/payees/{someone}",
                 f"/payees/{someone}?period=2026-06", "/finance", "/payroll", "/audit",
                 "/inquiries"]
        rows = []
        for path in pages:
            times = []
            for _ in range(20):
                t = time.perf_counter()
                res = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert res.status_code == 200, (path, res.status_code)
            rows.append({"page": path.replace(someone, "<payee>"), "median_ms":
                         statistics.median(times), "max_ms": max(times)})
    print(f"payees {len(loaded.result.seats):,}, credits {len(loaded.result.credit_rows):,}, "
          f"start {started:.1f} s")
    table = pd.DataFrame(rows)
    table["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))


if __name__ == "__main__":
    main()
