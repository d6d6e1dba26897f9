"""The protobuf wire format, just enough to read and rewrite a message without its .proto (protobuf is not needed).

A message is a list of fields; each keeps the bytes it came as, so a message rebuilt after one field changed
sends every other field, unknown ones included, byte for byte. Input is checked as it is read: a length past
the end, a varint over ten bytes, a group or a field number 0 is refused with a ValueError that says where.

>>> fields = parse(b"\\x2a\\x02hi\\x10\\x07")
>>> [(f.number, f.value) for f in fields]
[(5, b'hi'), (2, 7)]
>>> serialize([with_value(fields[0], b"hello"), fields[1]])
b'*\\x05hello\\x10\\x07'
"""

from __future__ import annotations

from dataclasses import dataclass

VARINT, FIXED64, LEN, START_GROUP, END_GROUP, FIXED32 = 0, 1, 2, 3, 4, 5
MAX_FIELD_NUMBER = (1 << 29) - 1
_MAX_VARINT_BYTES = 10


@dataclass(frozen=True)
class Field:
    """One field as it sits in a message: its number, wire type, value (int, or bytes for LEN) and raw bytes."""

    number: int
    wire_type: int
    value: int | bytes
    raw: bytes  # the whole field as it came: tag, then value


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at `pos` and the position after it."""
    value = shift = 0
    for index in range(pos, min(pos + _MAX_VARINT_BYTES, len(data))):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if value >> 64:
                raise ValueError(f"protobuf varint at byte {pos} is over 64 bits")
            return value, index + 1
        shift += 7
    if len(data) - pos >= _MAX_VARINT_BYTES:
        raise ValueError(f"protobuf varint at byte {pos} runs over {_MAX_VARINT_BYTES} bytes")
    raise ValueError(f"protobuf message ends inside a varint at byte {pos}")


def encode_varint(value: int) -> bytes:
    """An int below 2**64 as a varint; a negative int32/int64 goes in as its 64-bit two's complement."""
    if value < 0:
        value += 1 << 64
    if not 0 <= value < 1 << 64:
        raise ValueError(f"{value} does not fit a protobuf varint")
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def parse(data: bytes) -> list[Field]:
    """The fields of one message, in order (nested messages stay bytes: parse them when needed)."""
    data = bytes(data)
    fields: list[Field] = []
    pos, end = 0, len(data)
    while pos < end:
        start = pos
        tag, pos = read_varint(data, pos)
        number, wire_type = tag >> 3, tag & 7
        if not 0 < number <= MAX_FIELD_NUMBER:
            raise ValueError(f"protobuf field number {number} at byte {start} is out of range")
        value: int | bytes
        if wire_type == VARINT:
            value, pos = read_varint(data, pos)
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
            if pos + size > end:
                raise ValueError(f"protobuf field {number} at byte {start} needs {size} bytes past the end")
            value, pos = int.from_bytes(data[pos : pos + size], "little"), pos + size
        elif wire_type == LEN:
            length, pos = read_varint(data, pos)
            if length > end - pos:
                raise ValueError(
                    f"protobuf field {number} at byte {start} says {length} bytes, but {end - pos} are left"
                )
            value, pos = data[pos : pos + length], pos + length
        elif wire_type in (START_GROUP, END_GROUP):
            raise ValueError(f"protobuf field {number} at byte {start} is a group, which is not supported")
        else:
            raise ValueError(f"protobuf field {number} at byte {start} has an unknown wire type {wire_type}")
        fields.append(Field(number, wire_type, value, data[start:pos]))
    return fields


def serialize(fields: list[Field]) -> bytes:
    """A message's bytes: its fields as they are (changed ones were rebuilt by `with_value` or `new_field`)."""
    return b"".join(field.raw for field in fields)


def new_field(number: int, value: int | bytes | str, wire_type: int | None = None) -> Field:
    """A field built from a value: an int is a varint (unless a fixed wire type is given), str and bytes are LEN."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if wire_type is None:
        wire_type = LEN if isinstance(value, bytes) else VARINT
    if not 0 < number <= MAX_FIELD_NUMBER:
        raise ValueError(f"protobuf field number {number} is out of range")
    tag = encode_varint(number << 3 | wire_type)
    if wire_type == LEN and isinstance(value, bytes):
        return Field(number, LEN, value, tag + encode_varint(len(value)) + value)
    if wire_type == VARINT and isinstance(value, int):
        return Field(number, VARINT, value, tag + encode_varint(value))
    if wire_type in (FIXED64, FIXED32) and isinstance(value, int):
        return Field(number, wire_type, value, tag + value.to_bytes(8 if wire_type == FIXED64 else 4, "little"))
    raise ValueError(f"a {type(value).__name__} cannot go in a protobuf field of wire type {wire_type}")


def with_value(field: Field, value: int | bytes | str) -> Field:
    """The same field (number, wire type) holding another value."""
    return new_field(field.number, value, field.wire_type)
