"""``compplan estimate``: what one more deal would pay, against hand-computed values,
and equal to a run with the deal added to the export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.api import evaluate
from compplan.cli import app
from compplan.errors import InputError
from compplan.plan.load import load_plans
from compplan.scenarios.estimate import estimate
from tests.conftest import bookings_measure, deal, person, plan_folder

TIERED = f"""
plan: est
{bookings_measure()}components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: month
    schedule: {{mode: marginal, tiers: [{{from: 0, rate: 0.05}}, {{from: 10000, rate: 0.10}}]}}
"""
CAPPED = TIERED + "    cap: {amount: 600, per: period}\n"
GATED = f"""
plan: est
{bookings_measure()}quotas:
  bookings: {{source: roster, column: quota}}
components:
  - id: bonus
    kind: bonus
    period: year
    amount: 1000
    condition: {{measure: bookings, at_least: 1.0}}
"""


def case(tmp_path: Path, plan: str, deals: list[dict[str, object]], **who: object
         ) -> tuple[dict[str, object], pd.DataFrame, pd.DataFrame]:
    folder = plan_folder(tmp_path, plan)
    roster = pd.DataFrame([person("A", "est", start_date="2026-01-01", **who)])
    return load_plans(folder), roster, pd.DataFrame(deals)


def change(tmp_path: Path, plan: str, deals: list[dict[str, object]], amount: float,
           date: str, **who: object) -> list[list[object]]:
    plans, roster, frame = case(tmp_path, plan, deals, **who)
    base = evaluate(plans, roster, frame, 2026)
    found = estimate(plans, base.inputs, 2026, "A", amount, date, base=base)  # type: ignore[arg-type]
    return found.lines[["period", "component", "change"]].values.tolist()


def test_a_deal_that_crosses_a_tier(tmp_path: Path) -> None:
    """March: 8,000 booked pays 5 % = 400. Another 5,000 makes 13,000: 5 % of 10,000 +
    10 % of 3,000 = 800, so the deal earns 400.00 (250.00 at the first tier's rate)."""
    assert change(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")], 5_000,
                  "2026-03-20") == [["2026-03", "commission", 40_000]]


def test_a_deal_that_hits_the_cap(tmp_path: Path) -> None:
    """The same deal under a 600 monthly cap: 400 -> 600, so 200.00."""
    assert change(tmp_path, CAPPED, [deal("D1", "A", 8_000, "2026-03-05")], 5_000,
                  "2026-03-20") == [["2026-03", "commission", 20_000]]


def test_a_deal_that_opens_a_gate(tmp_path: Path) -> None:
    """100,000 booked of a 120,000 quota (83 %): no bonus. 30,000 more makes 108 %: the
    year-end bonus of 1,000.00."""
    deals = [deal("D1", "A", 100_000, "2026-02-05")]
    assert change(tmp_path, GATED, deals, 30_000, "2026-10-01", quota=120_000) == [
        ["2026-12", "bonus", 100_000]]
    assert change(tmp_path / "b", GATED, deals, 10_000, "2026-10-01", quota=120_000) == []


def test_a_deal_after_a_leavers_end_date_pays_nothing(tmp_path: Path) -> None:
    assert change(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")], 5_000,
                  "2026-09-15", end_date="2026-06-30") == []


def test_the_estimate_equals_a_run_with_the_deal_in_the_export(tmp_path: Path) -> None:
    plans, roster, frame = case(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05"),
                                                   deal("D2", "A", 2_000, "2026-07-05")])
    base = evaluate(plans, roster, frame, 2026)
    found = estimate(plans, base.inputs, 2026, "A", 9_000, "2026-07-20", base=base)  # type: ignore[arg-type]
    added = pd.concat([frame, pd.DataFrame([deal("X", "A", 9_000, "2026-07-20")])],
                      ignore_index=True)
    rerun = evaluate(plans, roster, added, 2026)
    merged = base.lines.merge(rerun.lines, on=["payee_id", "plan", "component", "period"],
                              how="outer", suffixes=("_before", "_after")).fillna(0)
    moved = merged[merged["cents_after"] != merged["cents_before"]]
    assert (moved["cents_after"] - moved["cents_before"]).astype(int).tolist() == \
        found.lines["change"].tolist() == [50_000]  # July: 2,000 pays 100; 11,000 pays 500 + 100


def test_the_command_prints_the_change_and_refuses_an_unknown_column(tmp_path: Path) -> None:
    _, roster, frame = case(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")])
    roster.to_csv(tmp_path / "roster.csv", index=False)
    frame.to_csv(tmp_path / "deals.csv", index=False)
    args = ["estimate", "--plans", str(tmp_path / "plans"), "--roster",
            str(tmp_path / "roster.csv"), "--deals", str(tmp_path / "deals.csv"),
            "--year", "2026", "--payee", "A", "--amount", "5000", "--date", "2026-03-20"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "A: 400.00 USD in 2026 if the deal closes" in res.output
    bad = CliRunner().invoke(app, [*args, "--set", "colour=red"])
    assert bad.exit_code == 2 and "no column 'colour'" in bad.output
    with pytest.raises(InputError):
        base = evaluate(load_plans(tmp_path / "plans"), roster, frame, 2026)
        estimate(base.plans, base.inputs, 2026, "Z", 1.0, "2026-03-01", base=base)


def test_the_public_api_gives_the_same_change(tmp_path: Path) -> None:
    import compplan

    plans, roster, frame = case(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")])
    result = compplan.evaluate(plans, roster, frame, 2026)  # type: ignore[arg-type]
    lines = compplan.estimate_deal(result, "A", 5_000, "2026-03-20")
    assert lines[["payee_id", "period", "before", "after", "change"]].values.tolist() == [
        ["A", "2026-03", 40_000, 80_000, 40_000]]
