"""Synthetic companies: deterministic, sized as asked, and accepted by every command."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from compplan.cli import app
from compplan.inputs.synth import Size, make
from tests.conftest import PLANS


def test_same_seed_same_company() -> None:
    a, b, c = make(Size(60, 3000, seed=4)), make(Size(60, 3000, seed=4)), make(Size(60, 3000))
    pd.testing.assert_frame_equal(a.deals, b.deals)
    pd.testing.assert_frame_equal(a.roster, b.roster)
    assert not a.deals.equals(c.deals)


def test_size_splits_memos_and_cancellations() -> None:
    company = make(Size(200, 20000))
    deals = company.deals
    assert len(company.roster) == 200
    assert 18000 <= len(deals) <= 22000
    assert deals["deal_id"].duplicated().any()  # split deals
    assert (deals["amount"] < 0).any() and (deals["cancel_date"] != "").any()
    assert set(company.roster["plan"]) >= {"ae-2026", "sdr-2026", "mgr-2026", "kam-2026",
                                           "partner-2026"}


def test_synth_feeds_run_from_parquet(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["synth", "--payees", "40", "--deals", "2000", "--seed", "3",
                              "--out", str(tmp_path / "co"), "--format", "parquet"])
    assert res.exit_code == 0, res.output
    co = tmp_path / "co"
    res = runner.invoke(app, ["run", "--plans", str(PLANS), "--roster", str(co / "roster.parquet"),
                              "--deals", str(co / "deals.parquet"), "--quotas",
                              str(co / "quotas.parquet"), "--accounts",
                              str(co / "accounts.parquet"), "--year", "2026", "--out",
                              str(tmp_path / "out"), "--no-excel"])
    assert res.exit_code == 0, res.output
    payouts = pd.read_csv(tmp_path / "out" / "payouts.csv", dtype=str)
    assert payouts["payee_id"].nunique() >= 30


def test_run_writes_parquet_details(tmp_path: Path) -> None:
    runner = CliRunner()
    co = tmp_path / "co"
    assert runner.invoke(app, ["synth", "--payees", "30", "--deals", "800", "--out", str(co),
                               "--format", "csv"]).exit_code == 0
    base = ["run", "--plans", str(PLANS), "--roster", str(co / "roster.csv"), "--deals",
            str(co / "deals.csv"), "--quotas", str(co / "quotas.csv"), "--accounts",
            str(co / "accounts.csv"), "--year", "2026", "--no-excel"]
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "csv")]).exit_code == 0
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "pq"), "--format", "parquet"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == [
        "credits.parquet", "exceptions.parquet", "payouts.csv", "run.json"]
    credits = pd.read_parquet(tmp_path / "pq" / "credits.parquet")
    from_csv = pd.read_csv(tmp_path / "csv" / "credits.csv")
    assert len(credits) == len(from_csv)
    assert credits["amount"].sum() == from_csv["amount"].sum()
    assert (tmp_path / "pq" / "payouts.csv").read_text() == (
        tmp_path / "csv" / "payouts.csv").read_text()


def test_sample_territories_carry_the_plan_years_hire_dates() -> None:
    from compplan.inputs.sample import make_company

    for year in (2026, 2027):
        terr = make_company(7, year).territories
        dated = terr["start_date"][terr["start_date"] != ""]
        assert len(dated) > 0 and dated.str.startswith(str(year)).all()
