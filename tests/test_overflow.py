"""Numbers cannot overflow: what plans and scenarios may say is bounded, sums of cents
are exact, and an amount too large to be money is refused with the plan and
component that computed it, never paid wrapped around."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.api import evaluate
from compplan.cli import app
from compplan.errors import InputError, PlanError
from compplan.plan.load import load_plans
from tests.conftest import PLANS, Case, deal, person

runner = CliRunner()


def many_trillion_deals(n: int, owner: str) -> pd.DataFrame:
    rows = pd.DataFrame([deal("D", owner, 1e12, "2026-02-01")] * n)
    rows["deal_id"] = [f"D{i}" for i in range(n)]
    return rows


def test_a_hundred_thousand_deals_of_a_trillion_balance_to_the_cent() -> None:
    # 100,000 x 1e12 = 1e17 = 1e19 cents: past int64 (9.2e18). The balance is exact.
    roster = pd.DataFrame([person("A", "ae-2026", base_salary=1, target_incentive=1000,
                                  quota=1e6)])
    r = evaluate(PLANS, roster, many_trillion_deals(100_000, "A"), 2026)
    (balance,) = r.conservation().to_dict("records")
    assert balance["ok"] and balance["cents"] == 10**19 == balance["credited_cents"]
    assert r.payouts["amount"].tolist()[-1] != ""  # the capped commission is paid
    # 3 x TI cap: 3,000 in all, so nothing near the bound
    comm = r.payouts[r.payouts["component"] == "commission"]["amount"].astype(float).sum()
    assert comm == pytest.approx(3000.0)


def test_a_runaway_commission_is_refused_with_its_plan_and_component() -> None:
    # partner-2026 pays 9 % of 1e17: 9e15 is not money; the run stops (exit 2 in the CLI).
    roster = pd.DataFrame([person("P", "partner-2026")])
    with pytest.raises(InputError, match=r"plan partner-2026: components.partner_commission: "
                                         r"an amount of 9e\+15 is not below 1e\+13"):
        evaluate(PLANS, roster, many_trillion_deals(100_000, "P"), 2026)


@pytest.mark.parametrize(("change", "message"), [
    ("rate: 0.05}", "rate: 1e308}"),
    ("{target_multiple: 3}", "{amount: 1e300}"),
])
def test_a_plan_with_an_astronomic_rate_or_cap_does_not_validate(
        tmp_path: Path, change: str, message: str) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    for src in PLANS.glob("*-2026.yaml"):
        (folder / src.name).write_text(src.read_text())
    ae = (folder / "ae-2026.yaml").read_text()
    partner = (folder / "partner-2026.yaml").read_text()
    target = "ae-2026.yaml" if change in ae else "partner-2026.yaml"
    text = ae if target == "ae-2026.yaml" else partner
    assert change in text
    (folder / target).write_text(text.replace(change, message, 1))
    with pytest.raises(PlanError, match=rf"{target}:\d+: .*less than or equal to 1000"
                                         if "rate" in change else
                                         rf"{target}:\d+: .*less than or equal to 1000000000000"):
        load_plans(folder)
    res = runner.invoke(app, ["validate", str(folder)])
    assert res.exit_code == 2 and target in res.output


def test_a_scenario_factor_or_scaled_amount_past_the_bounds_is_refused(case: Case,
                                                                       tmp_path: Path) -> None:
    case.roster = [person("A", "partner-2026")]
    case.deals = [deal("D1", "A", 2e10, "2026-02-01")]
    p = case.paths()
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    args = ["simulate", "--plans", str(PLANS), "--roster", str(p["roster"]), "--deals",
            str(p["deals"]), "--year", "2026", "--scenarios", str(scenarios), "--out",
            str(tmp_path / "out")]
    (scenarios / "s.yaml").write_text(
        "scenario: s\ndata:\n  - scale: {table: deals, columns: [amount], factor: 1e12}\n")
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "less than or equal to 1000" in res.output, res.output
    (scenarios / "s.yaml").write_text(
        "scenario: s\ndata:\n  - scale: {table: deals, columns: [amount], factor: 100}\n")
    res = runner.invoke(app, args)
    assert res.exit_code == 2, res.output
    assert "deals.amount x 100 gives 2e+12, outside -1e+12..1e+12" in res.output
    assert not (tmp_path / "out").exists()


def test_exact_sum_matches_python_integers() -> None:
    from compplan.core.money import exact_sum

    rng = np.random.default_rng(1)
    cents = rng.integers(-(10**14), 10**14, size=200_000, dtype=np.int64)
    assert exact_sum(cents) == sum(int(c) for c in cents.tolist())
