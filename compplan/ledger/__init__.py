"""The payroll ledger: recorded runs, paid lines, closed periods, carried balances."""
