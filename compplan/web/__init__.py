"""``compplan serve``: the web app for reps, managers, finance and payroll, on the same
engine and ledger as the command line (:mod:`compplan.web.app` builds it)."""
