"""compplan: compensation and quota planning, with plans as data.

The public surface is re-exported here; see :mod:`compplan.api`.
"""

from importlib.metadata import PackageNotFoundError, version

from compplan.api import (
    Result,
    amortize,
    close_month,
    compare_scenarios,
    estimate_deal,
    evaluate,
    forecast_year,
    inputs_from_frames,
    ledger_history,
    load_inputs,
    load_mapping,
    load_plans,
    pay_month,
    payout_curve,
    plan_quotas,
    sample_company,
    sample_pipeline,
)
from compplan.commands.samples import sample_path
from compplan.errors import CompplanError, InputError, Issue, OutputError, PlanError

try:
    __version__ = version("compplan")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = [
    "CompplanError",
    "InputError",
    "Issue",
    "OutputError",
    "PlanError",
    "Result",
    "__version__",
    "amortize",
    "close_month",
    "compare_scenarios",
    "estimate_deal",
    "evaluate",
    "forecast_year",
    "inputs_from_frames",
    "ledger_history",
    "load_inputs",
    "load_mapping",
    "load_plans",
    "pay_month",
    "payout_curve",
    "plan_quotas",
    "sample_company",
    "sample_path",
    "sample_pipeline",
]
