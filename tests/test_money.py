"""Money rules, value by value: rounding half away from zero to each currency's minor
units, exact sums, lines that add up, splits that add up, and the refusal of runaway
amounts. Every expected value is worked out in the comment beside it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compplan.core.money import (
    AmountOverflowError,
    cumulative_lines,
    exact_sum,
    format_minor,
    largest_remainder,
    largest_remainder_rows,
    to_minor,
)
from compplan.engine.schedules import round_half_up


def test_half_rounds_away_from_zero_in_each_currencys_units() -> None:
    # 0.125 at 2 places is a tie: 0.13; -0.125: -0.13; 2.5 yen: 3; 0.0005 dinar: 0.001
    assert to_minor([0.125, -0.125, 0.124999], 2).tolist() == [13, -13, 12]
    assert to_minor([2.5, -2.5, 2.4999], 0).tolist() == [3, -3, 2]
    assert to_minor([0.0005, 1.2345], 3).tolist() == [1, 1235]
    assert to_minor([np.nan], 2).tolist() == [0]  # no amount is no money


def test_a_runaway_amount_is_refused_with_the_whole_message() -> None:
    with pytest.raises(AmountOverflowError) as err:
        to_minor([1.0, -2e13], 2)
    assert str(err.value) == ("an amount of -2e+13 is not below 1e+13, the largest amount "
                              "compplan pays: check the input amounts, rates, caps and scale "
                              "factors")
    assert err.value.amount == -2e13


def test_formatting_uses_integers_only() -> None:
    assert format_minor([123456, -5, 0, 7, -100000], [2, 2, 0, 3, 3]) == [
        "1234.56", "-0.05", "0", "0.007", "-100.000"]
    assert format_minor([10**18 + 1], 2) == ["10000000000000000.01"]  # no float on the way


def test_exact_sum_does_not_wrap_around() -> None:
    # an int64 sum of 100,000 x 1e14 would wrap; the exact sum is 1e19
    assert exact_sum(np.full(100_000, 10**14, dtype=np.int64)) == 10**19
    assert exact_sum([-(2**40), 2**40 + 7, -3]) == 4


def test_cumulative_lines_add_up_to_the_rounded_total() -> None:
    # running totals 0.004, 0.008, 0.012 round to 0, 0.01, 0.01: lines 0, 1, 0 cents
    assert cumulative_lines(np.array([[0.004, 0.008, 0.012]])).tolist() == [[0, 1, 0]]
    # in yen: 0.4, 0.9, 1.6 round to 0, 1, 2: lines 0, 1, 1
    assert cumulative_lines(np.array([[0.4, 0.9, 1.6]]), 0).tolist() == [[0, 1, 1]]


def test_largest_remainder_hand_cases() -> None:
    # 100 in thirds: 33.33 each, the one unit left goes to the first (ties: earliest)
    assert largest_remainder(100, [1, 1, 1]).tolist() == [34, 33, 33]
    # 10 by 0.45 / 0.35 / 0.2: 4.5, 3.5, 2 -> floors 4, 3, 2 and the unit left to the
    # first of the two .5 remainders
    assert largest_remainder(10, [0.45, 0.35, 0.2]).tolist() == [5, 3, 2]
    # 7 by 1 / 2 / 4 exactly: 1, 2, 4
    assert largest_remainder(7, [1, 2, 4]).tolist() == [1, 2, 4]
    # remainders 0.2, 0.7, 0.1 of 2.2, 3.7, 1.1 (total 7): the unit goes to the 0.7
    assert largest_remainder(7, [2.2, 3.7, 1.1]).tolist() == [2, 4, 1]
    with pytest.raises(ValueError, match="weights must have a positive sum"):
        largest_remainder(5, [0, 0])


def test_largest_remainder_rows_each_row_on_its_own() -> None:
    got = largest_remainder_rows([10, 5, 0], [[1, 1, 1], [0, 0, 0], [1, 2, 3]])
    # 10 in thirds: 4, 3, 3; a row of zero weights gets nothing; 0 stays 0
    assert got.tolist() == [[4, 3, 3], [0, 0, 0], [0, 0, 0]]


@given(st.integers(0, 10**9), st.lists(st.integers(1, 10**6), min_size=1, max_size=12))
def test_largest_remainder_adds_up_and_stays_within_a_unit(total: int,
                                                           weights: list[int]) -> None:
    parts = largest_remainder(total, weights)
    exact = np.array(weights, dtype=np.float64) / sum(weights) * total
    assert int(parts.sum()) == total
    assert (np.abs(parts - exact) < 1 + 1e-6).all()
    assert (parts >= np.floor(exact - 1e-6)).all()


def test_scores_are_snapped_before_rounding() -> None:
    # float noise within a millionth of a tie rounds as the tie: 0.4999996 -> 1;
    # 0.4999994 is below the snap: 0. Half away from zero: -2.5 -> -3
    assert round_half_up(np.array([0.4999996, 0.4999994, -2.5]), 0).tolist() == [1.0, 0.0,
                                                                                  -3.0]


def test_largest_remainder_edges_found_by_mutation() -> None:
    # weights summing below 1 are shares of their own sum: 10 by 0.25 / 0.25 is 5 / 5
    assert largest_remainder(10, [0.25, 0.25]).tolist() == [5, 5]
    # the unit left goes by remainder, not by size: 5.1 / 1.9 of 7 -> 5 and 2
    assert largest_remainder(7, [5.1, 1.9]).tolist() == [5, 2]
    # ties go to the earliest parts, however many: 10 units over 20 equal weights
    assert largest_remainder(10, [1] * 20).tolist() == [1] * 10 + [0] * 10
    # each row keeps its own units left: 10 in thirds -> 4, 3, 3; 5 in halves -> 3, 2, 0
    assert largest_remainder_rows([10, 5], [[1, 1, 1], [1, 1, 0]]).tolist() == [
        [4, 3, 3], [3, 2, 0]]
    with pytest.raises(ValueError) as err:
        largest_remainder(5, [0, 0])
    assert str(err.value) == "weights must have a positive sum"


def test_cumulative_lines_run_along_the_last_axis_of_any_shape() -> None:
    # draws x seats x months: each seat's months are its own running total
    earned = np.array([[[1.0, 2.5], [0.5, 0.5]]])
    assert cumulative_lines(earned, 0).tolist() == [[[1, 2], [1, 0]]]
