"""Commission accounting (ASC 340-40): each rule against a hand-computed case.

The base plan pays 10 % of each month's won bookings in the month it closes
(tests/conftest.py::ten_percent_plan), so a deal of 36,000 pays a commission of 3,600.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compplan.accounting.books import books_of, read_opening
from compplan.accounting.files import write_books
from compplan.accounting.policy import policy_from_text
from compplan.api import evaluate
from compplan.errors import InputError
from compplan.plan.load import load_plans
from compplan.result import Result
from compplan.schema.accounting import AccountingPolicy
from tests.conftest import bookings_measure, deal, person, plan_folder, ten_percent_plan

ROSTER = pd.DataFrame([person("A", "acc", start_date="2026-01-01")])
POLICY = """
policy: test
entity: E1
practical_expedient: {expedient}
first_month: {first}
capitalize:
  - plan: acc
    components: [commission]
    benefit: contract
"""


def run(tmp_path: Path, deals: list[dict[str, object]], plan: str | None = None,
        year: int = 2026) -> Result:
    folder = plan_folder(tmp_path, plan or ten_percent_plan("acc", measure_extra=""))
    return evaluate(folder, ROSTER, pd.DataFrame(deals), year)


def policy(result: Result, text: str | None = None, expedient: bool = True,
           first: str = "full") -> AccountingPolicy:
    return policy_from_text(text or POLICY.format(expedient=str(expedient).lower(),
                                                  first=first), "accounting.yaml",
                            result.plans)


def month(books: object, label: str, column: str) -> int:
    roll = books.rollforward  # type: ignore[attr-defined]
    return int(roll.loc[roll["month"] == label, column].sum())


def test_a_36_month_contract_amortizes_100_a_month(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    books = books_of(r, policy(r))
    (asset,) = books.schedule.assets.to_dict("records")
    assert (asset["capitalized"], asset["months"], asset["start"]) == (360_000, 36, "2026-01")
    assert set(books.schedule.amortized[0][books.schedule.amortized[0] != 0]) == {10_000}
    assert (books.schedule.amortized[0] != 0).sum() == 36  # 2026-01 .. 2028-12
    assert month(books, "2026-12", "closing") == 240_000
    assert month(books, "2026-12", "current") == 120_000  # due in the next 12 months
    assert month(books, "2026-12", "non_current") == 120_000
    assert month(books, "2028-12", "closing") == 0


def test_half_a_first_month_and_half_a_month_after_the_last(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    books = books_of(r, policy(r, first="half"))
    assert month(books, "2026-01", "amortization") == 5_000
    assert month(books, "2026-02", "amortization") == 10_000
    assert month(books, "2029-01", "amortization") == 5_000  # the 37th month
    year = books.rollforward[books.rollforward["basis"] == "actual"]
    assert int(year["amortization"].sum()) == 5_000 + 11 * 10_000


def test_twelve_months_with_the_expedient_are_expensed_at_once(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 12_000, "2026-03-05", term_months=12)])
    books = books_of(r, policy(r))
    assert books.schedule.assets.empty
    assert month(books, "2026-03", "expensed") == 120_000
    (entry,) = books.journal[books.journal["debit"] != ""].to_dict("records")
    assert (entry["date"], entry["account"], entry["debit"]) == (
        "2026-03-31", "6100 Commission expense", "1200.00")
    without = books_of(r, policy(r, expedient=False))  # the expedient is a choice
    assert month(without, "2026-03", "additions") == 120_000
    assert month(without, "2026-03", "amortization") == 10_000


def test_a_renewal_commission_has_its_own_benefit_period(tmp_path: Path) -> None:
    deals = [deal("D1", "A", 60_000, "2026-01-10", term_months=36, account_id="new"),
             deal("D2", "A", 24_000, "2026-01-20", term_months=24, account_id="renewal")]
    r = run(tmp_path, deals)
    text = """
capitalize:
  - {plan: acc, components: [commission], when: {column: account_id, in: [renewal]},
     benefit: contract}
  - {plan: acc, components: [commission], benefit: 60}
"""
    books = books_of(r, policy(r, text))
    assets = books.schedule.assets.set_index("deal_id")
    # D1: 6,000 over the 60-month customer life; D2: 2,400 over its 24-month term
    assert assets.loc["D1", ["months", "capitalized", "amortized"]].tolist() == [
        60, 600_000, 12 * 10_000]
    assert assets.loc["D2", ["months", "capitalized", "amortized"]].tolist() == [
        24, 240_000, 12 * 10_000]


QUARTERLY = f"""
plan: acc
{bookings_measure()}components:
  - id: commission
    kind: commission
    measure: bookings
    basis: value
    period: quarter
    schedule:
      mode: marginal
      tiers: [{{from: 0, rate: 0.05}}, {{from: 100000, rate: 0.10}}]
"""


def test_a_tiered_quarterly_commission_is_shared_over_its_deals_to_the_cent(
        tmp_path: Path) -> None:
    """Q1 bookings 50,000 + 70,000 + 30,000 = 150,000: 5 % of 100,000 + 10 % of 50,000 =
    10,000.00 in March, shared 50:70:30 = 3,333.333 / 4,666.667 / 2,000.000; the cent
    left by the floors goes to the largest remainder (D2)."""
    deals = [deal("D1", "A", 50_000, "2026-01-10", term_months=36),
             deal("D2", "A", 70_000, "2026-02-10", term_months=36),
             deal("D3", "A", 30_000, "2026-03-10", term_months=36)]
    r = run(tmp_path, deals, QUARTERLY)
    lines = r.lines[r.lines["component"] == "commission"]
    assert lines[["period", "cents"]].values.tolist() == [["2026-03", 1_000_000]]
    books = books_of(r, policy(r))
    shares = books.allocated.rows.set_index("deal_id")["cents"]
    assert shares.to_dict() == {"D1": 333_333, "D2": 466_667, "D3": 200_000}
    assert int(shares.sum()) == 1_000_000
    assert set(books.allocated.rows["basis"]) == {"pro rata"}


def test_a_cancellation_in_month_10_writes_off_the_rest(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36,
                            cancel_date="2026-10-15")])
    books = books_of(r, policy(r))
    assert month(books, "2026-09", "amortization") == 10_000
    assert month(books, "2026-10", "amortization") == 0
    assert month(books, "2026-10", "write_offs") == 360_000 - 9 * 10_000
    assert month(books, "2026-10", "closing") == 0
    off = books.journal[books.journal["memo"].str.startswith("contract cancelled")]
    assert off["debit"].tolist() == ["2700.00", ""] and off["credit"].tolist() == ["", "2700.00"]


def test_a_clawback_reduces_its_asset_first_then_expense(tmp_path: Path) -> None:
    """3,600 capitalized in January, 100 amortized in January and February: 3,400 left.
    Cancelled on 1 March within the 90-day clawback: the -3,600 line takes 3,400 off the
    asset and 200 off commission expense."""
    plan = ten_percent_plan("acc", measure_extra="    clawback: {within_days: 90}")
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36,
                            cancel_date="2026-03-01")], plan)
    assert r.lines.loc[r.lines["component"] == "commission", "cents"].tolist() == [
        360_000, -360_000]
    books = books_of(r, policy(r))
    assert month(books, "2026-03", "clawbacks") == 340_000
    assert month(books, "2026-03", "expensed") == -20_000
    assert month(books, "2026-03", "closing") == 0
    memo = books.journal["memo"]
    assert books.journal.loc[memo.str.startswith("clawback past"), "credit"].tolist() == [
        "", "200.00"]


def test_the_journal_balances_every_month_and_the_rollforward_adds_up(
        tmp_path: Path) -> None:
    from compplan.inputs.sample import make_company

    company = make_company(7, currencies=True)
    plans = load_plans(Path(__file__).resolve().parent.parent / "plans")
    r = evaluate(plans, company.roster, company.deals, 2026, quotas=company.quotas,
                 accounts=company.accounts, fx=company.fx)
    text = (Path(__file__).resolve().parent.parent / "policies" / "accounting.yaml").read_text()
    books = books_of(r, policy_from_text(text, "accounting.yaml", r.plans))
    j = books.journal
    amounts = j.assign(d=pd.to_numeric(j["debit"].replace("", np.nan)).fillna(0.0),
                       c=pd.to_numeric(j["credit"].replace("", np.nan)).fillna(0.0))
    per_month = amounts.groupby(["date", "currency"])[["d", "c"]].sum()
    assert len(per_month) >= 24
    assert np.allclose(per_month["d"], per_month["c"], atol=1e-9)  # to the cent
    roll = books.rollforward
    assert (roll["closing"] == roll["opening"] + roll["additions"] - roll["clawbacks"]
            - roll["amortization"] - roll["write_offs"]).all()
    assert (roll["current"] + roll["non_current"] == roll["closing"]).all()
    lines = r.lines[r.lines["component"].isin(["commission", "spiff_multiyear",
                                               "deal_commission", "partner_commission"])
                    & r.lines["plan"].isin(["ae-2026", "am-2026", "partner-2026"])]
    allocated = books.allocated.rows["cents"].sum() + books.allocated.unallocated["cents"].sum()
    assert int(allocated) == int(lines["cents"].sum())  # every cent of every line placed


def test_opening_balances_continue_their_schedules(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    write_books(books_of(r, policy(r)), tmp_path / "2026")
    opening = read_opening(tmp_path / "2026" / "assets.csv")
    assert opening["carrying_end"].tolist() == ["2400.00"]
    later = run(tmp_path / "y2", [deal("X", "A", 0, "2027-01-10", stage="Closed Lost")],
                year=2027)
    books = books_of(later, policy(later), opening)
    assert month(books, "2027-01", "opening") == 240_000
    assert month(books, "2027-01", "amortization") == 10_000
    assert month(books, "2027-12", "closing") == 120_000


def test_policy_mistakes_are_reported_at_their_line(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    text = """capitalize:
  - plan: acc
    components: [commision]
  - plan: nope
    components: [commission]
  - plan: acc
    components: [commission]
    benefit: 0
"""
    with pytest.raises(InputError) as caught:
        policy_from_text(text, "accounting.yaml", r.plans)
    said = [(i.line, i.field, i.message) for i in caught.value.issues]
    assert said == [(8, "capitalize[2].benefit",
                     "benefit of 0 months: give 1 to 600, or contract")]  # the schema first
    with pytest.raises(InputError) as caught:
        policy_from_text(text.replace("benefit: 0", "benefit: 12"), "accounting.yaml",
                         r.plans)
    said = [(i.line, i.field, i.message) for i in caught.value.issues]
    assert said == [
        (3, "capitalize[0].components[0]",
         "plan acc has no component 'commision' (it has commission)"),
        (4, "capitalize[1].plan", "no plan 'nope' in the run (plans: acc)")]


def test_a_contract_without_a_term_is_refused(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months="")])
    with pytest.raises(InputError) as caught:
        books_of(r, policy(r))
    (issue,) = caught.value.issues
    assert "needs a close_date date and a whole term_months" in issue.message
    assert issue.line == 2 and issue.field == "term_months"


def test_a_policy_column_the_deals_lack_is_named_with_its_policy_key(tmp_path: Path) -> None:
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    text = POLICY.format(expedient="true", first="full") + "contract: {cancel: cancelled_on}\n"
    with pytest.raises(InputError) as caught:
        books_of(r, policy(r, text))
    (issue,) = caught.value.issues
    assert issue.message == ("no column 'cancelled_on': the accounting policy's "
                             "contract.cancel names it; set contract: {cancel: null} if "
                             "contracts are never cancelled")


def test_the_amortize_command_writes_the_books(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from compplan.cli import app

    root = Path(__file__).resolve().parent.parent
    case = root / "tests" / "cases" / "mixed-2026"
    args = ["amortize", "--plans", str(root / "plans"), "--year", "2026",
            "--policy", str(root / "policies" / "accounting.yaml"),
            "--out", str(tmp_path / "acc")]
    for table in ("roster", "deals", "quotas", "accounts"):
        args += [f"--{table}", str(case / f"{table}.csv")]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "acc").iterdir()) == [
        "accounting.xlsx", "allocations.csv", "amortization.csv", "assets.csv", "journal.csv",
        "rollforward.csv"]
    assert "USD: deferred commissions" in res.output
    roll = pd.read_csv(tmp_path / "acc" / "rollforward.csv")
    assert list(roll.columns[:4]) == ["month", "basis", "entity", "currency"]
    at = args.index("--policy")
    args[at + 1] = str(tmp_path / "none.yaml")
    args[args.index("--out") + 1] = str(tmp_path / "x")
    missing = CliRunner().invoke(app, args)
    assert missing.exit_code == 2 and "none.yaml" in missing.output
    assert not (tmp_path / "x").exists()


SPIFF = f"""
plan: acc
{bookings_measure()}components:
  - id: commission
    kind: spiff
    measure: bookings
    amount: 500
    per_split: false
"""


def test_a_spiff_is_shared_by_what_each_deal_earned_not_by_value(tmp_path: Path) -> None:
    """Two deals of 10,000 and 90,000 in March each earn a SPIFF of 500: the 1,000.00
    line is 500.00 per contract (pro rata to value it would be 100 / 900)."""
    deals = [deal("D1", "A", 10_000, "2026-03-02", term_months=24),
             deal("D2", "A", 90_000, "2026-03-20", term_months=24)]
    r = run(tmp_path, deals, SPIFF)
    books = books_of(r, policy(r))
    rows = books.allocated.rows.set_index("deal_id")
    assert rows["cents"].to_dict() == {"D1": 50_000, "D2": 50_000}
    assert set(rows["basis"]) == {"per credit"}


def test_a_contract_carried_above_its_remaining_consideration_is_written_down(
        tmp_path: Path) -> None:
    """3,600 over 36 months from January: 2,400 carried at December. The contract's
    remaining consideration is 1,000 and its costs to fulfil 200: the asset may carry
    800, so 1,600 is impaired in December."""
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36,
                            remaining=1_000, costs=200)])
    text = POLICY.format(expedient="true", first="full") + """
contract:
  remaining_consideration: remaining
  costs_to_fulfil: costs
"""
    books = books_of(r, policy(r, text))
    assert month(books, "2026-11", "write_offs") == 0
    assert month(books, "2026-12", "amortization") == 10_000
    assert month(books, "2026-12", "write_offs") == 160_000
    assert month(books, "2026-12", "closing") == 80_000
    (asset,) = books.schedule.assets.to_dict("records")
    assert asset["impaired"] == 160_000
    # the rest amortizes over the 24 months left: 800 / 24 = 33.33 a month
    assert month(books, "2027-01", "amortization") == 3_333


TAXED = POLICY.format(expedient="true", first="full") + """
employer_taxes: {rate: 0.0765, account: 2160 Accrued payroll taxes}
"""


def test_employer_taxes_are_capitalized_with_their_commission(tmp_path: Path) -> None:
    """3,600 commission + 7.65 % employer taxes (275.40) = 3,875.40 over 36 months:
    107.65 a month, 2,583.60 carried at December."""
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36)])
    books = books_of(r, policy(r, TAXED))
    (asset,) = books.schedule.assets.to_dict("records")
    assert (asset["capitalized"], asset["employer_taxes"]) == (387_540, 27_540)
    assert month(books, "2026-01", "amortization") == 10_765
    assert month(books, "2026-12", "closing") == 258_360
    taxes = books.journal[books.journal["memo"].str.startswith("employer taxes capitalized")]
    assert taxes[["account", "debit", "credit"]].values.tolist() == [
        ["1810 Deferred commissions, non-current", "275.40", ""],
        ["2160 Accrued payroll taxes", "", "275.40"]]


def test_a_clawback_takes_back_commission_and_taxes_in_proportion(tmp_path: Path) -> None:
    """3,875.40 capitalized, 215.30 amortized by February: 3,660.10 left. The clawback
    of 3,600 + 275.40 takes the 3,660.10 (3,400.00 commission, 260.10 taxes: 17/18 of
    each) and 215.30 past the asset (200.00 and 15.30) off expense."""
    plan = ten_percent_plan("acc", measure_extra="    clawback: {within_days: 90}")
    r = run(tmp_path, [deal("D1", "A", 36_000, "2026-01-10", term_months=36,
                            cancel_date="2026-03-01")], plan)
    books = books_of(r, policy(r, TAXED))
    j = books.journal.set_index("memo")
    cut = j.loc[j.index.str.startswith("clawback: "), "debit"].tolist()
    cut_tax = j.loc[j.index.str.startswith("clawback, employer taxes"), "debit"].tolist()
    past = j.loc[j.index.str.startswith("clawback past the asset: "), "debit"].tolist()
    past_tax = j.loc[j.index.str.startswith("clawback past the asset, employer"), "debit"]
    assert (cut, cut_tax, past, past_tax.tolist()) == (
        ["3400.00", ""], ["260.10", ""], ["200.00", ""], ["15.30", ""])
    assert month(books, "2026-03", "closing") == 0
