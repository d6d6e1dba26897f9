"""The tool calls a model asks for in a response: read from a whole JSON answer, or assembled from stream events.

Each wire format says it differently:
- OpenAI chat: `choices[].message.tool_calls[].function {name, arguments}` (arguments a JSON string);
  streamed as `delta.tool_calls[{index, function: {name?, arguments piece}}]`, complete at `finish_reason`.
- OpenAI Responses: `output[]` items of type `function_call {name, arguments}` or `custom_tool_call {name,
  input}`; streamed from `response.output_item.added` to `response.output_item.done`.
- Anthropic (and Bedrock invoke, which carries Anthropic's body): `content[]` blocks of type `tool_use {name,
  input}`; streamed as `content_block_start` .. `input_json_delta` pieces .. `content_block_stop`.
- Gemini: `candidates[].content.parts[].functionCall {name, args}`, whole in one event when streamed.
- Bedrock Converse: `output.message.content[].toolUse {name, input}`; streamed as `contentBlockStart` ..
  `contentBlockDelta` pieces .. `contentBlockStop`.
- Ollama: `message.tool_calls[].function {name, arguments}`, whole in one NDJSON line.
- OpenAI Realtime (websocket events): a `function_call` item from `response.output_item.added` (or
  `conversation.item.added`), its arguments in `response.function_call_arguments.delta` pieces, complete at
  `response.function_call_arguments.done` or the item's `.done`; `response.done` lists every item again.
- Gemini Live (websocket messages): `toolCall.functionCalls[] {name, args}`, whole in one message.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from jupyter_aigov.providers.base import as_list, as_str


@dataclass(frozen=True)
class RequestedToolCall:
    """A tool call the model asked for: its name and its arguments, parsed when they are JSON."""

    name: str
    arguments: Any  # a dict (usually), or the raw text when it is not valid JSON
    readable: bool = True  # False when the arguments were text that does not parse as JSON


def _parsed(arguments: Any) -> tuple[Any, bool]:
    if isinstance(arguments, str):
        if not arguments.strip():
            return {}, True
        try:
            return json.loads(arguments), True
        except ValueError:
            return arguments, False
    return ({} if arguments is None else arguments), True


def requested(name: Any, arguments: Any) -> RequestedToolCall:
    """A call from a name and arguments as the wire carries them (a JSON string or an object)."""
    value, readable = _parsed(arguments)
    return RequestedToolCall(name if isinstance(name, str) else "", value, readable)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# -- whole answers --------------------------------------------------------------------------------


def calls_in_answer(api: str, operation: str, body: Any) -> list[RequestedToolCall]:
    """Every tool call in a complete (non-streamed) answer; a list of answers (Gemini's JSON stream) too."""
    if isinstance(body, list):
        return [c for item in body for c in calls_in_answer(api, operation, item)]
    body = _dict(body)
    calls: list[RequestedToolCall] = []
    for choice in as_list(body.get("choices")):  # OpenAI chat (and OpenAI-compatible servers)
        message = _dict(_dict(choice).get("message"))
        for tool_call in as_list(message.get("tool_calls")):
            function = _dict(_dict(tool_call).get("function"))
            calls.append(requested(function.get("name"), function.get("arguments")))
        legacy = message.get("function_call")
        if isinstance(legacy, dict):
            calls.append(requested(legacy.get("name"), legacy.get("arguments")))
    for item in as_list(body.get("output")):  # OpenAI Responses
        calls += _responses_item(item)
    for block in as_list(body.get("content")):  # Anthropic, Bedrock invoke
        block = _dict(block)
        if block.get("type") == "tool_use":
            calls.append(requested(block.get("name"), block.get("input")))
    for candidate in as_list(body.get("candidates")):  # Gemini
        for part in as_list(_dict(_dict(candidate).get("content")).get("parts")):
            asked = _dict(part).get("functionCall")
            if isinstance(asked, dict):
                calls.append(requested(asked.get("name"), asked.get("args")))
    output = body.get("output")
    if isinstance(output, dict):  # Bedrock Converse
        for block in as_list(_dict(output.get("message")).get("content")):
            tool_use = _dict(block).get("toolUse")
            if isinstance(tool_use, dict):
                calls.append(requested(tool_use.get("name"), tool_use.get("input")))
    ollama_message = body.get("message")
    if isinstance(ollama_message, dict) and api == "ollama":
        calls += _ollama_calls(ollama_message)
    return calls


def _responses_item(item: Any) -> list[RequestedToolCall]:
    item = _dict(item)
    if item.get("type") == "function_call":
        return [requested(item.get("name"), item.get("arguments"))]
    if item.get("type") == "custom_tool_call":  # free-form input: text, checked as the argument "input"
        return [RequestedToolCall(as_str(item.get("name")) or "", {"input": item.get("input")})]
    return []


def _ollama_calls(message: dict[str, Any]) -> list[RequestedToolCall]:
    calls = []
    for tool_call in as_list(message.get("tool_calls")):
        function = _dict(_dict(tool_call).get("function"))
        calls.append(requested(function.get("name"), function.get("arguments")))
    return calls


# -- streams --------------------------------------------------------------------------------------


@dataclass
class _Open:
    """A tool call whose pieces are still arriving."""

    name: str = ""
    pieces: list[str] = field(default_factory=list)
    whole: Any = None  # arguments given whole (not as pieces), when they were

    def done(self) -> RequestedToolCall:
        if self.pieces:
            return requested(self.name, "".join(self.pieces))
        return requested(self.name, self.whole)


@dataclass(frozen=True)
class Step:
    """What one stream event means for tool calls: hold it back, and which calls it completed."""

    holds: bool
    completed: tuple[RequestedToolCall, ...] = ()


PASS = Step(False)
HOLD = Step(True)


class ToolCallAssembler:
    """Follows the tool calls of one streamed answer, event by event (one subclass per wire format)."""

    # bytes present in every event that starts a tool call: an event without them, while none is open,
    # cannot touch one and is passed without parsing
    markers: tuple[bytes, ...] = ()

    def __init__(self) -> None:
        self.open: dict[Any, _Open] = {}

    def event(self, event: Any) -> Step:
        raise NotImplementedError

    def finish(self) -> list[RequestedToolCall]:
        """The calls still open when the stream ended (cut off, or never closed by the provider)."""
        calls = [c.done() for c in self.open.values()]
        self.open.clear()
        return calls

    def _complete(self, *keys: Any) -> tuple[RequestedToolCall, ...]:
        return tuple(self.open.pop(k).done() for k in keys if k in self.open)


class OpenAIChatCalls(ToolCallAssembler):
    markers = (b'"tool_calls"', b'"function_call"')

    def event(self, event: Any) -> Step:
        holds, completed = False, list[RequestedToolCall]()
        for choice in as_list(_dict(event).get("choices")):
            choice = _dict(choice)
            at = choice.get("index", 0)
            delta = _dict(choice.get("delta"))
            fragments = [(i, _dict(t)) for i, t in enumerate(as_list(delta.get("tool_calls")))]
            if isinstance(delta.get("function_call"), dict):
                fragments.append((-1, {"index": -1, "function": delta["function_call"]}))
            for position, fragment in fragments:
                key = (at, fragment.get("index", position))
                function = _dict(fragment.get("function"))
                current = self.open.setdefault(key, _Open())
                current.name = current.name or (as_str(function.get("name")) or "")
                if isinstance(function.get("arguments"), str):
                    current.pieces.append(function["arguments"])
                holds = True
            if choice.get("finish_reason") is not None:
                ended = [k for k in self.open if k[0] == at]
                completed += self._complete(*ended)
                holds = holds or bool(ended)
        return Step(holds or bool(self.open), tuple(completed))


class OpenAIResponsesCalls(ToolCallAssembler):
    markers = (b"function_call", b"custom_tool_call")

    def event(self, event: Any) -> Step:
        event = _dict(event)
        kind, at = event.get("type"), event.get("output_index")
        item = _dict(event.get("item"))
        if kind == "response.output_item.added" and item.get("type") in ("function_call", "custom_tool_call"):
            self.open[at] = _Open(as_str(item.get("name")) or "")
            return HOLD
        if kind == "response.output_item.done" and at in self.open:
            self.open.pop(at)
            return Step(True, tuple(_responses_item(item)))
        return HOLD if self.open else PASS


class AnthropicCalls(ToolCallAssembler):
    markers = (b"tool_use",)

    def event(self, event: Any) -> Step:
        event = _dict(event)
        kind, at = event.get("type"), event.get("index")
        if kind == "content_block_start":
            block = _dict(event.get("content_block"))
            if block.get("type") == "tool_use":
                given = block.get("input")
                self.open[at] = _Open(as_str(block.get("name")) or "", whole=given if given else None)
                return HOLD
        elif kind == "content_block_delta" and at in self.open:
            delta = _dict(event.get("delta"))
            if isinstance(delta.get("partial_json"), str):
                self.open[at].pieces.append(delta["partial_json"])
            return HOLD
        elif kind == "content_block_stop" and at in self.open:
            return Step(True, self._complete(at))
        return HOLD if self.open else PASS


class GeminiCalls(ToolCallAssembler):
    markers = (b"functionCall",)

    def event(self, event: Any) -> Step:
        calls = calls_in_answer("gemini", "", event)
        return Step(True, tuple(calls)) if calls else PASS


class OllamaCalls(ToolCallAssembler):
    markers = (b"tool_calls",)

    def event(self, event: Any) -> Step:
        calls = _ollama_calls(_dict(_dict(event).get("message")))
        return Step(True, tuple(calls)) if calls else PASS


class ConverseStreamCalls(ToolCallAssembler):
    markers = (b"toolUse",)

    def event(self, event: Any) -> Step:
        event = _dict(event)
        at = event.get("contentBlockIndex")
        start = _dict(_dict(event.get("start")).get("toolUse"))
        if start:
            self.open[at] = _Open(as_str(start.get("name")) or "")
            return HOLD
        if at in self.open:
            piece = _dict(_dict(event.get("delta")).get("toolUse")).get("input")
            if isinstance(piece, str):
                self.open[at].pieces.append(piece)
            if "delta" not in event and "start" not in event:  # contentBlockStop carries the index only
                return Step(True, self._complete(at))
            return HOLD
        return PASS


class BedrockInvokeStreamCalls(AnthropicCalls):
    """invoke-with-response-stream: each `chunk` event wraps one Anthropic event, base64-encoded."""

    markers = (b'"bytes"',)

    def event(self, event: Any) -> Step:
        wrapped = _dict(event).get("bytes")
        if not isinstance(wrapped, str):
            return HOLD if self.open else PASS
        try:
            inner = json.loads(base64.b64decode(wrapped))
        except ValueError:
            return HOLD if self.open else PASS
        return super().event(inner)


_REALTIME_ITEM_EVENTS = ("response.output_item.", "conversation.item.")


class RealtimeCalls(ToolCallAssembler):
    """OpenAI Realtime: a call is held from its first event to its arguments' end, and decided once."""

    markers = (b"function_call",)

    def __init__(self) -> None:
        super().__init__()
        self._decided: set[Any] = set()  # item ids (and call ids) of calls already decided

    def event(self, event: Any) -> Step:
        event = _dict(event)
        kind = as_str(event.get("type")) or ""
        item = _dict(event.get("item"))
        if kind.startswith(_REALTIME_ITEM_EVENTS) and item.get("type") == "function_call":
            key = item.get("id") or item.get("call_id")
            if key in self._decided:
                return HOLD if self.open else PASS
            current = self.open.setdefault(key, _Open())
            current.name = current.name or (as_str(item.get("name")) or "")
            if kind.endswith(".done") or item.get("status") == "completed":
                current.whole, current.pieces = item.get("arguments"), []
                return Step(True, self._decide(key, item.get("call_id")))
            return HOLD
        if kind.startswith("response.function_call_arguments."):
            key = event.get("item_id") or event.get("call_id")
            if key in self._decided:
                return HOLD if self.open else PASS
            current = self.open.setdefault(key, _Open())
            current.name = current.name or (as_str(event.get("name")) or "")
            if kind.endswith(".delta") and isinstance(event.get("delta"), str):
                current.pieces.append(event["delta"])
                return HOLD
            if kind.endswith(".done"):
                current.whole, current.pieces = event.get("arguments"), []
                return Step(True, self._decide(key, event.get("call_id")))
            return HOLD
        if kind == "response.done":  # every item of the response again: any call not decided yet is now
            completed: list[RequestedToolCall] = []
            for output in as_list(_dict(event.get("response")).get("output")):
                output = _dict(output)
                key = output.get("id") or output.get("call_id")
                if output.get("type") == "function_call" and key not in self._decided:
                    current = self.open.setdefault(key, _Open(as_str(output.get("name")) or ""))
                    current.whole, current.pieces = output.get("arguments"), []
                    completed += self._decide(key, output.get("call_id"))
            completed += [call for key in list(self.open) for call in self._decide(key, None)]
            return Step(bool(completed) or bool(self.open), tuple(completed))
        return HOLD if self.open else PASS

    def _decide(self, key: Any, call_id: Any) -> tuple[RequestedToolCall, ...]:
        self._decided.update(k for k in (key, call_id) if k)
        return self._complete(key)


class GeminiLiveCalls(ToolCallAssembler):
    markers = (b"functionCalls", b"function_calls")

    def event(self, event: Any) -> Step:
        event = _dict(event)
        asked = _dict(event.get("toolCall") or event.get("tool_call"))
        calls = [
            requested(_dict(c).get("name"), _dict(c).get("args"))
            for c in as_list(asked.get("functionCalls") or asked.get("function_calls"))
        ]
        return Step(True, tuple(calls)) if calls else PASS


def assembler_for(api: str, operation: str) -> ToolCallAssembler:
    """The assembler for a streamed answer of this wire format and operation."""
    if api == "openai":
        return OpenAIResponsesCalls() if operation == "responses" else OpenAIChatCalls()
    if api == "anthropic":
        return AnthropicCalls()
    if api == "gemini":
        return GeminiCalls()
    if api == "ollama":
        return OllamaCalls()
    if api == "openai-realtime":
        return RealtimeCalls()
    if api == "gemini-live":
        return GeminiLiveCalls()
    if api == "bedrock":
        return ConverseStreamCalls() if operation == "converse-stream" else BedrockInvokeStreamCalls()
    return OpenAIChatCalls()
