"""kam-2026, hand-computed: margin by account class, through account ownership."""

from __future__ import annotations

import pytest

from tests.conftest import Case, deal, pay, person, reasons

pytestmark = pytest.mark.both_engines  # each case runs in process and on Dask


def test_account_commission_by_class(case: Case) -> None:
    case.roster = [person("K", "kam-2026", base_salary=90000),
                   person("A", "ae-2026", base_salary=1, target_incentive=1, quota=1),
                   person("B", "ae-2026", base_salary=1, target_incentive=1, quota=1)]
    case.accounts = [{"account_id": "ACC1", "kam_id": "K", "class": "A"},
                     {"account_id": "ACC2", "kam_id": "K", "class": "C"},
                     {"account_id": "ACC3", "kam_id": "NOBODY", "class": "B"}]
    case.deals = [
        deal("D1", "GHOST", 100000, "2026-02-03", margin=10000, account_id="ACC1"),
        deal("D2", "A", 50000, "2026-02-04", margin=20000, account_id="ACC2", split_pct=0.5),
        deal("D2", "B", 50000, "2026-02-04", margin=20000, account_id="ACC2", split_pct=0.5),
        deal("D3", "A", 9000, "2026-03-05", margin=5000, account_id="ACC2",
             cancel_date="2026-04-04"),
        deal("D4", "A", 9000, "2026-03-05", margin=5000, account_id="ACC1", stage="Closed Lost"),
        deal("D5", "A", 9000, "2026-03-05", margin=7000, account_id="ACC3"),
    ]
    r = case.run()
    # Feb: 10,000 x 2 % (owner not in roster: the KAM still earns) + 20,000 x 4 % once
    assert pay(r, "K", "2026-02", "account_commission") == "1000.00"
    assert pay(r, "K", "2026-03", "account_commission") == "200.00"
    assert pay(r, "K", "2026-04", "account_commission") == "-200.00"  # clawback
    assert pay(r, "K", "2026-02", "base_salary") == "7500.00"
    assert reasons(r, deal_id="D1", payee_id="GHOST") == ["payee not in roster"]
    assert reasons(r, deal_id="D5", payee_id="NOBODY") == ["payee not in roster"]


def test_accounts_nobody_owns_credit_nothing(case: Case) -> None:
    case.roster = [person("K", "kam-2026", base_salary=90000)]
    case.accounts = [{"account_id": "ACC1", "kam_id": "", "class": "A"}]
    case.deals = [deal("D1", "X", 100000, "2026-02-03", margin=10000, account_id="ACC1")]
    r = case.run()
    assert r.credits.empty
    assert pay(r, "K", "2026-02", "account_commission") == "0.00"
