"""Quota planning on hand-computed cases: the LP, rounding, overrides, ramp, seasonality,
the infeasible cases, SMART, and quotas.csv driving compplan run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compplan.cli import app
from compplan.errors import InfeasibleError
from compplan.inputs.ingest import table_from_frame
from compplan.quotas.params import QuotaParams
from compplan.quotas.planner import QuotaPlan, plan
from compplan.quotas.seasonality import profile
from compplan.quotas.territories import prepare
from tests.conftest import PLANS, deal, person

BASE = {"target": 1_000_000, "over_assignment": 0.1, "alpha": 0.5, "growth_min": -0.1,
        "growth_max": 0.4, "max_penetration": 1.0, "round_to": 1000, "seasonality": "flat"}


def territories(**extra: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame({"territory_id": ["T1", "T2", "T3"], "payee_id": ["A", "B", "C"],
                          "potential": [1_000_000, 2_000_000, 1_000_000],
                          "last_year": [300_000, 300_000, 400_000]})
    for key, values in extra.items():
        frame[key] = values
    return frame


def run_plan(frame: pd.DataFrame, overrides: pd.DataFrame | None = None,
             history: pd.DataFrame | None = None, **params: Any) -> QuotaPlan:
    terr = prepare(table_from_frame(frame, "territories"),
                   table_from_frame(overrides, "overrides") if overrides is not None else None)
    return plan(terr, QuotaParams(**{**BASE, **params}), history)


def annual(p: QuotaPlan) -> list[float]:
    return p.allocation.months.sum(axis=1).tolist()


def test_lp_meets_the_target_closest_to_the_blend() -> None:
    p = run_plan(territories())
    # ideal 302,500 / 440,000 / 357,500; T2 capped at 420,000 (last year x 1.4); the 20,000
    # left goes where a unit costs least relative to its ideal: T3 (1/357,500 < 1/302,500)
    assert p.solution.status == "Optimal"
    assert p.bounds.ideal.tolist() == pytest.approx([302_500, 440_000, 357_500])
    assert p.solution.values.tolist() == pytest.approx([302_500, 420_000, 377_500])
    # round to 1,000 by largest remainder: .5/.5 tie goes to the first
    assert annual(p) == [303_000, 420_000, 377_000]
    # flat months: 377,000 / 12 = 31,416.67 -> eight months of 31,417 and four of 31,416
    assert p.allocation.months[2].tolist() == [31_417] * 8 + [31_416] * 4
    assert p.allocation.months[0].tolist() == [25_250] * 12


def test_quotas_csv_has_year_quarters_and_months() -> None:
    q = run_plan(territories()).quotas()
    t1 = q[q["territory_id"] == "T1"].set_index("period")["quota"]
    assert (t1["2026"], t1["2026-Q1"], t1["2026-03"]) == ("303000.00", "75750.00", "25250.00")
    assert len(q) == 3 * 17


def test_override_is_locked_and_the_rest_reoptimised() -> None:
    fixed = pd.DataFrame({"territory_id": ["T1"], "quota": [350_000],
                          "reason": ["strategic account"]})
    p = run_plan(territories(), overrides=fixed)
    # T3 would go back to its ideal 357,500 but its floor is 400,000 x 0.9 = 360,000;
    # T2 takes the rest: 1,100,000 - 350,000 - 360,000 = 390,000
    assert p.solution.values.tolist() == pytest.approx([350_000, 390_000, 360_000])
    assert annual(p) == [350_000, 390_000, 360_000]
    reasons = p.smart[p.smart["territory_id"] == "T1"]["override_reason"].unique().tolist()
    assert reasons == ["strategic account"]


def test_ramp_gives_no_quota_before_the_hire_and_reports_the_shortfall() -> None:
    frame = territories(start_date=["", "2026-03-15", ""])
    p = run_plan(frame, ramp=[0.25, 0.5, 0.75])
    months = p.allocation.months[1].tolist()
    assert months == [0, 0, 8_750, 17_500, 26_250] + [35_000] * 7
    assert p.allocation.shortfall.tolist() == pytest.approx([0, 122_500, 0])
    smart = p.smart.set_index(["territory_id", "check"])
    assert smart.loc[("T2", "none before hire"), "passed"]


def test_ramp_shortfall_can_be_redistributed() -> None:
    p = run_plan(territories(start_date=["", "2026-03-15", ""]), ramp=[0.25, 0.5, 0.75],
                 ramp_redistribute=True)
    assert p.allocation.months[1].sum() == 420_000
    assert p.allocation.months[1][:2].tolist() == [0, 0]


@pytest.mark.parametrize(("params", "message"), [
    ({"growth_max": 0.0}, "the ceilings add up to 1,000,000, below the target x "
     "(1 + over-assignment) = 1,100,000 by 100,000; ceilings set by growth_max on 3"),
    ({"growth_min": 0.2}, "the floors (last year x (1 + growth_min), and overrides) add up "
     "to 1,200,000, above the target x (1 + over-assignment) = 1,100,000 by 100,000"),
])
def test_infeasible_bounds_say_which_side_binds(params: dict[str, float], message: str) -> None:
    with pytest.raises(InfeasibleError) as err:
        run_plan(territories(), **params)
    assert message in str(err.value)


def test_smart_report_explains_each_quota() -> None:
    p = run_plan(territories())
    s = p.smart.set_index(["territory_id", "check"])
    assert set(p.smart["criterion"]) == {"specific", "measurable", "achievable", "relevant",
                                         "time_bound"}
    assert s.loc[("T2", "within floor and ceiling"), "detail"] == (
        "270,000 <= 420,000 <= 420,000 (growth_max)")
    # T2's quota share 38.2 % is far from its potential share 50 %
    assert not s.loc[("T2", "share vs potential share"), "passed"]
    assert s.loc[("T1", "share vs potential share"), "passed"]
    assert s.loc[("T1", "sum equals target"), "passed"]


def test_seasonality_short_history_is_shrunk_towards_flat() -> None:
    idx = pd.period_range("2025-01", periods=12, freq="M")
    shares = profile(pd.Series([300.0] + [100.0] * 11, index=idx))
    # share 300/1,400 shrunk half-way (12 of 24 months) towards 1/12
    assert shares[0] == pytest.approx(0.5 * 300 / 1400 + 0.5 / 12)
    assert shares[1] == pytest.approx(0.5 * 100 / 1400 + 0.5 / 12)
    assert shares.sum() == pytest.approx(1.0)


def test_seasonality_long_history_uses_ratio_to_moving_average() -> None:
    pattern = np.array([2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3], dtype=float)
    idx = pd.period_range("2023-01", periods=36, freq="M")
    shares = profile(pd.Series(np.tile(pattern, 3) * 1000, index=idx))
    assert shares.tolist() == pytest.approx((pattern / pattern.sum()).tolist(), rel=1e-9)


def test_auto_seasonality_from_history_with_pooling() -> None:
    rows = [{"territory_id": "T1", "amount": 300.0 if m == 1 else 100.0,
             "close_date": pd.Timestamp(f"2025-{m:02d}-15"), "stage": "Closed Won"}
            for m in range(1, 13)]
    rows.append({"territory_id": "T2", "amount": 50.0, "close_date": pd.Timestamp("2025-06-01"),
                 "stage": "Closed Won"})
    p = run_plan(territories(), history=pd.DataFrame(rows), seasonality="auto")
    assert p.seasonality_source.tolist() == ["own history", "pooled", "pooled"]
    assert p.seasonality[0][0] == pytest.approx(0.5 * 300 / 1400 + 0.5 / 12)
    assert annual(p) == pytest.approx(p.allocation.annual.tolist())  # months add up


@settings(max_examples=int(os.environ.get("QUOTA_EXAMPLES", "30")), deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10**7), st.integers(0, 10**6)), min_size=1,
                max_size=12), st.floats(0.0, 0.3), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_random_feasible_plans_sum_exactly_within_bounds(rows: list[tuple[int, int]], o: float,
                                                         alpha: float, where: float) -> None:
    last = np.array([r[1] for r in rows], dtype=float)
    # a potential of at least a quarter of last year keeps each territory's own bounds
    # from crossing (that is a separate error): 0.5 x last <= 2 x potential
    pot = np.maximum(np.array([r[0] for r in rows], dtype=float), np.ceil(last / 4))
    lower = np.where(last > 0, last * 0.5, 0.0)
    upper = np.minimum(np.where(last > 0, last * 3.0, np.inf), 2.0 * pot)
    assert (lower <= upper).all()
    total = lower.sum() + where * (upper.sum() - lower.sum())  # feasible by construction
    frame = pd.DataFrame({"territory_id": [f"T{i}" for i in range(len(rows))],
                          "payee_id": [f"P{i}" for i in range(len(rows))],
                          "potential": pot, "last_year": last})
    p = run_plan(frame, target=max(total, 1.0) / (1 + o), over_assignment=o, alpha=alpha,
                 growth_min=-0.5, growth_max=2.0, max_penetration=2.0, round_to=1)
    assert p.allocation.months.sum() == round(p.bounds.total)
    assert (p.allocation.months.sum(axis=1) >= p.bounds.lower - 1).all()
    assert (p.allocation.months.sum(axis=1) <= p.bounds.upper + 1).all()


def test_cli_quotas_feed_compplan_run(tmp_path: Path) -> None:
    terr = tmp_path / "territories.csv"
    pd.DataFrame({"territory_id": ["TS"], "payee_id": ["S"], "potential": [1_200_000],
                  "last_year": [1_200_000]}).to_csv(terr, index=False)
    plan_file = tmp_path / "q.yaml"
    plan_file.write_text("quota_plan: sdr pipeline\nmeasure: pipeline\nround_to: 12000\n"
                         "seasonality: flat\nramp: []\n")
    runner = CliRunner()
    res = runner.invoke(app, ["quotas", "--territories", str(terr), "--plan-file", str(plan_file),
                              "--target", "1200000", "--out", str(tmp_path / "q")])
    assert res.exit_code == 0, res.output
    quotas = pd.read_csv(tmp_path / "q" / "quotas.csv")
    assert quotas[quotas["period"] == "2026-01"]["quota"].tolist() == [100_000]
    smart = pd.read_csv(tmp_path / "q" / "smart.csv")
    assert set(smart["territory_id"]) == set(quotas["territory_id"]) and len(smart) > 0
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "q" / "quota_plan.xlsx", read_only=True)
    assert {"Quotas", "Seasonality", "SMART", "Solver"} <= set(book.sheetnames)
    solver = {row[0]: row[1] for row in book["Solver"].iter_rows(min_row=2, values_only=True)}
    assert solver["sum of quotas"] == 1_200_000 and solver["territories"] == 1  # numbers
    assert isinstance(solver["objective"], int | float) and isinstance(solver["status"], str)
    import zipfile

    with zipfile.ZipFile(tmp_path / "q" / "quota_plan.xlsx") as z:
        (chart,) = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    from lxml import etree

    smooth = [e.get("val") for e in etree.fromstring(chart).iter("{*}smooth")]
    assert smooth == ["0"]  # monthly shares drawn as straight segments
    pd.DataFrame([person("S", "sdr-2026", target_incentive=24000)]).to_csv(
        tmp_path / "roster.csv", index=False)
    pd.DataFrame([deal("D1", "S", 60000, "", created_date="2026-01-10", sdr_id="S",
                       stage="Qualified")]).to_csv(tmp_path / "deals.csv", index=False)
    res = runner.invoke(app, ["run", "--plans", str(PLANS), "--roster",
                              str(tmp_path / "roster.csv"), "--deals", str(tmp_path / "deals.csv"),
                              "--quotas", str(tmp_path / "q" / "quotas.csv"), "--year", "2026",
                              "--out", str(tmp_path / "out"), "--no-excel"])
    assert res.exit_code == 0, res.output
    payouts = pd.read_csv(tmp_path / "out" / "payouts.csv", dtype=str)
    # pipeline 60,000 / 100,000 -> 0.6 x 2,000 x 0.6
    assert payouts[payouts["component"] == "pipeline_incentive"]["amount"].tolist() == ["720.00"]


def test_cli_infeasible_exits_4_with_the_numbers(tmp_path: Path) -> None:
    terr = tmp_path / "territories.csv"
    territories().to_csv(terr, index=False)
    res = CliRunner().invoke(app, ["quotas", "--territories", str(terr), "--target", "1000000",
                                   "--over-assignment", "0.1", "--growth-max", "0",
                                   "--out", str(tmp_path / "q")])
    assert res.exit_code == 4
    assert "below the target x (1 + over-assignment) = 1,100,000 by 100,000" in res.output
    assert not (tmp_path / "q").exists()


def test_smart_checks_the_measure_against_each_payees_plan() -> None:
    p = run_plan(territories())
    unchecked = p.smart[p.smart["check"] == "measure in the payee's plan"]
    assert set(unchecked["detail"]) == {"not checked: give --plans and --roster"}
    terr = prepare(table_from_frame(territories(), "territories"), None)
    checked = plan(terr, QuotaParams(**BASE), None,
                   {"A": {"bookings"}, "B": {"pipeline", "meetings"}})
    rows = checked.smart[checked.smart["check"] == "measure in the payee's plan"]
    assert rows.set_index("territory_id")["passed"].to_dict() == {"T1": True, "T2": False,
                                                                  "T3": False}
    assert rows.set_index("territory_id").loc["T3", "detail"] == "payee C is not in the roster"


def test_quota_plan_file_is_validated_with_the_plans(tmp_path: Path) -> None:
    (tmp_path / "q.yaml").write_text("quota_plan: x\nalpha: 2\n")
    res = CliRunner().invoke(app, ["validate", str(tmp_path / "q.yaml")])
    assert res.exit_code == 2 and "q.yaml:2: alpha: Input should be less than or equal to 1" in (
        res.output)


def test_a_huge_potential_is_a_located_error_not_an_overflow(tmp_path: Path) -> None:
    """The fuzzer's example: two territories of potential 1e308 summed to infinity."""
    frame = territories()
    frame["potential"] = frame["potential"].astype(float)
    frame.loc[[0, 1], "potential"] = 1e308
    path = tmp_path / "territories.csv"
    frame.to_csv(path, index=False)
    res = CliRunner().invoke(app, ["quotas", "--territories", str(path), "--target", "1000000",
                                   "--out", str(tmp_path / "q")])
    assert res.exit_code == 2, res.output
    assert "territories.csv: row 2, potential: 1e+308 is outside 0..1e+12" in res.output
    assert not (tmp_path / "q").exists()
