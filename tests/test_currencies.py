"""Currencies: deals in any currency converted into the plan's at the credit's rate (or a
budget rate), lines paid in each payee's currency rounded to its minor units, payroll
per currency. Each expected value is computed by hand in its comment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from compplan.api import evaluate
from compplan.cli import app
from compplan.errors import InputError
from compplan.inputs.fx import FxTable
from compplan.inputs.ingest import table_from_frame
from compplan.schema import FxPolicy
from tests.conftest import DEAL_COLUMNS, deal, lines, person, plan_folder, ten_percent_plan

RATES = pd.DataFrame([
    {"date": "2026-01-01", "from": "EUR", "to": "USD", "rate": 1.10},
    {"date": "2026-01-15", "from": "EUR", "to": "USD", "rate": 1.20},
    {"date": "2026-01-01", "from": "USD", "to": "JPY", "rate": 150.5},
    {"date": "2026-02-20", "from": "USD", "to": "JPY", "rate": 149.0},
])


def eur_deals() -> pd.DataFrame:
    return pd.DataFrame([deal("D1", "A", 10000, "2026-01-10", currency="EUR"),
                         deal("D2", "A", 10000, "2026-01-20", currency="EUR"),
                         deal("D3", "A", 10000, "2026-02-10", currency="USD")])


def test_a_eur_deal_is_credited_at_the_rate_of_its_date(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    roster = pd.DataFrame([person("A", "usd", currency="USD")])
    r = evaluate(plans, roster, eur_deals(), 2026, fx=RATES)
    # D1 10 Jan: 10,000 EUR x 1.10 = 11,000 USD; D2 20 Jan: x 1.20 (from 15 Jan) =
    # 12,000; January pays 10 % of 23,000 = 2,300.00; D3 is in USD: 1,000.00
    assert lines(r, "A", "commission") == {"2026-01": "2300.00", "2026-02": "1000.00"}
    credits = r.credits.set_index("deal_id")
    assert credits.loc["D2", "amount"] == pytest.approx(12000.0)
    assert credits.loc["D2", "fx_rate"] == pytest.approx(1.2)
    assert credits.loc["D2", "deal_amount"] == 10000 and credits.loc["D2", "currency"] == "EUR"
    assert r.payouts["currency"].unique().tolist() == ["USD"]
    assert "D2 credit 12,000.00 (share 1, converted at 1.2)" in r.explain("A", "2026-01")


def test_a_budget_rate_ignores_the_days_rate(tmp_path: Path) -> None:
    text = ten_percent_plan("usd") + "fx: {rate: budget, budget: {EUR: 1.05}}\n"
    plans = plan_folder(tmp_path, text)
    roster = pd.DataFrame([person("A", "usd", currency="USD")])
    r = evaluate(plans, roster, eur_deals(), 2026)  # no FX table needed
    # both EUR deals at 1.05: 2 x 10,500 x 10 % = 2,100.00
    assert lines(r, "A", "commission") == {"2026-01": "2100.00", "2026-02": "1000.00"}


def test_a_yen_paid_rep_gets_whole_yen_lines_that_add_up(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    roster = pd.DataFrame([person("J", "usd", currency="JPY")])
    deals = pd.DataFrame([deal("D1", "J", 10000.10, "2026-01-10"),
                          deal("D2", "J", 3333.30, "2026-02-25"),
                          deal("D3", "J", 3333.40, "2026-03-05")])
    r = evaluate(plans, roster, deals, 2026, fx=RATES)
    # lines in USD first (the plan's rounding): 1,000.01; 333.33; 333.34. Then each is
    # paid in yen at the rate as of its month's end: January 1,000.01 x 150.5 =
    # 150,501.505 -> 150,502; February (149.0 from 20 Feb) 333.33 x 149 = 49,666.17 ->
    # 49,666; March 333.34 x 149 = 49,667.66 -> 49,668
    assert lines(r, "J", "commission") == {"2026-01": "150502", "2026-02": "49666",
                                           "2026-03": "49668"}
    assert r.payouts["currency"].unique().tolist() == ["JPY"]
    assert r.lines["cents"].sum() == 150502 + 49666 + 49668
    text = r.explain("J", "2026-01")
    assert "paid in JPY: 150502 = 1,000.01 USD x 150.5 (USD->JPY, credit date rate" in text


def test_a_missing_rate_names_the_pair_and_the_date(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    roster = tmp_path / "roster.csv"
    pd.DataFrame([person("A", "usd", currency="USD")]).to_csv(roster, index=False)
    deals = tmp_path / "deals.csv"
    pd.DataFrame([deal("D0", "A", 500, "2025-12-30", currency="EUR"),
                  deal("D1", "A", 500, "2026-01-05", currency="GBP")],
                 columns=[*DEAL_COLUMNS, "currency"]).to_csv(deals, index=False)
    fx = tmp_path / "rates.csv"
    RATES.to_csv(fx, index=False)
    res = CliRunner().invoke(app, ["run", "--plans", str(plans), "--roster", str(roster),
                                   "--deals", str(deals), "--fx", str(fx), "--year", "2026",
                                   "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "no EUR->USD rate on or before 2025-12-30" in res.output
    assert not (tmp_path / "out").exists()


def test_a_run_of_several_currencies_needs_each_payees_currency(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    roster = pd.DataFrame([person("A", "usd", currency="USD"), person("B", "usd")])
    with pytest.raises(InputError, match="no pay currency: this run holds EUR, USD"):
        evaluate(plans, roster, eur_deals(), 2026, fx=RATES)
    with pytest.raises(InputError, match="'XYZ' is not an ISO 4217 currency code"):
        evaluate(plans, pd.DataFrame([person("A", "usd", currency="XYZ")]), eur_deals(),
                 2026, fx=RATES)


def fx_table(rows: list[dict[str, object]]) -> FxTable:
    return FxTable.from_table(table_from_frame(pd.DataFrame(rows), "fx"))


def test_inverse_and_cross_rates() -> None:
    table = fx_table([{"period": "2026-01", "from": "EUR", "to": "USD", "rate": 1.25},
                      {"period": "2026-01", "from": "USD", "to": "JPY", "rate": 150.0}])
    day = np.array(["2026-01-20"], dtype="datetime64[D]")
    policy = FxPolicy(rate="month_average", base="USD")
    # the inverse: 1 / 1.25; through USD: EUR->USD x USD->JPY = 187.5
    assert table.rates("USD", "EUR", day, policy, "t").tolist() == [0.8]
    assert table.rates("EUR", "JPY", day, policy, "t").tolist() == [187.5]
    with pytest.raises(InputError, match="no EUR->USD rate in the month of 2026-02-03"):
        table.rates("EUR", "USD", np.array(["2026-02-03"], dtype="datetime64[D]"), policy,
                    "t")


def test_month_average_of_a_daily_table() -> None:
    daily = fx_table([{"date": "2026-01-05", "from": "EUR", "to": "USD", "rate": 1.0},
                      {"date": "2026-01-25", "from": "EUR", "to": "USD", "rate": 1.2}])
    day = np.array(["2026-01-02"], dtype="datetime64[D]")
    # the mean of January's rates, even for a day before the first of them: 1.1
    got = daily.rates("EUR", "USD", day, FxPolicy(rate="month_average"), "t")
    assert got.tolist() == pytest.approx([1.1])


def test_three_currency_payroll_control_totals_per_currency(tmp_path: Path) -> None:
    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    (plans / "eur.yaml").write_text(ten_percent_plan("eur").replace("plan: eur",
                                                                    "plan: eur\ncurrency: EUR"))
    roster = tmp_path / "roster.csv"
    pd.DataFrame([person("A", "usd", currency="USD"), person("E", "eur", currency="EUR"),
                  person("J", "usd", currency="JPY")]).to_csv(roster, index=False)
    deals = tmp_path / "deals.csv"
    pd.DataFrame([deal("D1", "A", 10000, "2026-01-10", currency="USD"),
                  deal("D2", "E", 10000, "2026-01-11", currency="EUR"),
                  deal("D3", "E", 11000, "2026-01-20", currency="USD"),
                  deal("D4", "J", 10000.10, "2026-01-12", currency="USD")],
                 columns=[*DEAL_COLUMNS, "currency"]).to_csv(deals, index=False)
    fx = tmp_path / "rates.csv"
    RATES.to_csv(fx, index=False)
    ledger = str(tmp_path / "ledger.db")
    res = CliRunner().invoke(app, [
        "payroll", "--period", "2026-01", "--ledger", ledger, "--plans", str(plans),
        "--roster", str(roster), "--deals", str(deals), "--fx", str(fx), "--year", "2026",
        "--out", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    # A: 1,000.00 USD. E (EUR plan): D2 10,000 EUR + D3 11,000 USD / 1.20 (the inverse of
    # EUR->USD on 20 Jan) = 9,166.67 EUR -> 10 % of 19,166.666... = 1,916.67 EUR.
    # J: 1,000.01 USD x 150.5 = 150,501.505 -> 150,502 JPY
    paid = pd.read_csv(tmp_path / "p" / "payroll.csv", dtype=str)
    got = {(r["employee_id"], r["currency"]): r["amount"] for r in paid.to_dict("records")}
    assert got == {("A", "USD"): "1000.00", ("E", "EUR"): "1916.67", ("J", "JPY"): "150502"}
    control = pd.read_csv(tmp_path / "p" / "control.csv", dtype=str)
    totals = control[control["earning_code"] == "TOTAL"].set_index("currency")["amount"]
    assert totals.to_dict() == {"EUR": "1916.67", "JPY": "150502", "USD": "1000.00"}
    assert "1,000.00 USD" in res.output and "150,502 JPY" in res.output
    import sqlalchemy as sa

    with sa.create_engine(f"sqlite:///{ledger}").connect() as conn:
        rows = conn.execute(sa.text("select currency, sum(cents) from lines group by currency "
                                    "order by currency")).all()
    assert [tuple(r) for r in rows] == [("EUR", 191667), ("JPY", 150502), ("USD", 100000)]


def test_a_scenario_moves_a_currency_in_the_table_and_the_budget(tmp_path: Path) -> None:
    from compplan.api import inputs_from_frames
    from compplan.plan.load import load_plans
    from compplan.scenarios.run import compare

    text = ten_percent_plan("usd")
    plans = load_plans(plan_folder(tmp_path, text))
    budget = load_plans(plan_folder(tmp_path / "b", text + "fx: {rate: budget, budget: "
                                    "{EUR: 1.05}}\n"))
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "weak-euro.yaml").write_text(
        "scenario: weak-euro\ndata:\n  - fx_shift: {currency: EUR, change: -0.10}\n")
    roster = pd.DataFrame([person("A", "usd", currency="USD")])
    deals = pd.DataFrame([deal("D1", "A", 10000, "2026-01-10", currency="EUR")])
    inputs = inputs_from_frames(roster, deals, fx=RATES)
    dated = compare(plans, inputs, 2026, tmp_path / "s").results
    # 10,000 EUR at 1.10: 1,100.00; a euro 10 % weaker, 0.99: 990.00
    assert lines(dated["baseline"], "A", "commission") == {"2026-01": "1100.00"}
    assert lines(dated["weak-euro"], "A", "commission") == {"2026-01": "990.00"}
    fixed = compare(budget, inputs, 2026, tmp_path / "s").results
    # the budget rate 1.05 moves too: 1,050.00 -> 945.00
    assert lines(fixed["weak-euro"], "A", "commission") == {"2026-01": "945.00"}


def test_a_quota_stated_in_another_currency_is_refused(tmp_path: Path) -> None:
    text = ten_percent_plan("usd").replace("components:", """quotas:
  bookings: {source: file}
components:""")
    plans = plan_folder(tmp_path, text + "  - {id: kicker, kind: bonus, period: month, "
                                         "amount: 100, condition: {measure: bookings, "
                                         "at_least: 1.0}}\n")
    roster = pd.DataFrame([person("A", "usd")])
    quotas = pd.DataFrame([{"payee_id": "A", "measure": "bookings", "period": "2026-01",
                            "quota": 1000, "currency": "USD"},
                           {"payee_id": "A", "measure": "bookings", "period": "2026-02",
                            "quota": 1000, "currency": "EUR"}])
    with pytest.raises(InputError, match="quota in EUR, but plan usd measures in USD"):
        evaluate(plans, roster, pd.DataFrame([deal("D1", "A", 5000, "2026-01-10")]), 2026,
                 quotas=quotas)


def test_pay_by_currency_states_a_reporting_rate(tmp_path: Path) -> None:
    from compplan.reports.pay_by_currency import pay_by_currency

    plans = plan_folder(tmp_path, ten_percent_plan("usd"))
    roster = pd.DataFrame([person("A", "usd", currency="EUR"),
                           person("J", "usd", currency="JPY")])
    deals = pd.DataFrame([deal("D1", "A", 10000, "2026-01-10"),
                          deal("D2", "J", 10000.10, "2026-01-12")])
    r = evaluate(plans, roster, deals, 2026, fx=RATES)
    table = pay_by_currency(r).set_index("currency")
    # A: 1,000.00 USD / 1.20 (the inverse of EUR->USD as of 31 Jan) = 833.33 EUR; J as
    # before 150,502 JPY. Reporting in USD at the mean of the month-end rates: EUR 1.20
    # all year; JPY the inverse of 150.5 (January) and 149.0 (February on)
    assert table.loc["EUR", "paid"] == pytest.approx(833.33)
    assert table.loc["EUR", "rate"] == pytest.approx(1.2)
    assert table.loc["JPY", "rate"] == pytest.approx((1 / 150.5 + 11 / 149.0) / 12)
    assert table.loc["JPY", "in_USD"] == pytest.approx(150502 * (1 / 150.5 + 11 / 149) / 12)
