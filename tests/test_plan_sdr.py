"""sdr-2026, hand-computed: pipeline and meetings curves on monthly file quotas."""

from __future__ import annotations

import pytest

from tests.conftest import Case, deal, pay, person, reasons

pytestmark = pytest.mark.both_engines  # each case runs in process and on Dask


def sdr_case(case: Case, **kw: object) -> None:
    row = {"base_salary": 60000, "target_incentive": 24000}  # MT = 2,000 a month
    row.update(kw)
    case.roster = [person("S", "sdr-2026", **row), person("A", "ae-2026", base_salary=1,
                                                          target_incentive=1, quota=1)]
    months = {"2026-01": (100000, 4), "2026-02": (100000, 4), "2026-03": (100000, None),
              "2026-04": (0, 2), "2026-05": (100000, 4)}
    for period, (pipe, meet) in months.items():
        case.quotas.append({"payee_id": "S", "measure": "pipeline", "period": period,
                            "quota": pipe})
        if meet is not None:
            case.quotas.append({"payee_id": "S", "measure": "meetings", "period": period,
                                "quota": meet})


def sourced(deal_id: str, amount: float, created: str, **kw: object) -> dict[str, object]:
    kw.setdefault("stage", "Qualified")
    return deal(deal_id, "A", amount, "", created_date=created, sdr_id="S", **kw)


def test_pipeline_and_meetings_in_a_month(case: Case) -> None:
    sdr_case(case)
    case.deals = [
        sourced("D1", 30000, "2026-01-05"),
        sourced("D2", 20000, "2026-01-06", stage="Closed Lost"),
        sourced("D3", 10000, "2026-01-07", stage="Closed Won", split_pct=0.5),
        deal("D3", "A", 10000, "", created_date="2026-01-07", sdr_id="S", split_pct=0.5),
        sourced("D4", 100000, "2026-01-08", stage="Disqualified"),
    ]
    r = case.run()
    # pipeline 60,000 (D3 once, whole amount; D4 excluded): a = 0.6 -> 0.6 x 2,000 x 0.6
    assert pay(r, "S", "2026-01", "pipeline_incentive") == "720.00"
    # meetings 3 of 4: a = 0.75 -> 0.4 x 2,000 x 0.75
    assert pay(r, "S", "2026-01", "meetings_incentive") == "600.00"


def test_curve_accelerates_above_quota(case: Case) -> None:
    sdr_case(case)
    case.deals = [sourced("D1", 120000, "2026-02-03")]
    r = case.run()
    # a = 1.2 -> 1 + 2 x 0.2 = 1.4 -> 0.6 x 2,000 x 1.4; meetings 1/4 pays 0
    assert pay(r, "S", "2026-02", "pipeline_incentive") == "1680.00"
    assert pay(r, "S", "2026-02", "meetings_incentive") == "0.00"


def test_below_half_pays_nothing_and_missing_quota_is_reported(case: Case) -> None:
    sdr_case(case)
    case.deals = [sourced("D1", 49999, "2026-03-03")]
    r = case.run()
    assert pay(r, "S", "2026-03", "pipeline_incentive") == "0.00"
    assert pay(r, "S", "2026-03", "meetings_incentive") == "0.00"
    assert reasons(r, payee_id="S", period="2026-03", measure="meetings") == [
        "no quota for meetings: pays nothing on it"]


def test_zero_quota_pays_nothing_and_curve_caps_at_two(case: Case) -> None:
    sdr_case(case)
    case.deals = [sourced(f"D{i}", 125000, "2026-04-02") for i in range(4)]
    r = case.run()
    assert pay(r, "S", "2026-04", "pipeline_incentive") == "0.00"
    assert reasons(r, payee_id="S", period="2026-04", measure="pipeline") == [
        "quota for pipeline is zero or negative: pays nothing on it"]
    # meetings 4 of 2: a = 2 -> capped at 2.0 -> 0.4 x 2,000 x 2
    assert pay(r, "S", "2026-04", "meetings_incentive") == "1600.00"


def test_monthly_target_is_prorated_for_a_leaver(case: Case) -> None:
    sdr_case(case, end_date="2026-05-15")
    case.deals = [sourced("D1", 150000, "2026-05-10")]
    r = case.run()
    # MT = 2,000 x 15/31; a = 1.5 -> 2.0: 0.6 x 967.74... x 2 = 1,161.29
    assert pay(r, "S", "2026-05", "pipeline_incentive") == "1161.29"
    assert pay(r, "S", "2026-05", "base_salary") == "2419.35"
    # no quota rows after May, but S is no longer active: nothing to report
    assert reasons(r, payee_id="S", period="2026-06") == []
