"""The gRPC wire format: a known AI method's protobuf messages read as their REST twin's JSON, and written back.

Vertex AI's `PredictionService/GenerateContent` carries the same request as its REST twin, `...:generateContent`,
in protobuf: the twin's JSON is built from the message's fields (field numbers from googleapis'
google/cloud/aiplatform/v1/prediction_service.proto, content.proto, tool.proto and google/protobuf/struct.proto),
so the gemini wire format decides it (model, text, tools), and what redaction changed in the JSON is written back
into the message, every other byte as it came. A field this table does not know is kept byte for byte and still
read: a length-delimited one that is UTF-8 text is text to analyse (under "fieldN"), one that parses as a message
is read the same way inside; only binary payloads are passed over.

>>> twin = request_twin("vertex", b"\\x2a\\x08models/m\\x12\\x09\\x12\\x07\\x0a\\x05hello")
>>> twin.body
{'model': 'models/m', 'contents': [{'parts': [{'text': 'hello'}]}]}
>>> twin.rewritten({'model': 'models/m', 'contents': [{'parts': [{'text': 'HELLO'}]}]})
b'*\\x08models/m\\x12\\t\\x12\\x07\\n\\x05HELLO'
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jupyter_aigov.providers.base import JsonPath
from jupyter_aigov.providers.protobuf import FIXED64, LEN, VARINT, Field, parse, serialize, with_value

MAX_DEPTH = 48  # nested messages (Struct values, schemas) deeper than this are refused, not walked
NodePath = tuple[int, ...]  # the index of a field in its message, message by message down to a string


@dataclass(frozen=True)
class Spec:
    """What one field number of a message is: its JSON twin's key, its kind, and the message it holds."""

    key: str
    kind: str  # string | int | bytes | message | struct | map
    message: str = ""
    repeated: bool = False


def _msg(key: str, message: str, repeated: bool = False) -> Spec:
    return Spec(key, "message", message, repeated)


_CONTENT = {1: Spec("role", "string"), 2: _msg("parts", "Part", True)}
# google.cloud.aiplatform.v1 (v1beta1 numbers them alike)
VERTEX: dict[str, dict[int, Spec]] = {
    "GenerateContentRequest": {
        5: Spec("model", "string"),
        2: _msg("contents", "Content", True),
        8: _msg("systemInstruction", "Content"),
        6: _msg("tools", "Tool", True),
        9: Spec("cachedContent", "string"),
        10: Spec("labels", "map"),
    },
    "Content": _CONTENT,
    "Part": {
        1: Spec("text", "string"),
        2: _msg("inlineData", "Blob"),
        3: _msg("fileData", "FileData"),
        5: _msg("functionCall", "FunctionCall"),
        6: _msg("functionResponse", "FunctionResponse"),
        11: Spec("thoughtSignature", "bytes"),
    },
    "Blob": {1: Spec("mimeType", "string"), 2: Spec("data", "bytes")},
    "FileData": {1: Spec("mimeType", "string"), 2: Spec("fileUri", "string")},
    "FunctionCall": {1: Spec("name", "string"), 2: Spec("args", "struct")},
    "FunctionResponse": {1: Spec("name", "string"), 2: Spec("response", "struct")},
    "Tool": {1: _msg("functionDeclarations", "FunctionDeclaration", True)},
    "FunctionDeclaration": {1: Spec("name", "string"), 2: Spec("description", "string")},
    "GenerateContentResponse": {
        2: _msg("candidates", "Candidate", True),
        4: _msg("usageMetadata", "UsageMetadata"),
        11: Spec("modelVersion", "string"),
    },
    "Candidate": {1: Spec("index", "int"), 2: _msg("content", "Content"), 5: Spec("finishMessage", "string")},
    "UsageMetadata": {
        1: Spec("promptTokenCount", "int"),
        2: Spec("candidatesTokenCount", "int"),
        3: Spec("totalTokenCount", "int"),
        5: Spec("cachedContentTokenCount", "int"),
        13: Spec("toolUsePromptTokenCount", "int"),
        14: Spec("thoughtsTokenCount", "int"),
    },
}
# the message families the catalogue's grpc methods name: (schemas, request message, answer message)
FAMILIES: Mapping[str, tuple[dict[str, dict[int, Spec]], str, str]] = {
    "vertex": (VERTEX, "GenerateContentRequest", "GenerateContentResponse"),
}


@dataclass
class Twin:
    """One message read as JSON: `body`, and where each of its strings sits in the message, to write it back."""

    data: bytes
    body: dict[str, Any] = field(default_factory=dict)
    strings: dict[JsonPath, tuple[NodePath, str]] = field(default_factory=dict)

    def rewritten(self, body: Any) -> bytes:
        """The message with the strings `body` (this twin's JSON, changed) holds now; the rest byte for byte."""
        changes: dict[NodePath, str] = {}
        for path, (node, old) in self.strings.items():
            new = _value_at(body, path)
            if isinstance(new, str) and new != old:
                changes[node] = new
        return _rewrite(self.data, changes, 0) if changes else self.data


def request_twin(family: str, data: bytes) -> Twin:
    """A request message read as its REST twin's JSON; ValueError when it is not a well-formed message."""
    schemas, request, _ = FAMILIES[family]
    return _twin(schemas, request, data)


def answer_twin(family: str, data: bytes) -> Twin:
    """An answer message read as its REST twin's JSON; ValueError when it is not a well-formed message."""
    schemas, _, answer = FAMILIES[family]
    return _twin(schemas, answer, data)


def _twin(schemas: dict[str, dict[int, Spec]], message: str, data: bytes) -> Twin:
    twin = Twin(bytes(data))
    _Reader(schemas, twin).message(twin.data, message, twin.body, (), (), 0)
    return twin


class _Reader:
    def __init__(self, schemas: dict[str, dict[int, Spec]], twin: Twin) -> None:
        self.schemas, self.twin = schemas, twin

    def message(self, data: bytes, name: str, out: dict[str, Any], path: JsonPath, node: NodePath, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError(f"protobuf message nested deeper than {MAX_DEPTH} levels")
        specs = self.schemas.get(name, {})
        for index, found in enumerate(parse(data)):
            spec = specs.get(found.number)
            here = (*node, index)
            if spec is None:
                self.unknown(found, out, path, here, depth)
                continue
            if spec.repeated:
                slot: Any = out.setdefault(spec.key, [])
                key: str | int = len(slot)
                where = (*path, spec.key, key)
            else:
                slot, key, where = out, spec.key, (*path, spec.key)
            self.known(found, spec, slot, key, where, here, depth)

    def known(
        self, found: Field, spec: Spec, slot: Any, key: str | int, where: JsonPath, node: NodePath, depth: int
    ) -> None:
        kind = spec.kind
        expected = VARINT if kind == "int" else LEN
        if found.wire_type != expected:
            raise ValueError(f"protobuf field {found.number} ({spec.key}) has wire type {found.wire_type}")
        value = found.value
        if kind == "int":
            _put(slot, key, value)
        elif kind == "string":
            _put(slot, key, self.text(value, found.number))
            self.twin.strings[where] = (node, _value_at(self.twin.body, where))
        elif kind == "message":
            child: dict[str, Any] = {}
            _put(slot, key, child)
            self.message(_len(value), spec.message, child, where, node, depth + 1)
        elif kind == "struct":
            _put(slot, key, self.struct(_len(value), where, node, depth + 1))
        elif kind == "map":
            entries = slot.setdefault(key, {}) if isinstance(slot, dict) else {}
            name, text, at = self.entry(_len(value), node, depth + 1, value_kind="string")
            entries[name] = text
            if isinstance(text, str):
                self.twin.strings[(*where, name)] = (at, text)
        # bytes: a payload (an image, a signature), never text

    def unknown(self, found: Field, out: dict[str, Any], path: JsonPath, node: NodePath, depth: int) -> None:
        """A field the table does not know: text is analysed, a message is read inside, binary is passed over."""
        if found.wire_type != LEN:
            return
        key = f"field{found.number}"
        slot = out.setdefault(key, [])
        value = self.guess(_len(found.value), (*path, key, len(slot)), node, depth + 1)
        if value is not None:
            slot.append(value)
        elif not slot:
            del out[key]

    def guess(self, data: bytes, path: JsonPath, node: NodePath, depth: int) -> Any:
        if _looks_like_text(data):
            text = data.decode("utf-8")
            self.twin.strings[path] = (node, text)
            return text
        if depth > MAX_DEPTH:
            raise ValueError(f"protobuf message nested deeper than {MAX_DEPTH} levels")
        try:
            fields = parse(data)
        except ValueError:
            return None  # binary: a payload, not a message
        inner: dict[str, Any] = {}
        for index, found in enumerate(fields):
            self.unknown(found, inner, path, (*node, index), depth)
        return inner

    def struct(self, data: bytes, path: JsonPath, node: NodePath, depth: int) -> dict[str, Any]:
        """google.protobuf.Struct: fields = 1 (map<string, Value>)."""
        if depth > MAX_DEPTH:
            raise ValueError(f"protobuf message nested deeper than {MAX_DEPTH} levels")
        out: dict[str, Any] = {}
        for index, found in enumerate(parse(data)):
            if found.number != 1 or found.wire_type != LEN:
                continue
            name, value, _ = self.entry(_len(found.value), (*node, index), depth + 1, value_kind="value", path=path)
            out[name] = value
        return out

    def entry(
        self, data: bytes, node: NodePath, depth: int, value_kind: str, path: JsonPath = ()
    ) -> tuple[str, Any, NodePath]:
        """A map entry: key = 1 (string), value = 2."""
        name, value, at = "", None, node
        for index, found in enumerate(parse(data)):
            if found.number == 1 and found.wire_type == LEN:
                name = self.text(_len(found.value), 1)
            elif found.number == 2 and found.wire_type == LEN:
                at = (*node, index)
                value = self.text(_len(found.value), 2) if value_kind == "string" else (_len(found.value), at)
        if value_kind == "value" and isinstance(value, tuple):
            return name, self.value(value[0], (*path, name), value[1], depth + 1), at
        return name, value, at

    def value(self, data: bytes, path: JsonPath, node: NodePath, depth: int) -> Any:
        """google.protobuf.Value: null 1, number 2 (double), string 3, bool 4, struct 5, list 6."""
        if depth > MAX_DEPTH:
            raise ValueError(f"protobuf message nested deeper than {MAX_DEPTH} levels")
        result: Any = None
        for index, found in enumerate(parse(data)):
            here = (*node, index)
            if found.number == 2 and found.wire_type == FIXED64 and isinstance(found.value, int):
                result = struct.unpack("<d", found.value.to_bytes(8, "little"))[0]
            elif found.number == 3 and found.wire_type == LEN:
                result = self.text(_len(found.value), 3)
                self.twin.strings[path] = (here, result)
            elif found.number == 4 and found.wire_type == VARINT:
                result = bool(found.value)
            elif found.number == 5 and found.wire_type == LEN:
                result = self.struct(_len(found.value), path, here, depth + 1)
            elif found.number == 6 and found.wire_type == LEN:
                result = []
                for item_index, item in enumerate(parse(_len(found.value))):
                    if item.number == 1 and item.wire_type == LEN:
                        where = (*path, len(result))
                        result.append(self.value(_len(item.value), where, (*here, item_index), depth + 1))
        return result

    @staticmethod
    def text(data: Any, number: int) -> str:
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"protobuf string field {number} is not UTF-8") from None


def _len(value: int | bytes) -> bytes:
    if not isinstance(value, bytes):
        raise ValueError("protobuf field is not length-delimited where a message or string was expected")
    return value


def _looks_like_text(data: bytes) -> bool:
    """UTF-8 with no control characters but whitespace: a string, as a message's tags would not be."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return bool(text) and all(ch.isprintable() or ch in "\t\n\r" for ch in text)


def _put(slot: Any, key: str | int, value: Any) -> None:
    if isinstance(slot, list):
        slot.append(value)
    else:
        slot[key] = value  # a repeated scalar or a message given twice: the last one wins, as protobuf merges


def _value_at(body: Any, path: JsonPath) -> Any:
    for key in path:
        try:
            body = body[key]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _rewrite(data: bytes, changes: dict[NodePath, str], depth: int) -> bytes:
    """`data` with the strings at the given node paths replaced; every other field as it came."""
    fields = parse(data)
    by_field: dict[int, dict[NodePath, str]] = {}
    for node, text in changes.items():
        by_field.setdefault(node[0], {})[node[1:]] = text
    for index, inner in by_field.items():
        found = fields[index]
        if () in inner:
            fields[index] = with_value(found, inner[()])
        else:
            fields[index] = with_value(found, _rewrite(_len(found.value), inner, depth + 1))
    return serialize(fields)


class Codec:
    """How one gRPC call's messages travel (a MessageCodec): its request written back, its answers read as JSON."""

    def __init__(self, family: str, request: Twin) -> None:
        self.family = family
        self.request = request
        self._answers: dict[bytes, Twin] = {}

    def request_bytes(self, body: Any) -> bytes:
        return self.request.rewritten(body)

    def answer_json(self, message: bytes) -> Any:
        twin = answer_twin(self.family, message)
        self._answers[twin.data] = twin
        return twin.body

    def answer_bytes(self, message: bytes, answer: Any) -> bytes:
        twin = self._answers.pop(bytes(message), None) or answer_twin(self.family, message)
        return twin.rewritten(answer)
