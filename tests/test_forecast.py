"""``compplan forecast``: the pipeline's Monte Carlo against the engine, each open deal's
earnings against a re-run, the accrual and its journal by hand, win rates and slippage
from a history with known outcomes, and the command on the demo company."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.api import evaluate, forecast_year
from compplan.cli import app
from compplan.engine.pipeline import evaluate as engine_evaluate
from compplan.forecast.odds import STAGE_HISTORY, estimate_rates, slip_from_history
from compplan.forecast.open_deals import Stages
from compplan.inputs.ingest import table_from_frame
from compplan.inputs.pipeline_sample import pipeline_of
from compplan.inputs.sample import make_company, write_company
from compplan.plan.load import load_plans
from compplan.scenarios.estimate import estimate
from tests.conftest import deal, person, plan_folder
from tests.test_estimate import CAPPED, GATED, TIERED

PLANS = Path(__file__).resolve().parent.parent / "plans"


def small(tmp_path: Path, plan: str, deals: list[dict[str, object]], **who: object
          ) -> object:
    folder = plan_folder(tmp_path, plan)
    roster = pd.DataFrame([person("A", "est", start_date="2026-01-01", **who)])
    return evaluate(load_plans(folder), roster, pd.DataFrame(deals), 2026)


def open_deal(deal_id: str, amount: float, expected: str, stage: str = "Proposal"
              ) -> dict[str, object]:
    return deal(deal_id, "A", amount, expected, stage=stage)


def estimated(tmp_path: Path, plan: str, closed: list[dict[str, object]], amount: float,
              expected: str, as_of: str, **who: object) -> tuple[list[object], list[object]]:
    """The forecast's estimate for one open deal, and the re-run oracle's change."""
    result = small(tmp_path, plan, [*closed, open_deal("D9", amount, expected)], **who)
    fc = forecast_year(result, as_of, win_rates={"Proposal": 0.4}, draws=10)  # type: ignore[arg-type]
    found = fc.estimates[["component", "change", "expected_change"]].values.tolist()
    base = small(tmp_path / "oracle", plan, closed, **who)
    oracle = estimate(base.plans, base.inputs, 2026, "A", amount, expected,  # type: ignore[attr-defined]
                      base=base)  # type: ignore[arg-type]
    by = oracle.lines.groupby("component")["change"].sum()
    return found, [[c, int(v), int(np.floor(abs(v) * 0.4 + 0.5) * np.sign(v))]
                   for c, v in by.items()]


def test_an_open_deal_that_crosses_a_tier(tmp_path: Path) -> None:
    """March: 8,000 pays 5 % = 400; 5,000 more makes 13,000: 500 + 300 = 800, so the
    deal earns 400.00, 160.00 at a 40 % win rate."""
    found, oracle = estimated(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")],
                              5_000, "2026-03-20", "2026-03-10")
    assert found == oracle == [["commission", 40_000, 16_000]]


def test_an_open_deal_that_hits_the_cap(tmp_path: Path) -> None:
    found, oracle = estimated(tmp_path, CAPPED, [deal("D1", "A", 8_000, "2026-03-05")],
                              5_000, "2026-03-20", "2026-03-10")
    assert found == oracle == [["commission", 20_000, 8_000]]


def test_an_open_deal_that_opens_a_gate(tmp_path: Path) -> None:
    """100,000 of 120,000 booked; 30,000 more reaches the quota: the 1,000.00 bonus."""
    found, oracle = estimated(tmp_path, GATED, [deal("D1", "A", 100_000, "2026-02-05")],
                              30_000, "2026-10-01", "2026-09-30", quota=120_000)
    assert found == oracle == [["bonus", 100_000, 40_000]]


def test_an_open_deal_after_a_leavers_end_date_pays_nothing(tmp_path: Path) -> None:
    found, oracle = estimated(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-03-05")],
                              5_000, "2026-09-15", "2026-04-30", end_date="2026-06-30")
    assert found == oracle == []


def accrual_case(tmp_path: Path) -> object:
    """January 8,000 (pays 400.00); March 12,000 (5 % of 10,000 + 10 % of 2,000 = 700.00);
    an open 10,000 expected in May, certain to close (5 % = 500.00)."""
    result = small(tmp_path, TIERED, [deal("D1", "A", 8_000, "2026-01-10"),
                                      deal("D2", "A", 12_000, "2026-03-03"),
                                      open_deal("D9", 10_000, "2026-05-10")])
    return forecast_year(result, "2026-03-31", win_rates={"Proposal": 1.0}, draws=20)  # type: ignore[arg-type]


def test_the_accrual_is_earned_to_date_less_paid_and_its_journal_balances(
        tmp_path: Path) -> None:
    fc = accrual_case(tmp_path)
    row = fc.accrual.iloc[0]  # type: ignore[attr-defined]
    assert len(fc.accrual) == 1  # type: ignore[attr-defined]
    assert (row["earned_to_date"], row["paid_to_date"], row["accrued"],
            row["expected_rest_of_year"], row["expected_year"]) == (
        110_000, 40_000, 70_000, 50_000, 160_000)
    j = fc.journal  # type: ignore[attr-defined]
    assert j[["date", "account", "debit", "credit"]].values.tolist() == [
        ["2026-03-31", "6100 Commission expense", "700.00", ""],
        ["2026-03-31", "2150 Accrued commissions", "", "700.00"],
        ["2026-04-01", "2150 Accrued commissions", "700.00", ""],
        ["2026-04-01", "6100 Commission expense", "", "700.00"]]
    for _, day in j.groupby(["date", "currency"]):
        debit = pd.to_numeric(day["debit"].replace("", "0")).sum()
        credit = pd.to_numeric(day["credit"].replace("", "0")).sum()
        assert debit == credit


def test_the_run_rate_credits_later_months_at_the_average_so_far(tmp_path: Path) -> None:
    """20,000 in January to March: 6,666.67 a month after, each paying 5 % = 333.33
    (rounded on its own line). Year: 400 + 700 + 9 x 333.33 = 4,099.97. The Monte Carlo
    with the May deal certain: 400 + 700 + 500 = 1,600.00 in every draw."""
    fc = accrual_case(tmp_path)
    payee = fc.payees.iloc[0]  # type: ignore[attr-defined]
    assert payee["variable_run_rate"] == pytest.approx(4_099.97, abs=1e-9)
    assert payee["variable_to_date"] == pytest.approx(1_100.00, abs=1e-9)
    assert payee["variable_p10"] == payee["variable_p90"] == pytest.approx(1_600.00)


def test_win_rates_and_slippage_from_a_history_with_known_outcomes() -> None:
    """H1 Q->P->won, H2 Q->P->lost, H3 Q->lost, H4 Q->P->N->won, H5 still in P:
    Qualified 2 of 4 ended deals won, Proposal 2 of 3, Negotiation 1 of 1. Slips of the
    won deals' entries: H1 1 and 0 months, H4 2, 2 and 1."""
    rows = [("H1", "Qualified", "2026-01-05", "2026-03-15"),
            ("H1", "Proposal", "2026-02-01", "2026-04-10"),
            ("H1", "Closed Won", "2026-04-20", ""),
            ("H2", "Qualified", "2026-01-05", "2026-03-01"),
            ("H2", "Proposal", "2026-02-01", "2026-03-01"),
            ("H2", "Closed Lost", "2026-03-20", ""),
            ("H3", "Qualified", "2026-01-05", "2026-03-01"),
            ("H3", "Closed Lost", "2026-02-20", ""),
            ("H4", "Qualified", "2026-02-05", "2026-05-01"),
            ("H4", "Proposal", "2026-03-01", "2026-05-01"),
            ("H4", "Negotiation", "2026-05-01", "2026-06-30"),
            ("H4", "Closed Won", "2026-07-02", ""),
            ("H5", "Qualified", "2026-03-05", "2026-06-01"),
            ("H5", "Proposal", "2026-04-01", "2026-06-01")]
    history = table_from_frame(pd.DataFrame(rows, columns=["deal_id", "stage", "date",
                                                           "close_date"]),
                               STAGE_HISTORY.name)
    rates = estimate_rates(history, Stages())
    assert rates[["stage", "win_rate", "ended_deals", "won_deals"]].values.tolist() == [
        ["Negotiation", 1.0, 1, 1], ["Proposal", pytest.approx(2 / 3), 3, 2],
        ["Qualified", 0.5, 4, 2]]
    assert slip_from_history(history, Stages()) == {0: 0.2, 1: 0.4, 2: 0.4}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("company")
    made = make_company(7, 2026, currencies=True)
    paths = write_company(made, str(folder))
    rows, history = pipeline_of(made, "2026-09-30", 7)
    rows.to_csv(folder / "pipeline.csv", index=False)
    history.to_csv(folder / "stage_history.csv", index=False)
    return {**paths, "pipeline": str(folder / "pipeline.csv"),
            "stage_history": str(folder / "stage_history.csv")}


def sample_result(paths: dict[str, str]) -> object:
    return evaluate(load_plans(PLANS), paths["roster"], paths["deals"], 2026,
                    quotas=paths["quotas"], accounts=paths["accounts"], fx=paths["fx"])


def with_won(fc: object, ids: set[str]) -> object:
    """The engine's run of the as-of export with those open deals won on the dates the
    forecast closes them (an overdue one the day after the as-of date)."""
    rows, actual = fc.deals.rows, fc.actual.inputs  # type: ignore[attr-defined]
    won = rows[rows["deal_id"].astype(str).isin(ids)]
    day = pd.Timestamp("2026-10-01")
    won = won.assign(stage="Closed Won", close_date=won["close_date"].where(
        won["close_date"] >= day, day).astype(won["close_date"].dtype))
    standing = actual.deals.frame["deal_id"].astype(str).isin(ids)
    frame = pd.concat([actual.deals.frame[~standing], won], ignore_index=True)
    return engine_evaluate(fc.actual.plans, dataclasses.replace(  # type: ignore[attr-defined]
        actual, deals=dataclasses.replace(actual.deals, frame=frame)), 2026)


def test_a_pipeline_of_certain_deals_is_the_engine_to_the_cent(company: dict[str, str]
                                                               ) -> None:
    """Negotiation and Qualified deals win (1), Proposal ones never (0), no slippage:
    every draw is the run of the as-of export with those deals won on their dates."""
    result = sample_result(company)
    rates = {"Negotiation": 1.0, "Proposal": 0.0, "Qualified": 1.0}
    fc = forecast_year(result, "2026-09-30", pipeline=company["pipeline"],  # type: ignore[arg-type]
                       win_rates=rates, slip_months="1", draws=30)
    rows = fc.deals.rows
    assert fc.deals.overdue > 0  # some expected dates are moved past the as-of date
    rerun = with_won(fc, set(rows.loc[rows["stage"].isin(["Negotiation", "Qualified"]),
                                      "deal_id"].astype(str)))
    checked = 0
    for plan_id, drawn in fc.draws.items():
        pr = rerun.by_plan[plan_id]
        year = sum(r.cents.sum(axis=1) for r in pr.components)
        scale = 10 ** (0 if pr.frame.plan.currency == "JPY" else 2)
        assert np.array_equal(np.rint(drawn.total * scale).astype(np.int64),
                              np.tile(year, (30, 1))), plan_id
        checked += len(year)
    assert checked == len(fc.actual.seats)


def test_each_deal_estimate_is_a_rerun_with_that_deal_won(company: dict[str, str]) -> None:
    result = sample_result(company)
    fc = forecast_year(result, "2026-09-30", pipeline=company["pipeline"],  # type: ignore[arg-type]
                       stage_history=company["stage_history"], draws=10)
    e = fc.estimates
    movers = e.groupby("deal_id")["payee_id"].nunique().sort_values(kind="stable")
    picked = [*movers.index[-3:], movers.index[0]]  # the most payees moved, and one
    for deal_id in picked:
        rerun = with_won(fc, {deal_id})
        keys = ["payee_id", "plan", "component"]
        before = fc.actual.lines.groupby(keys)["plan_cents"].sum()
        after = rerun.lines.groupby(keys)["plan_cents"].sum()
        diff = after.sub(before, fill_value=0)
        diff = diff[diff != 0].astype(np.int64)
        mine = e[e["deal_id"] == deal_id].set_index(keys)["change"].sort_index()
        assert mine.to_dict() == diff.sort_index().to_dict(), deal_id


def test_a_seeded_forecast_repeats_and_another_seed_differs(company: dict[str, str]
                                                            ) -> None:
    result = sample_result(company)

    def plans(seed: int) -> pd.DataFrame:
        return forecast_year(result, "2026-09-30", pipeline=company["pipeline"],  # type: ignore[arg-type]
                             stage_history=company["stage_history"], draws=60,
                             seed=seed).plans

    first, again, other = plans(5), plans(5), plans(6)
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def cli(company: dict[str, str], out: Path, *more: str) -> object:
    args = ["forecast", "--plans", str(PLANS), "--roster", company["roster"], "--deals",
            company["deals"], "--quotas", company["quotas"], "--accounts",
            company["accounts"], "--fx", company["fx"], "--year", "2026", "--as-of",
            "2026-09-30", "--out", str(out), "--draws", "40", *more]
    return CliRunner().invoke(app, args)


def test_the_command_writes_every_file(company: dict[str, str], tmp_path: Path) -> None:
    res = cli(company, tmp_path / "fc", "--pipeline", company["pipeline"],
              "--stage-history", company["stage_history"])
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    names = sorted(p.name for p in (tmp_path / "fc").iterdir())
    assert names == sorted(["forecast_plans.csv", "forecast_payees.csv", "deal_estimates.csv",
                            "forecast_deals.csv", "accrual.csv", "accrual_journal.csv",
                            "win_rates.csv", "forecast_left_out.csv", "forecast.json",
                            "forecast.xlsx"])
    plans = pd.read_csv(tmp_path / "fc" / "forecast_plans.csv")
    assert (plans["variable_p10"] <= plans["variable_p50"]).all()
    assert (plans["variable_p50"] <= plans["variable_p90"]).all()
    left = pd.read_csv(tmp_path / "fc" / "forecast_left_out.csv")
    assert len(left) and set(left["reason"]) <= {"created after the as-of date",
                                                 "closed after the as-of date"}


def test_the_command_refuses_what_it_cannot_forecast(company: dict[str, str],
                                                     tmp_path: Path) -> None:
    pipe = pd.read_csv(company["pipeline"], dtype=str).drop(columns=["margin"])
    pipe.to_csv(tmp_path / "pipe.csv", index=False)
    res = cli(company, tmp_path / "a", "--pipeline", str(tmp_path / "pipe.csv"),
              "--stage-history", company["stage_history"])
    assert res.exit_code == 2 and "no column 'margin'" in res.output  # type: ignore[attr-defined]
    (tmp_path / "rates.csv").write_text("stage,win_rate\nProposal,0.3\n")
    res = cli(company, tmp_path / "b", "--pipeline", company["pipeline"],
              "--win-rates", str(tmp_path / "rates.csv"))
    assert res.exit_code == 2 and "no win rate for stage 'Negotiation'" in res.output  # type: ignore[attr-defined]
    res = cli(company, tmp_path / "c", "--pipeline", company["pipeline"])
    assert res.exit_code == 2 and "no win rates" in res.output  # type: ignore[attr-defined]
    res = cli(company, tmp_path / "d", "--stage-history", company["stage_history"])
    assert res.exit_code == 2 and "no expected close date" in res.output  # type: ignore[attr-defined]
    assert not (tmp_path / "a").exists() and not (tmp_path / "d").exists()
