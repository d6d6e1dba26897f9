"""jupyter-aigov's public face: `%load_ext aigov`, or `import aigov; aigov.enable()`.

>>> import aigov
>>> aigov.enable()           # doctest: +SKIP
>>> aigov.decisions()        # doctest: +SKIP

A plugin marks its hooks with `@aigov.hookimpl` and a check answers with an `aigov.Verdict` (see
jupyter_aigov/plugins/hookspecs.py).
"""

from aigov_core.errors import (
    AIGovError,
    BudgetExceeded,
    BundleError,
    EvidenceError,
    GovernanceLocked,
    InventoryError,
    PolicyError,
    PolicyViolation,
    ToolCallBlocked,
)
from jupyter_aigov import __version__
from jupyter_aigov.bundle.api import export_bundle
from jupyter_aigov.decisions_frame import decisions
from jupyter_aigov.extension import load_ipython_extension, unload_ipython_extension
from jupyter_aigov.governance import disable, enable, set_use_case, status
from jupyter_aigov.inventory.api import assess, inventory, register_model
from jupyter_aigov.plugins.hookspecs import hookimpl
from jupyter_aigov.tools.local import tool
from jupyter_aigov.verdict import Verdict
from jupyter_aigov.widgets import show_dashboard as dashboard

__all__ = [
    "AIGovError",
    "BudgetExceeded",
    "BundleError",
    "EvidenceError",
    "GovernanceLocked",
    "InventoryError",
    "PolicyError",
    "PolicyViolation",
    "ToolCallBlocked",
    "Verdict",
    "__version__",
    "assess",
    "dashboard",
    "decisions",
    "disable",
    "enable",
    "export_bundle",
    "hookimpl",
    "inventory",
    "load_ipython_extension",
    "register_model",
    "set_use_case",
    "status",
    "tool",
    "unload_ipython_extension",
]
