"""compplan: compensation and quota planning, with plans as data.

The public surface is re-exported here; see :mod:`compplan.api`.
"""

from compplan.api import Result, evaluate, load_inputs, load_mapping, load_plans
from compplan.errors import CompplanError, InputError, Issue, OutputError, PlanError

__version__ = "0.1.0"

__all__ = [
    "CompplanError",
    "InputError",
    "Issue",
    "OutputError",
    "PlanError",
    "Result",
    "__version__",
    "evaluate",
    "load_inputs",
    "load_mapping",
    "load_plans",
]
