"""Quota proration options for a mid-year hire: a year quota that is the sum of the
prorated quarter quotas (and year-to-date quotas that add up to them), and proration by
whole months; and the notice ``validate`` gives a plan relying on a changed default."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.api import evaluate
from compplan.cli import app
from compplan.engine.components import Context
from compplan.result import Result
from tests.conftest import bookings_measure, deal, person, plan_folder

runner = CliRunner()


def plan(tmp_path: Path, quota_options: str, commission: str = "") -> Path:
    return plan_folder(tmp_path, f"""
plan: p
{bookings_measure("    clawback: {within_days: 90}")}quotas:
  bookings:
    source: roster
    seasonality: {{quarters: [0.20, 0.25, 0.25, 0.30]}}
{quota_options}
components:
  - id: commission
    kind: commission
    measure: bookings
    basis: attainment
    period: ytd
    target: {{column: target_incentive}}
    schedule: {{mode: marginal, tiers: [{{from: 0, rate: 1.0}}]}}
{commission}""", "p.yaml")


def hire(folder: Path, start: str) -> Result:
    roster = pd.DataFrame([person("H", "p", start_date=start, quota=100000,
                                  target_incentive=10000)])
    return evaluate(folder, roster, pd.DataFrame([deal("D1", "H", 50000, "2026-06-10")]), 2026)


def quotas(r: Result, period: str) -> list[float]:
    pr = r.by_plan["p"]
    q = Context(pr.frame, r.inputs).quota("bookings", period)
    return [round(float(v), 2) for v in np.broadcast_to(q, (1, q.shape[1]))[0]]


def test_default_year_quota_is_annual_times_year_proration(tmp_path: Path) -> None:
    # start 1 March: 306 of 365 days; Q1 holds 31 of its 90 days.
    r = hire(plan(tmp_path, ""), "2026-03-01")
    assert quotas(r, "year") == [83835.62]
    assert quotas(r, "quarter") == [6888.89, 25000.0, 25000.0, 30000.0]  # sum 86,888.89


def test_year_quota_as_the_sum_of_prorated_quarters_and_ytd_adding_up(tmp_path: Path) -> None:
    r = hire(plan(tmp_path, "    year_quota: sum_of_quarters"), "2026-03-01")
    assert quotas(r, "year") == [86888.89]
    # YTD: nothing before the start, Q1's 6,888.89 by March, then a third of Q2 a month
    assert quotas(r, "ytd") == [0.0, 0.0, 6888.89, 15222.22, 23555.56, 31888.89, 40222.22,
                                48555.56, 56888.89, 66888.89, 76888.89, 86888.89]
    # June: 50,000 / 31,888.89 = 156.79 % of 10,000 x 306/365 target
    assert r.explain("H", "2026-06").count("quota: 31,888.89") == 1


def test_proration_by_whole_months(tmp_path: Path) -> None:
    # start 15 March: March is not a whole month; April to December are (9 of 12).
    r = hire(plan(tmp_path, "    prorate: months"), "2026-03-15")
    assert quotas(r, "year") == [75000.0]
    assert quotas(r, "quarter") == [0.0, 25000.0, 25000.0, 30000.0]
    assert quotas(r, "month")[:4] == [0.0, 0.0, 0.0, 8333.33]
    r = hire(plan(tmp_path / "b", "    prorate: months\n    year_quota: sum_of_quarters"),
             "2026-03-15")
    assert quotas(r, "year") == [80000.0]


def test_a_file_quota_refuses_year_quota(tmp_path: Path) -> None:
    folder = plan(tmp_path, "    year_quota: sum_of_quarters")
    text = (folder / "p.yaml").read_text().replace("source: roster", "source: file")
    (folder / "p.yaml").write_text(text)
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 2 and "year_quota applies to an annual amount" in res.output


@pytest.mark.parametrize(("extra", "noticed"), [("", True), ("    clawbacks: reverse\n", False),
                                                ("    clawbacks: net\n", False)])
def test_validate_gives_notice_of_the_changed_clawback_rule(tmp_path: Path, extra: str,
                                                            noticed: bool) -> None:
    folder = plan(tmp_path, "", """  - id: quarterly
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    schedule: {mode: retroactive, tiers: [{from: 0, rate: 0.05}]}
""" + extra)
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 0
    said = ("notice: " in res.output and "components[1].period: since compplan 0.2 a clawback"
            in res.output and "set clawbacks: net" in res.output)
    assert said == noticed, res.output


def test_clawbacks_net_keeps_the_old_rule(tmp_path: Path) -> None:
    folder = plan(tmp_path, "", """  - id: quarterly
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    clawbacks: net
    schedule: {mode: retroactive, tiers: [{from: 0, rate: 0.05}]}
""")
    roster = pd.DataFrame([person("H", "p", quota=100000, target_incentive=0)])
    deals = pd.DataFrame([deal("D1", "H", 50000, "2026-03-10", cancel_date="2026-04-10"),
                          deal("D2", "H", 80000, "2026-05-10")])
    r = evaluate(folder, roster, deals, 2026)
    # net: Q2 = 80,000 - 50,000 = 30,000 x 5 % = 1,500 (reverse would pay 4,000 - 2,500)
    p = r.payouts
    got = dict(zip(p[p["component"] == "quarterly"]["period"],
                   p[p["component"] == "quarterly"]["amount"], strict=True))
    assert got == {"2026-03": "2500.00", "2026-06": "1500.00"}
