"""The five reference plans as a straightforward per-deal, per-payee Python script.

This is the baseline the engine is measured against: what a spreadsheet-minded analyst
would write from ``docs/reference-plans.md`` — a loop over deal rows that credits each
payee, then a loop over payees and months that applies each plan's rules. It is written
from the plan document, not from the engine, and shares none of its code (only the
money rule of section 2: half-up to cents, after snapping float noise at 1e-4 cent).

Two ways of gathering the credits, with the same rules and results:

- ``scan`` (the spreadsheet way, the one the issue names): for each payee, a pass over
  every deal row picking the rows that credit that payee, as a column of SUMIFS does.
- ``indexed`` (a careful programmer's way): one pass over the deal rows, each credited
  to its payees through dictionaries.

It pays the reference plans only (ae, sdr, mgr, kam, partner): give it a roster of
payees on those plans. It returns ``{(payee_id, "YYYY-MM", component): cents}``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from typing import Any

Row = dict[str, Any]
SEASON = {1: 0.20, 2: 0.25, 3: 0.25, 4: 0.30}


def cents(amount: float) -> int:
    snapped = round(amount * 100.0, 4)
    return int(math.copysign(math.floor(abs(snapped) + 0.5), snapped))


def day(text: Any) -> dt.date | None:
    if text is None or text == "" or (isinstance(text, float) and math.isnan(text)):
        return None
    return dt.date.fromisoformat(str(text)[:10])


def number(value: Any, empty: float = math.nan) -> float:
    if value is None or value == "":
        return empty
    result = float(value)
    return empty if math.isnan(result) else result


class Payee:
    """One roster row with its active interval and prorations."""

    def __init__(self, row: Row, year: int) -> None:
        self.id = str(row["payee_id"])
        self.plan = str(row["plan"])
        self.manager = str(row.get("manager_id") or "")
        self.start = day(row.get("start_date")) or dt.date.min
        self.end = day(row.get("end_date")) or dt.date.max
        self.base = number(row.get("base_salary"), 0.0)
        self.target = number(row.get("target_incentive"), 0.0)
        self.quota = number(row.get("quota"))
        self.year = year

    def active_on(self, when: dt.date) -> bool:
        return self.start <= when <= self.end

    def share(self, first: dt.date, last: dt.date) -> float:
        """Active days between first and last (inclusive) over all those days."""
        lo, hi = max(first, self.start), min(last, self.end)
        active = (hi - lo).days + 1 if hi >= lo else 0
        return active / ((last - first).days + 1)

    def month_share(self, m: int) -> float:
        return self.share(dt.date(self.year, m, 1),
                          dt.date(self.year, m, calendar.monthrange(self.year, m)[1]))

    def quarter_share(self, q: int) -> float:
        last = 3 * q
        return self.share(dt.date(self.year, last - 2, 1),
                          dt.date(self.year, last, calendar.monthrange(self.year, last)[1]))

    def year_share(self) -> float:
        return self.share(dt.date(self.year, 1, 1), dt.date(self.year, 12, 31))


class Baseline:
    """Credits gathered deal by deal, then pay computed payee by payee."""

    def __init__(self, roster: list[Row], deals: list[Row], quotas: list[Row],
                 accounts: list[Row], year: int) -> None:
        self.year = year
        self.people = {str(r["payee_id"]): Payee(r, year) for r in roster}
        self.deals = deals
        self.quotas = {(str(q["payee_id"]), str(q["measure"]), str(q["period"])):
                       number(q["quota"]) for q in quotas}
        self.owner: dict[str, tuple[str, str]] = {}
        for a in accounts:
            if a.get("kam_id") and str(a["account_id"]) not in self.owner:
                self.owner[str(a["account_id"])] = (str(a["kam_id"]), str(a.get("class", "")))
        # payee -> list of (date, value, extra) per measure
        self.credits: dict[str, dict[str, list[tuple[dt.date, float, float]]]] = defaultdict(
            lambda: defaultdict(list))

    def counts(self, payee_id: str, when: dt.date) -> bool:
        """Section 2: the payee exists, the date is in the plan year and in the interval."""
        p = self.people.get(payee_id)
        return p is not None and when.year == self.year and p.active_on(when)

    def credit(self, payee_id: str, plan: str, measure: str, when: dt.date, value: float,
               extra: float = 0.0) -> None:
        if self.counts(payee_id, when) and self.people[payee_id].plan == plan:
            self.credits[payee_id][measure].append((when, value, extra))

    def booking_credits(self, row: Row) -> list[tuple[dt.date, float, float]]:
        """amount x split on close_date, and its clawback within 90 days (extra: split)."""
        close = day(row["close_date"])
        if close is None:
            return []
        split = number(row.get("split_pct"), 1.0)
        value = number(row["amount"]) * split
        out = [(close, value, split)]
        cancel = day(row.get("cancel_date"))
        if cancel is not None and 0 <= (cancel - close).days <= 90:
            out.append((cancel, -value, -split))
        return out

    def gather(self) -> None:
        seen_sdr: set[str] = set()
        seen_kam: set[str] = set()
        for row in self.deals:
            stage, owner = row["stage"], str(row["owner_id"])
            deal_id = str(row["deal_id"])
            if stage == "Closed Won":
                term = number(row.get("term_months"), 0.0)
                for when, value, split in self.booking_credits(row):
                    self.credit(owner, "ae-2026", "bookings", when, value,
                                split if term >= 24 else 0.0)
                    self.credit(owner, "partner-2026", "revenue", when, value)
                    boss = self.people[owner].manager if owner in self.people else ""
                    if self.counts(owner, when) and boss:
                        self.credit(boss, "mgr-2026", "team_bookings", when, value)
                account = self.owner.get(str(row.get("account_id", "")))
                if account is not None and deal_id not in seen_kam:
                    seen_kam.add(deal_id)
                    self.kam_credits(row, account)
            sdr = str(row.get("sdr_id") or "")
            if stage != "Disqualified" and sdr and deal_id not in seen_sdr:
                seen_sdr.add(deal_id)
                self.sdr_credits(row, sdr)

    def scan(self) -> None:
        """Per payee, per deal row: the rows of the payee's plan that credit them."""
        manager = {pid: p.manager for pid, p in self.people.items()}
        for p in self.people.values():
            seen: set[str] = set()
            for row in self.deals:
                stage = row["stage"]
                if p.plan in ("ae-2026", "partner-2026"):
                    if stage == "Closed Won" and row["owner_id"] == p.id:
                        term = number(row.get("term_months"), 0.0)
                        for when, value, split in self.booking_credits(row):
                            self.credit(p.id, "ae-2026", "bookings", when, value,
                                        split if term >= 24 else 0.0)
                            self.credit(p.id, "partner-2026", "revenue", when, value)
                elif p.plan == "mgr-2026":
                    owner = str(row["owner_id"])
                    if stage == "Closed Won" and manager.get(owner) == p.id:
                        for when, value, _ in self.booking_credits(row):
                            if self.counts(owner, when):
                                self.credit(p.id, "mgr-2026", "team_bookings", when, value)
                elif p.plan == "kam-2026":
                    account = self.owner.get(str(row.get("account_id", "")))
                    if stage == "Closed Won" and account is not None and account[0] == p.id \
                            and row["deal_id"] not in seen:
                        seen.add(row["deal_id"])
                        self.kam_credits(row, account)
                elif stage != "Disqualified" and row.get("sdr_id") == p.id and \
                        row["deal_id"] not in seen:
                    seen.add(row["deal_id"])
                    self.sdr_credits(row, p.id)

    def kam_credits(self, row: Row, account: tuple[str, str]) -> None:
        margin = dict(row, split_pct="", amount=row["margin"])
        rate = {"A": 0.02, "B": 0.03, "C": 0.04}.get(account[1], 0.0)
        for when, value, _ in self.booking_credits(margin):
            self.credit(account[0], "kam-2026", "margin", when, value, rate)

    def sdr_credits(self, row: Row, sdr: str) -> None:
        created = day(row["created_date"])
        if created is not None:
            self.credit(sdr, "sdr-2026", "pipeline", created, number(row["amount"]))
            self.credit(sdr, "sdr-2026", "meetings", created, 1.0)

    def pay(self, how: str = "indexed") -> dict[tuple[str, str, str], int]:
        self.gather() if how == "indexed" else self.scan()
        out: dict[tuple[str, str, str], int] = {}
        for p in self.people.values():
            lines: dict[tuple[int, str], int] = {}
            if p.plan != "partner-2026":
                for m in range(1, 13):
                    lines[(m, "base_salary")] = cents(p.base / 12 * p.month_share(m))
            rule = {"ae-2026": self.ae, "sdr-2026": self.sdr, "mgr-2026": self.mgr,
                    "kam-2026": self.kam, "partner-2026": self.partner}[p.plan]
            rule(p, lines)
            for (m, component), amount in lines.items():
                if amount != 0:
                    out[(p.id, f"{self.year}-{m:02d}", component)] = amount
        return out

    def monthly(self, p: Payee, measure: str) -> list[float]:
        sums = [0.0] * 13
        for when, value, _ in self.credits[p.id][measure]:
            sums[when.month] += value
        return sums

    def ae(self, p: Payee, lines: dict[tuple[int, str], int]) -> None:
        month = self.monthly(p, "bookings")
        q, ti = p.quota * p.year_share(), p.target * p.year_share()
        ytd, paid = 0.0, 0
        for m in range(1, 13):
            ytd += month[m]
            a = ytd / q if q > 0 else 0.0
            f = 0.0
            if a > 0:
                f = min(a, 1.0) * 1.0 + max(0.0, min(a, 1.5) - 1.0) * 1.5 + max(0.0, a - 1.5) * 2
            earned = cents(min(ti * f, 3 * ti))
            lines[(m, "commission")] = earned - paid
            paid = earned
        for quarter in range(1, 5):
            last = 3 * quarter
            booked = sum(month[last - 2:last + 1])
            quota = p.quota * SEASON[quarter] * p.quarter_share(quarter)
            end = dt.date(self.year, last, calendar.monthrange(self.year, last)[1])
            if quota > 0 and booked >= quota and p.active_on(end):
                lines[(last, "quarterly_bonus")] = cents(2500.0)
        spiff = [0.0] * 13
        for when, _, split in self.credits[p.id]["bookings"]:
            spiff[when.month] += 500.0 * split
        for m in range(1, 13):
            lines[(m, "spiff_multiyear")] = cents(spiff[m])

    def sdr(self, p: Payee, lines: dict[tuple[int, str], int]) -> None:
        def curve(a: float) -> float:
            if a < 0.5:
                return 0.0
            return a if a <= 1.0 else min(1.0 + 2.0 * (a - 1.0), 2.0)

        pipeline, meetings = self.monthly(p, "pipeline"), self.monthly(p, "meetings")
        for m in range(1, 13):
            target = p.target / 12 * p.month_share(m)
            period = f"{self.year}-{m:02d}"
            for measure, weight, values, component in (
                    ("pipeline", 0.6, pipeline, "pipeline_incentive"),
                    ("meetings", 0.4, meetings, "meetings_incentive")):
                quota = self.quotas.get((p.id, measure, period), math.nan)
                if quota > 0:
                    lines[(m, component)] = cents(weight * target * curve(values[m] / quota))

    def mgr(self, p: Payee, lines: dict[tuple[int, str], int]) -> None:
        def curve(a: float) -> float:
            if a < 0.75:
                return 0.0
            if a <= 1.0:
                return 0.5 + (a - 0.75) / 0.25 * 0.5
            return min(1.0 + (a - 1.0) / 0.2 * 0.5, 1.5)

        month = self.monthly(p, "team_bookings")
        for quarter in range(1, 5):
            share = p.quarter_share(quarter)
            quota = p.quota * SEASON[quarter] * share
            if share > 0 and quota > 0:
                booked = sum(month[3 * quarter - 2:3 * quarter + 1])
                lines[(3 * quarter, "team_incentive")] = cents(
                    p.target / 4 * share * curve(booked / quota))

    def kam(self, p: Payee, lines: dict[tuple[int, str], int]) -> None:
        earned = [0.0] * 13
        for when, value, rate in self.credits[p.id]["margin"]:
            earned[when.month] += value * rate
        for m in range(1, 13):
            lines[(m, "account_commission")] = cents(earned[m])

    def partner(self, p: Payee, lines: dict[tuple[int, str], int]) -> None:
        month = self.monthly(p, "revenue")
        ytd, paid = 0.0, 0
        for m in range(1, 13):
            ytd += month[m]
            rate = 0.05 if ytd < 100_000 else 0.07 if ytd < 250_000 else 0.09
            earned = cents(rate * ytd) if ytd > 0 else 0
            lines[(m, "partner_commission")] = earned - paid
            paid = earned


def baseline_payouts(roster: list[Row], deals: list[Row], quotas: list[Row],
                     accounts: list[Row], year: int, how: str = "scan"
                     ) -> dict[tuple[str, str, str], int]:
    """Every payout line of the reference plans, in cents, by loops over rows."""
    return Baseline(roster, deals, quotas, accounts, year).pay(how)
