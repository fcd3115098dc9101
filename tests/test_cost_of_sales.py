"""Cost of sales has one definition: variable pay / the credited value of the plan's
sales measure (its ``cost_of_sales`` measure, else the first measure summing amount
credited to owner_id), in the summary, the scenarios and the Monte Carlo draws alike."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.api import evaluate
from compplan.errors import PlanError
from compplan.plan.load import load_plans
from compplan.scenarios.monte_carlo import plan_draws
from tests.conftest import PLANS, deal, person


def test_summary_and_monte_carlo_measure_cost_of_sales_alike() -> None:
    roster = pd.DataFrame([
        person("A", "ae-2026", base_salary=120000, target_incentive=50000, quota=1000000),
        person("S", "sdr-2026", base_salary=50000, target_incentive=24000)])
    deals = pd.DataFrame([deal("D1", "A", 100000, "2026-02-10", sdr_id="S")])
    quotas = pd.DataFrame(columns=["payee_id", "measure", "period", "quota"])
    r = evaluate(PLANS, roster, deals, 2026, quotas=quotas)
    summary = r.summary().set_index("plan")
    # ae: commission 50,000 x 10 % attainment = 5,000 on 100,000 booked: 5 %.
    assert summary.loc["ae-2026", "bookings"] == 100000.0
    assert summary.loc["ae-2026", "cost_of_sales"] == pytest.approx(0.05)
    # sdr: pipeline is credited to the SDR, not sales of its own: n/a, not 0.00.
    assert math.isnan(summary.loc["sdr-2026", "bookings"])
    assert math.isnan(summary.loc["sdr-2026", "cost_of_sales"])
    for plan_id in ("ae-2026", "sdr-2026"):
        pr = r.by_plan[plan_id]
        d = plan_draws(pr, r.inputs, np.ones((3, pr.frame.size)))
        want = summary.loc[plan_id, "bookings"]
        assert np.allclose(d["bookings"], want, equal_nan=True)
        assert np.allclose(d["variable"], summary.loc[plan_id, "variable_pay"])


def test_a_plan_names_the_measure_its_cost_of_sales_is_measured_against(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    text = (PLANS / "partner-2026.yaml").read_text()
    (folder / "p.yaml").write_text(text.replace("plan: partner-2026",
                                                "plan: p\ncost_of_sales: revenue"))
    roster = pd.DataFrame([person("P", "p")])
    deals = pd.DataFrame([deal("D1", "P", 200000, "2026-02-10", margin=50000)])
    r = evaluate(folder, roster, deals, 2026)
    row = r.summary().set_index("plan").loc["p"]
    # 7 % of 200,000 = 14,000 on revenue 200,000
    assert row["bookings"] == 200000.0 and row["cost_of_sales"] == pytest.approx(0.07)
    (folder / "p.yaml").write_text(text.replace("plan: partner-2026",
                                                "plan: p\ncost_of_sales: nope"))
    with pytest.raises(PlanError, match=r"p.yaml:\d+: cost_of_sales: unknown measure 'nope'"):
        load_plans(folder)
