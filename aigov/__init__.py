"""jupyter-aigov's public face: `%load_ext aigov`, or `import aigov; aigov.enable()`.

>>> import aigov
>>> aigov.enable()           # doctest: +SKIP
>>> aigov.decisions()        # doctest: +SKIP
"""

from jupyter_aigov import __version__
from jupyter_aigov.decisions import decisions
from jupyter_aigov.errors import (
    AIGovError,
    BudgetExceeded,
    EvidenceError,
    PolicyError,
    PolicyViolation,
    ToolCallBlocked,
)
from jupyter_aigov.extension import load_ipython_extension, unload_ipython_extension
from jupyter_aigov.governance import disable, enable, set_use_case, status
from jupyter_aigov.tools.local import tool

__all__ = [
    "AIGovError",
    "BudgetExceeded",
    "EvidenceError",
    "PolicyError",
    "PolicyViolation",
    "ToolCallBlocked",
    "__version__",
    "decisions",
    "disable",
    "enable",
    "load_ipython_extension",
    "set_use_case",
    "status",
    "tool",
    "unload_ipython_extension",
]
