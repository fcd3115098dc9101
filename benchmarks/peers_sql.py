"""The five reference plans in DuckDB SQL: the peer the engine is measured against.

What a finance team with a warehouse would write from ``docs/reference-plans.md``: one
SQL script over the roster, deals, quotas and accounts tables, written from the plan
document and from ``baseline.py`` (the same rules, row for row), sharing no code with
the engine. The benchmark asserts that it pays every line the engine pays, to the cent.

Money follows the run contract's rule (section 2): half-up to cents after snapping
float noise at 1e-4 cent, at the same points as the plans say.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SETUP = """
CREATE OR REPLACE MACRO num(x, d) AS CASE WHEN x IS NULL OR isnan(x) THEN d ELSE x END;
CREATE OR REPLACE MACRO day(t) AS TRY_CAST(NULLIF(t, '') AS DATE);
CREATE OR REPLACE MACRO cents(x) AS CAST(sign(round(x * 100, 4))
    * floor(abs(round(x * 100, 4)) + 0.5) AS BIGINT);
CREATE OR REPLACE MACRO share(s, e, f, l) AS
    greatest(datediff('day', greatest(f, s), least(l, e)) + 1, 0) / (datediff('day', f, l) + 1);
"""

PAY = """
WITH
people AS (
  SELECT payee_id, plan, coalesce(manager_id, '') AS manager_id,
         coalesce(day(start_date), DATE '0001-01-01') AS s,
         coalesce(day(end_date), DATE '9999-12-31') AS e,
         num(base_salary, 0.0) AS base, num(target_incentive, 0.0) AS ti,
         num(quota, NULL) AS quota  -- no quota: NULL, never > 0 (NaN would be, in SQL)
  FROM roster),
months AS (
  SELECT m, make_date($year, m, 1) AS f, last_day(make_date($year, m, 1)) AS l
  FROM range(1, 13) t(m)),
quarters AS (
  SELECT q, 3 * q AS m, make_date($year, 3 * q - 2, 1) AS f,
         last_day(make_date($year, 3 * q, 1)) AS l, [0.20, 0.25, 0.25, 0.30][q] AS season
  FROM range(1, 5) t(q)),
ys AS (
  SELECT *, share(s, e, make_date($year, 1, 1), make_date($year, 12, 31)) AS yshare
  FROM people),
grid AS (SELECT * FROM ys CROSS JOIN months),
won AS (
  SELECT rn, deal_id, owner_id, account_id, day(close_date) AS close,
         num(split_pct, 1.0) AS split, amount, margin, day(cancel_date) AS cancel,
         num(CAST(term_months AS DOUBLE), 0.0) AS term
  FROM deals WHERE stage = 'Closed Won'),
bookings AS (  -- amount x split on close_date, and its clawback within 90 days
  SELECT owner_id, close AS d, amount * split AS v, split AS x, term FROM won
  WHERE close IS NOT NULL
  UNION ALL
  SELECT owner_id, cancel, -(amount * split), -split, term FROM won
  WHERE close IS NOT NULL AND cancel IS NOT NULL
    AND datediff('day', close, cancel) BETWEEN 0 AND 90),
owned AS (  -- credited: in the roster, dated in the plan year and the payee's interval
  SELECT b.*, p.plan, p.manager_id FROM bookings b
  JOIN people p ON p.payee_id = b.owner_id AND year(b.d) = $year AND b.d BETWEEN p.s AND p.e),
ae AS (
  SELECT owner_id AS payee_id, month(d) AS m, sum(v) AS v,
         sum(500.0 * CASE WHEN term >= 24 THEN x ELSE 0 END) AS spiff
  FROM owned WHERE plan = 'ae-2026' GROUP BY ALL),
partner AS (
  SELECT owner_id AS payee_id, month(d) AS m, sum(v) AS v
  FROM owned WHERE plan = 'partner-2026' GROUP BY ALL),
team AS (
  SELECT p.payee_id, (month(o.d) + 2) // 3 AS q, sum(o.v) AS v FROM owned o
  JOIN people p ON p.payee_id = o.manager_id AND p.plan = 'mgr-2026'
   AND o.d BETWEEN p.s AND p.e GROUP BY ALL),
owner_of AS (  -- an account's KAM: its first row with one
  SELECT account_id, arg_min(kam_id, rn) AS kam_id, arg_min(class, rn) AS class
  FROM (SELECT *, row_number() OVER () AS rn FROM accounts) WHERE kam_id <> ''
  GROUP BY account_id),
kam_rows AS (  -- once per deal: its first Closed Won row on an owned account
  SELECT w.*, o.kam_id, o.class FROM won w JOIN owner_of o USING (account_id)
  QUALIFY row_number() OVER (PARTITION BY w.deal_id ORDER BY w.rn) = 1),
kam_credits AS (
  SELECT kam_id, close AS d, margin AS v, class FROM kam_rows WHERE close IS NOT NULL
  UNION ALL
  SELECT kam_id, cancel, -margin, class FROM kam_rows
  WHERE close IS NOT NULL AND cancel IS NOT NULL
    AND datediff('day', close, cancel) BETWEEN 0 AND 90),
kam AS (
  SELECT c.kam_id AS payee_id, month(c.d) AS m,
         sum(c.v * CASE c.class WHEN 'A' THEN 0.02 WHEN 'B' THEN 0.03 WHEN 'C' THEN 0.04
                     ELSE 0.0 END) AS earned
  FROM kam_credits c JOIN people p ON p.payee_id = c.kam_id AND p.plan = 'kam-2026'
   AND year(c.d) = $year AND c.d BETWEEN p.s AND p.e GROUP BY ALL),
sdr_rows AS (  -- once per deal: its first row not disqualified with an SDR
  SELECT rn, sdr_id, day(created_date) AS d, amount FROM deals
  WHERE stage <> 'Disqualified' AND coalesce(sdr_id, '') <> ''
  QUALIFY row_number() OVER (PARTITION BY deal_id ORDER BY rn) = 1),
sdr AS (
  SELECT r.sdr_id AS payee_id, month(r.d) AS m, sum(r.amount) AS pipeline,
         count(*)::DOUBLE AS meetings
  FROM sdr_rows r JOIN people p ON p.payee_id = r.sdr_id AND p.plan = 'sdr-2026'
   AND r.d IS NOT NULL AND year(r.d) = $year AND r.d BETWEEN p.s AND p.e GROUP BY ALL),
qmap AS (  -- a repeated (payee, measure, period): its last row
  SELECT payee_id, measure, period, arg_max(quota, rn) AS quota FROM quota_rows GROUP BY ALL),
ae_earned AS (
  SELECT payee_id, m, cents(least(ti * CASE WHEN a > 0 THEN least(a, 1.0)
           + greatest(0, least(a, 1.5) - 1) * 1.5 + greatest(0, a - 1.5) * 2 ELSE 0 END,
           3 * ti)) AS earned
  FROM (SELECT g.payee_id, g.m, g.ti * g.yshare AS ti,
               CASE WHEN g.quota * g.yshare > 0 THEN sum(coalesce(a.v, 0)) OVER (
                 PARTITION BY g.payee_id ORDER BY g.m) / (g.quota * g.yshare) ELSE 0 END AS a
        FROM grid g LEFT JOIN ae a USING (payee_id, m) WHERE g.plan = 'ae-2026')),
partner_earned AS (
  SELECT payee_id, m, CASE WHEN ytd > 0 THEN cents(CASE WHEN ytd < 100000 THEN 0.05
           WHEN ytd < 250000 THEN 0.07 ELSE 0.09 END * ytd) ELSE 0 END AS earned
  FROM (SELECT g.payee_id, g.m, sum(coalesce(p.v, 0)) OVER (
          PARTITION BY g.payee_id ORDER BY g.m) AS ytd
        FROM grid g LEFT JOIN partner p USING (payee_id, m) WHERE g.plan = 'partner-2026')),
ae_quarters AS (
  SELECT y.payee_id, q.m, q.l, y.s, y.e, y.quota * q.season * share(y.s, y.e, q.f, q.l) AS qq,
         coalesce(b.v, 0) AS booked
  FROM ys y CROSS JOIN quarters q
  LEFT JOIN (SELECT payee_id, (m + 2) // 3 AS q, sum(v) AS v FROM ae GROUP BY ALL) b
    ON b.payee_id = y.payee_id AND b.q = q.q
  WHERE y.plan = 'ae-2026'),
mgr_quarters AS (
  SELECT y.payee_id, q.m, y.ti, share(y.s, y.e, q.f, q.l) AS sh,
         y.quota * q.season * share(y.s, y.e, q.f, q.l) AS qq, coalesce(t.v, 0) AS booked
  FROM ys y CROSS JOIN quarters q
  LEFT JOIN team t ON t.payee_id = y.payee_id AND t.q = q.q
  WHERE y.plan = 'mgr-2026'),
sdr_parts AS (
  SELECT g.*, 'pipeline_incentive' AS component, 0.6 AS w, coalesce(s.pipeline, 0) AS v,
         r.quota AS qq
  FROM grid g LEFT JOIN sdr s USING (payee_id, m)
  JOIN qmap r ON r.payee_id = g.payee_id AND r.measure = 'pipeline'
   AND r.period = strftime(g.f, '%Y-%m')
  WHERE g.plan = 'sdr-2026'
  UNION ALL
  SELECT g.*, 'meetings_incentive', 0.4, coalesce(s.meetings, 0), r.quota
  FROM grid g LEFT JOIN sdr s USING (payee_id, m)
  JOIN qmap r ON r.payee_id = g.payee_id AND r.measure = 'meetings'
   AND r.period = strftime(g.f, '%Y-%m')
  WHERE g.plan = 'sdr-2026'),
lines AS (
  SELECT payee_id, m, 'base_salary' AS component, cents(base / 12 * share(s, e, f, l)) AS c
  FROM grid WHERE plan <> 'partner-2026'
  UNION ALL
  SELECT payee_id, m, 'commission',
         earned - coalesce(lag(earned) OVER (PARTITION BY payee_id ORDER BY m), 0)
  FROM ae_earned
  UNION ALL
  SELECT payee_id, m, 'spiff_multiyear', cents(spiff) FROM ae
  UNION ALL
  SELECT payee_id, m, 'quarterly_bonus', 250000 FROM ae_quarters
  WHERE qq > 0 AND booked >= qq AND l BETWEEN s AND e
  UNION ALL
  SELECT payee_id, m, 'partner_commission',
         earned - coalesce(lag(earned) OVER (PARTITION BY payee_id ORDER BY m), 0)
  FROM partner_earned
  UNION ALL
  SELECT payee_id, m, 'team_incentive', cents(ti / 4 * sh * CASE
           WHEN booked / qq < 0.75 THEN 0
           WHEN booked / qq <= 1 THEN 0.5 + (booked / qq - 0.75) / 0.25 * 0.5
           ELSE least(1 + (booked / qq - 1) / 0.2 * 0.5, 1.5) END)
  FROM mgr_quarters WHERE sh > 0 AND qq > 0
  UNION ALL
  SELECT payee_id, m, 'account_commission', cents(earned) FROM kam
  UNION ALL
  SELECT payee_id, m, component, cents(w * ti / 12 * share(s, e, f, l) * CASE
           WHEN v / qq < 0.5 THEN 0 WHEN v / qq <= 1 THEN v / qq
           ELSE least(1 + 2 * (v / qq - 1), 2) END)
  FROM sdr_parts WHERE qq > 0)
SELECT payee_id, m, component, c FROM lines WHERE c <> 0
"""


def load(con: Any, roster: pd.DataFrame, deals: pd.DataFrame, quotas: pd.DataFrame,
         accounts: pd.DataFrame) -> None:
    """The four tables as DuckDB tables (loaded once: the peer's time is the query's),
    each deal and quota row numbered in file order for "its first row"."""
    con.execute(SETUP)
    for name, frame in (("roster", roster), ("deals", deals.assign(rn=np.arange(len(deals)))),
                        ("quota_rows", quotas.assign(rn=np.arange(len(quotas)))),
                        ("accounts", accounts)):
        con.register(f"{name}_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM {name}_frame")
        con.unregister(f"{name}_frame")


def pay(con: Any, year: int) -> dict[tuple[str, str, str], int]:
    """Every non-zero payout line of the reference plans, in cents."""
    rows = con.execute(PAY.replace("$year", str(int(year)))).fetchall()
    return {(str(p), f"{year}-{int(m):02d}", str(c)): int(v) for p, m, c, v in rows}
