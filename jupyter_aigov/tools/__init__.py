"""Tools an agent may use: the policy's verdict on a tool, stripping forbidden definitions, local tools."""

from jupyter_aigov.tools.definitions import strip_tools
from jupyter_aigov.tools.local import tool
from jupyter_aigov.tools.verdict import ToolVerdict, check_arguments, decide_tool

__all__ = ["ToolVerdict", "check_arguments", "decide_tool", "strip_tools", "tool"]
