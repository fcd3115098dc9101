"""partner-2026, hand-computed: retroactive tiers on year-to-date revenue."""

from __future__ import annotations

import pytest

from tests.conftest import Case, deal, lines, person

pytestmark = pytest.mark.both_engines  # each case runs in process and on Dask


def test_retroactive_tiers_true_up_each_month(case: Case) -> None:
    case.roster = [person("P", "partner-2026"), person("N", "partner-2026")]
    case.deals = [
        deal("D1", "P", 90000, "2026-01-15"),  # R = 90,000 x 5 % = 4,500
        deal("D2", "P", 20000, "2026-02-15"),  # R = 110,000 x 7 % = 7,700
        deal("D3", "P", 150000, "2026-03-15"),  # R = 260,000 x 9 % = 23,400
        deal("D4", "P", -20000, "2026-04-15"),  # R = 240,000 x 7 % = 16,800
        deal("D5", "N", -5000, "2026-04-15"),  # R <= 0 pays nothing
    ]
    r = case.run()
    assert lines(r, "P", "partner_commission") == {
        "2026-01": "4500.00", "2026-02": "3200.00", "2026-03": "15700.00", "2026-04": "-6600.00"}
    assert lines(r, "N", "partner_commission") == {}
    assert lines(r, "P", "base_salary") == {}


def test_cumulative_lines_add_up_to_the_rounded_year(case: Case) -> None:
    case.roster = [person("P", "partner-2026")]
    case.deals = [deal(f"D{m}", "P", 333.33, f"2026-{m:02d}-01") for m in range(1, 13)]
    r = case.run()
    months = lines(r, "P", "partner_commission")
    total = sum(round(float(v) * 100) for v in months.values())
    # 12 x 333.33 = 3,999.96 x 5 % = 199.998 -> 200.00
    assert total == 20000
    assert months["2026-01"] == "16.67"  # 16.6665 -> 16.67
