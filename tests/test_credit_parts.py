"""Credits as numbers on the pay path, labelled only when read (issue 22), and the
array kernels the faster engine rests on, each against the plain numpy or pandas way
it replaced."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from compplan.core.labels import among
from compplan.core.money import to_minor
from compplan.core.periods import Calendar
from compplan.engine.credit_parts import Gathered, repeated, stack_rows, take_rows
from compplan.engine.schedules import nan_as
from compplan.inputs.bundle import Inputs
from compplan.inputs.ingest import table_from_frame
from compplan.plan.load import load_plans
from compplan.result import Result, evaluate
from tests.conftest import deal, person, plan_folder, ten_percent_plan

MGR = """
plan: m
measures:
  team:
    table: deals
    filter: {column: stage, eq: Closed Won}
    value: amount
    date: close_date
    credit_to: {manager_of: owner_id, levels: 2}
components:
  - id: override
    kind: commission
    measure: team
    period: month
    basis: value
    schedule:
      mode: marginal
      tiers:
        - {from: 0, rate: 0.01}
"""


def _result(tmp_path: Path) -> Result:
    plan_folder(tmp_path, ten_percent_plan("p"), "p.yaml")
    plans = load_plans(plan_folder(tmp_path, MGR, "m.yaml"))
    roster = [person("A", "p", manager_id="M"), person("M", "m", manager_id="V"),
              person("V", "m")]
    deals = [deal("D1", "A", 1000.0, "2026-02-10"), deal("D2", "A", 500.0, "2026-03-05"),
             deal("D3", "A", 70.0, "2026-03-06", stage="Closed Lost")]
    inputs = Inputs(roster=table_from_frame(pd.DataFrame(roster), "roster"),
                    deals=table_from_frame(pd.DataFrame(deals), "deals"))
    return evaluate(plans, inputs, 2026)


def test_the_pay_labels_no_credit_and_the_labels_agree_with_the_numbers(tmp_path: Path
                                                                      ) -> None:
    result = _result(tmp_path)
    # A is paid 10 %: 100.00 in February, 50.00 in March; M and V 1 % of the team's
    got = result.lines.groupby(["payee_id", "period"])["cents"].sum().to_dict()
    assert got == {("A", "2026-02"): 10000, ("A", "2026-03"): 5000,
                   ("M", "2026-02"): 1000, ("M", "2026-03"): 500,
                   ("V", "2026-02"): 1000, ("V", "2026-03"): 500}
    assert "frame" not in vars(result.credit_parts)  # nothing labelled on the way
    team = result.credit_parts.part("m", "team")
    assert team is not None and isinstance(team.columns, Gathered)
    frame = result.credit_rows  # labelled now, when read
    rows = frame[frame["measure"] == "team"]
    assert rows["payee_id"].astype(str).tolist() == ["M", "M", "V", "V"]
    assert rows["via"].astype(str).tolist() == ["team:A"] * 4
    assert rows["deal_id"].astype(str).tolist() == ["D1", "D2", "D1", "D2"]
    assert rows["credit_value"].tolist() == [1000.0, 500.0, 1000.0, 500.0]
    # and the parts now read their numbers from the frame: one copy of the credits
    assert np.shares_memory(team.columns["credit_value"],
                            frame["credit_value"].to_numpy())
    assert team.columns["credit_value"].tolist() == [1000.0, 500.0, 1000.0, 500.0]


def test_one_value_repeated_stays_repeated_through_picks_and_stacks() -> None:
    ones = repeated(1.0, 5)
    assert ones.strides == (0,) and ones.tolist() == [1.0] * 5
    picked = take_rows(ones, np.array([True, False, True, False, False]))
    assert picked.strides == (0,) and picked.tolist() == [1.0, 1.0]
    assert take_rows(ones, np.array([4, 0, 0])).tolist() == [1.0] * 3
    assert take_rows(np.arange(5.0), np.array([4, 0])).tolist() == [4.0, 0.0]
    both = stack_rows([ones, repeated(1.0, 2)])
    assert both.strides == (0,) and len(both) == 7
    mixed = stack_rows([ones, repeated(2.0, 2)])
    assert mixed.tolist() == [1.0] * 5 + [2.0, 2.0] and mixed.strides != (0,)


def test_gathered_columns_are_taken_from_the_batch_when_read_and_ship_as_arrays() -> None:
    batch = {"credit_value": np.array([5.0, 6.0, 7.0]), "credit_share": repeated(1.0, 3),
             "clawback": repeated(False, 3), "source_idx": np.array([10, 11, 12]),
             "lookup_idx": repeated(np.int64(-1), 3), "fx_rate": repeated(1.0, 3)}
    own = {"code": np.array([0, 0]), "seat": np.array([3, 3]),
           "credit_date": np.array(["2026-01-02", "2026-01-03"], dtype="datetime64[D]"),
           "month": np.array([0, 0]), "via": repeated(np.int64(-1), 2)}
    gathered = Gathered(own, batch, np.array([2, 0]))
    assert gathered["credit_value"].tolist() == [7.0, 5.0]
    assert gathered["source_idx"].tolist() == [12, 10]
    shipped = pickle.loads(pickle.dumps(gathered))
    assert isinstance(shipped, dict) and shipped["fx_rate"].tolist() == [1.0, 1.0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-800, 1200), min_size=1, max_size=60), st.integers(1999, 2101))
def test_the_month_of_a_date_is_numpys_month_inside_the_year(days: list[int],
                                                              year: int) -> None:
    dates = np.datetime64(f"{year}-01-01", "D") + np.array(days)
    months = dates.astype("datetime64[M]").astype(np.int64) - (year - 1970) * 12
    expected = np.where((months >= 0) & (months < 12), months, -1)
    assert Calendar(year).month_of(dates).tolist() == expected.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "", None]), max_size=30),
       st.lists(st.sampled_from(["a", "c", "", None]), max_size=6))
def test_among_is_pandas_isin(values: list[str | None], allowed: list[str | None]) -> None:
    column = pd.Series(values, dtype="str")
    assert among(column, pd.Series(allowed, dtype="str")).tolist() == column.isin(
        pd.Series(allowed, dtype="str")).tolist()


floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=300, deadline=None)
@given(st.lists(floats, max_size=40), st.sampled_from([0.0, -np.inf, 1.5]))
def test_nan_as_is_nan_to_num(values: list[float], fill: float) -> None:
    x = np.array(values, dtype=np.float64)
    assert np.array_equal(nan_as(x, fill), np.nan_to_num(x, nan=fill), equal_nan=True)


def _to_minor_before(amount: np.ndarray, decimals: int) -> np.ndarray:
    """The rounding as written before it was made to work in place (issue 22)."""
    units = np.round(amount * float(10**decimals), 4)
    rounded = np.floor(np.abs(units) + 0.5) * np.sign(units)
    return np.asarray(np.nan_to_num(rounded, nan=0.0), dtype=np.int64)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e12, 1e12), st.just(np.nan),
                          st.integers(-10**8, 10**8).map(lambda c: c / 100 + 0.005)),
                max_size=40), st.sampled_from([0, 2, 3]))
def test_rounding_in_place_rounds_as_before(values: list[float], decimals: int) -> None:
    x = np.array(values, dtype=np.float64)
    assert to_minor(x, decimals).tolist() == _to_minor_before(x, decimals).tolist()
    if len(x):
        assert int(to_minor(x[0], decimals)) == int(_to_minor_before(x[:1], decimals)[0])
