"""The year forecast from the open pipeline, the month's accrual, and what each open
deal would pay: ``compplan forecast`` (:mod:`compplan.forecast.run` wires it)."""
