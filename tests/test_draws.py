"""Draws against commission (``kind: draw``), each option with a hand-computed case.

Per draw period: earned below the draw pays the draw and books the shortfall; earned
at or above it recovers min(balance, earned - draw, cap) from the earnings above.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compplan.api import evaluate
from compplan.engine import draws
from compplan.errors import PlanError
from compplan.plan.load import load_plans
from compplan.scenarios.monte_carlo import plan_draws
from tests.conftest import (
    deal,
    lines,
    person,
    plan_folder,
    reasons,
    ten_percent_plan,
)


def draw_plan(tmp_path: Path, draw: str, extra: str = "") -> Path:
    return plan_folder(tmp_path, ten_percent_plan("draws", more=f"  - {draw}\n{extra}"))


def months(*amounts: tuple[str, float]) -> pd.DataFrame:
    """Deals paying 10 % commission: (month, commission wanted) -> a deal of 10x."""
    return pd.DataFrame([deal(f"D{m}", "A", c * 10, f"2026-{m}-10") for m, c in amounts])


ROSTER = pd.DataFrame([person("A", "draws", start_date="2026-01-01")])


def test_monthly_draw_tops_up_books_and_recovers_only_above_the_draw(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                "max_recovery: 1500, first_periods: 5}")
    deals = months(("01", 500), ("02", 1000), ("03", 5000), ("04", 3000))
    r = evaluate(plans, ROSTER, deals, 2026)
    # Jan 500 < 2,000: top-up 1,500 (owed 1,500); Feb 1,000: top-up 1,000 (owed 2,500);
    # Mar 5,000: 3,000 above the draw, recover the cap 1,500 (owed 1,000);
    # Apr 3,000: 1,000 above, recover 1,000 (owed 0); May 0: top-up 2,000 (owed 2,000);
    # from June no draw (first_periods: 5) and nothing earned: 2,000 owed at year end
    assert lines(r, "A", "draw") == {"2026-01": "1500.00", "2026-02": "1000.00",
                                     "2026-03": "-1500.00", "2026-04": "-1000.00",
                                     "2026-05": "2000.00"}
    total = r.payouts[r.payouts["payee_id"] == "A"].groupby("period")["amount"].apply(
        lambda s: sum(float(a) for a in s))
    assert total.to_dict() == {"2026-01": 2000.0, "2026-02": 2000.0, "2026-03": 3500.0,
                               "2026-04": 2000.0, "2026-05": 2000.0}
    row = r.exceptions[r.exceptions["reason"].str.contains("draw balance")]
    assert row["reason"].tolist() == ["draw: draw balance owed at year end, carried into "
                                      "2027 by the payroll ledger"]
    assert row["value"].tolist() == [2000.0]


def test_balance_forgiven_at_year_end_is_reported(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                "first_periods: 2, forgive: [year_end]}")
    r = evaluate(plans, ROSTER, months(("02", 500)), 2026)
    # Jan top-up 2,000, Feb 1,500: 3,500 owed and never earned back: forgiven at year end
    assert lines(r, "A", "draw") == {"2026-01": "2000.00", "2026-02": "1500.00"}
    row = r.exceptions[r.exceptions["reason"].str.contains("draw balance")]
    assert row["reason"].tolist() == ["draw: draw balance forgiven at year end"]
    assert row["value"].tolist() == [3500.0]


def test_quarterly_draw_settles_each_quarter_in_its_last_month(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, period: quarter, amount: 6000, "
                                "recoverable: true, first_periods: 2}")
    deals = months(("01", 500), ("02", 1000), ("03", 2000), ("04", 5000), ("05", 4000),
                   ("06", 1000))
    r = evaluate(plans, ROSTER, deals, 2026)
    # Q1 earned 3,500 < 6,000: top-up 2,500 in March; Q2 earned 10,000: 4,000 above the
    # draw, recover all 2,500 in June
    assert lines(r, "A", "draw") == {"2026-03": "2500.00", "2026-06": "-2500.00"}
    assert not reasons(r, payee_id="A")


def test_recovery_starts_in_the_nth_period_and_the_draw_stops_after_the_window(
        tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                "first_periods: 2, recover_from: 3}")
    r = evaluate(plans, ROSTER, months(("02", 5000), ("03", 5000)), 2026)
    # Jan top-up 2,000; Feb 3,000 above the draw but recovery starts in month 3;
    # Mar no draw any more: all 5,000 is above it, recover the 2,000 owed
    assert lines(r, "A", "draw") == {"2026-01": "2000.00", "2026-03": "-2000.00"}


@pytest.mark.parametrize(("forgive", "reason"), [
    ("forgive: [leaving]", "draw: draw balance forgiven when the seat ended"),
    ("forgive: []", "draw: draw balance owed by a leaver, to recover by hand")])
def test_a_leavers_balance_is_forgiven_or_reported(tmp_path: Path, forgive: str,
                                                   reason: str) -> None:
    plans = draw_plan(tmp_path, f"{{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                f"{forgive}}}")
    roster = pd.DataFrame([person("A", "draws", start_date="2026-01-01",
                                  end_date="2026-02-28")])
    r = evaluate(plans, roster, months(("02", 500)), 2026)
    # Jan top-up 2,000, Feb 1,500: 3,500 owed when A leaves at the end of February
    assert lines(r, "A", "draw") == {"2026-01": "2000.00", "2026-02": "1500.00"}
    row = r.exceptions[r.exceptions["reason"].str.contains("draw balance")]
    assert row["reason"].tolist() == [reason] and row["value"].tolist() == [3500.0]


def test_draw_measured_against_the_components_it_names(tmp_path: Path) -> None:
    spiff = ("  - {id: spiff, kind: spiff, measure: bookings, amount: 1000, per_split: false}\n")
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: false, "
                                "components: [commission]}", spiff)
    r = evaluate(plans, ROSTER, months(("01", 500)), 2026)
    # the SPIFF's 1,000 does not count: commission 500 is topped up by 1,500 in January,
    # and by 2,000 in each later month
    assert lines(r, "A", "draw")["2026-01"] == "1500.00"
    assert lines(r, "A", "draw")["2026-12"] == "2000.00"


def test_opening_balance_from_an_earlier_year_is_recovered(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                "first_periods: 1}")
    roster = pd.DataFrame([person("A", "draws")])
    r = evaluate(plans, roster, months(("01", 3000), ("02", 4000)), 2026,
                 draw_opening={("A", "draw"): 250_000})
    # 2,500 owed from 2025; Jan 1,000 above the draw recovers 1,000; Feb (no draw) the
    # remaining 1,500 out of 4,000
    assert lines(r, "A", "draw") == {"2026-01": "-1000.00", "2026-02": "-1500.00"}


def test_a_clawback_month_is_topped_up_to_the_draw_and_booked(tmp_path: Path) -> None:
    """A month whose commission is negative (a clawback) still pays the draw: the payee
    gets max(earned, draw), and a recoverable draw books the whole shortfall."""
    text = ten_percent_plan("draws", more="  - {id: draw, kind: draw, amount: 1000, "
                            "recoverable: true, first_periods: 2}\n",
                            measure_extra="    clawback: {within_days: 90}")
    deals = pd.DataFrame([deal("D1", "A", 30000, "2026-01-10", cancel_date="2026-02-15")])
    r = evaluate(plan_folder(tmp_path, text), ROSTER, deals, 2026)
    # Jan 3,000 >= 1,000: nothing owed; Feb -3,000 (the clawback): top-up 4,000 to pay
    # the 1,000 draw, all of it owed
    assert lines(r, "A", "commission") == {"2026-01": "3000.00", "2026-02": "-3000.00"}
    assert lines(r, "A", "draw") == {"2026-02": "4000.00"}
    row = r.exceptions[r.exceptions["reason"].str.contains("draw balance")]
    assert row["value"].tolist() == [4000.0]


def test_explain_shows_how_the_draw_settled(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: true, "
                                "max_recovery: 1500}")
    r = evaluate(plans, ROSTER, months(("01", 500), ("02", 5000)), 2026)
    jan, feb = r.explain("A", "2026-01"), r.explain("A", "2026-02")
    assert "draw 2,000.00 against earned 500.00 (all variable pay)" in jan
    assert "top-up to the draw: 1,500.00; added to the balance owed" in jan
    assert "draw balance owed after this month: 1,500.00" in jan
    assert "recovered from earnings above the draw: 1,500.00, at most 1,500.00" in feb
    assert "draw balance owed after this month: 0.00" in feb


def test_monte_carlo_draws_settle_the_draw_too(tmp_path: Path) -> None:
    plans = draw_plan(tmp_path, "{id: draw, kind: draw, amount: 2000, recoverable: false}")
    r = evaluate(plans, ROSTER, months(("01", 500)), 2026)
    pr = r.by_plan["draws"]
    d = plan_draws(pr, r.inputs, np.array([[1.0], [10.0]]))
    # x1: 500 commission + 1,500 top-up, then 2,000 a month: 24,000;
    # x10: 5,000 in January (no top-up), then 2,000 a month: 27,000
    assert d["total"].tolist() == [24000.0, 27000.0]


@pytest.mark.parametrize(("draw", "message"), [
    ("{id: draw, kind: draw, amount: 2000, recoverable: false, forgive: [year_end]}",
     "forgive: only a recoverable draw has a balance to recover or forgive"),
    ("{id: draw, kind: draw, period: quarter, amount: 2000, recoverable: true, "
     "first_months: 2}", "first_months is for a monthly draw: use first_periods"),
    ("{id: draw, kind: draw, period: quarter, amount: 2000, recoverable: true, "
     "recover_from: 5}", "recover_from 5 is more than the 4 quarters of a year"),
    ("{id: draw, kind: draw, amount: 2000, recoverable: true, components: [comission]}",
     "unknown component 'comission'"),
])
def test_draw_mistakes_are_reported_with_their_line(tmp_path: Path, draw: str,
                                                    message: str) -> None:
    folder = draw_plan(tmp_path, draw)
    with pytest.raises(PlanError) as err:
        load_plans(folder)
    text = str(err.value)
    assert message in text and "plan.yaml:" in text


@given(st.lists(st.tuples(st.integers(-50_000, 500_000), st.integers(0, 300_000)),
                min_size=1, max_size=12),
       st.integers(0, 400_000), st.one_of(st.none(), st.integers(1, 200_000)))
@settings(max_examples=200, deadline=None)
def test_settlement_invariants(periods: list[tuple[int, int]], opening: int,
                               cap: int | None) -> None:
    """Whatever is earned: pay is max(earned, draw) less what is recovered; recovery
    never exceeds the earnings above the draw or the cap; the balance moves by top-ups
    less recoveries and never goes below zero."""
    earned = np.array([[e for e, _ in periods]], dtype=np.int64)
    draw = np.array([[d for _, d in periods]], dtype=np.int64)
    ones = np.ones_like(earned, dtype=bool)
    s = draws.settle(earned, draw, recoverable=True, cap=cap, may_recover=ones,
                     forgive=~ones, opening=np.array([opening]))
    assert (earned + s.line == np.maximum(earned, draw) - s.recovered).all()
    assert (s.recovered <= np.maximum(earned - draw, 0)).all()
    assert cap is None or (s.recovered <= cap).all()
    assert (s.balance >= 0).all()
    assert s.balance[0, -1] == opening + s.topup.sum() - s.recovered.sum()


def test_statement_shows_the_draw_balance_month_by_month(tmp_path: Path) -> None:
    import openpyxl

    from compplan.excel.statements import write_statements

    plans = draw_plan(tmp_path, "{id: draw, kind: draw, period: quarter, amount: 6000, "
                                "recoverable: true, first_periods: 2}")
    deals = months(("01", 500), ("02", 1000), ("03", 2000), ("04", 5000), ("05", 4000),
                   ("06", 1000))
    r = evaluate(plans, ROSTER, deals, 2026)
    path = next(p for p in write_statements(r, tmp_path / "st", ["A"]) if p.suffix == ".xlsx")
    ws = openpyxl.load_workbook(path)["Statement"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[:2] == ["Plan", "Component"]
                  and i > 0 and str(rows[i - 1][0]).startswith("Draw balance owed"))
    # Q1 books 2,500 in March; Q2 recovers it in June
    assert rows[header + 1][:8] == ["draws", "draw", 0, 0, 2500, 2500, 2500, 0]


@pytest.mark.parametrize(("draw", "noticed"), [
    ("{id: draw, kind: draw, amount: 2000, recoverable: true}", True),
    ("{id: draw, kind: draw, amount: 2000, recoverable: true, period: month}", False),
    ("{id: draw, kind: draw, amount: 2000, recoverable: false}", False)])
def test_validate_gives_notice_of_the_changed_draw(tmp_path: Path, draw: str,
                                                   noticed: bool) -> None:
    from typer.testing import CliRunner

    from compplan.cli import app

    res = CliRunner().invoke(app, ["validate", str(draw_plan(tmp_path, draw))])
    assert res.exit_code == 0, res.output
    said = ("notice:" in res.output and "components[1].recoverable: since compplan 0.2 a "
            "recoverable draw is a draw against commission" in res.output
            and "kind: advance" in res.output)
    assert said == noticed, res.output


def test_a_yen_plans_draw_balance_is_kept_in_whole_yen(tmp_path: Path) -> None:
    from compplan.reports.draw_balances import monthly_balances

    text = ten_percent_plan("draws", more="  - {id: draw, kind: draw, amount: 2000, "
                                          "recoverable: true, first_periods: 1}\n")
    plans = plan_folder(tmp_path, text.replace("plan: draws", "plan: draws\ncurrency: JPY"))
    r = evaluate(plans, ROSTER, months(("01", 500)), 2026)
    # January: 500 yen earned, 2,000 drawn: 1,500 yen owed, i.e. 1,500 minor units (not
    # 150,000 as cents would make it)
    row = monthly_balances(r).query("month == 1")
    assert row["balance_cents"].tolist() == [1500]
    assert lines(r, "A", "draw") == {"2026-01": "1500"}
