"""Which outbound HTTP requests are AI calls, and what they say: the provider catalogue and wire formats."""

from jupyter_aigov.providers.base import AIRequest, JsonPath, TextPart, Usage, WireFormat, set_at, value_at
from jupyter_aigov.providers.catalogue import Catalogue, ExtraProvider, Operation, PathSplit, get_catalogue, wire_format
from jupyter_aigov.providers.usage_reader import UsageReader

__all__ = [
    "AIRequest",
    "Catalogue",
    "ExtraProvider",
    "JsonPath",
    "Operation",
    "PathSplit",
    "TextPart",
    "Usage",
    "UsageReader",
    "WireFormat",
    "get_catalogue",
    "set_at",
    "value_at",
    "wire_format",
]
