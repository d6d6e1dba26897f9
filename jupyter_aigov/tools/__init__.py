"""Tools an agent may use: the policy's verdict on a tool, stripping forbidden definitions, local tools."""

from jupyter_aigov.tools.definitions import strip_tools
from jupyter_aigov.tools.local import tool
from jupyter_aigov.tools.rules import check_arguments, decide_tool

__all__ = ["check_arguments", "decide_tool", "strip_tools", "tool"]
