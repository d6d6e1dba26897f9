"""The protobuf wire reader/writer: round trips, fields kept byte for byte, and input built to break it refused."""

from __future__ import annotations

import struct

import pytest

from jupyter_aigov.providers.protobuf import (
    FIXED32,
    FIXED64,
    LEN,
    VARINT,
    encode_varint,
    new_field,
    parse,
    read_varint,
    serialize,
    with_value,
)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 16383, 16384, 2**31 - 1, 2**32, 2**63, 2**64 - 1])
def test_when_a_varint_is_written_then_it_reads_back_the_same(value):
    data = encode_varint(value)
    assert read_varint(data, 0) == (value, len(data))
    assert len(data) <= 10


def test_when_a_negative_int_is_written_then_it_is_its_64_bit_twos_complement():
    assert encode_varint(-1) == b"\xff" * 9 + b"\x01"
    assert read_varint(encode_varint(-1), 0)[0] == 2**64 - 1


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x80", "ends inside a varint"),
        (b"\xff" * 10 + b"\x01", "runs over 10 bytes"),
        (b"\xff" * 9 + b"\x7f", "over 64 bits"),
    ],
)
def test_when_a_varint_is_malformed_then_it_is_refused_with_where(data, said):
    with pytest.raises(ValueError, match=said):
        read_varint(data, 0)


def test_when_fields_of_every_wire_type_are_built_then_they_parse_back_to_themselves():
    double = struct.unpack("<Q", struct.pack("<d", 2.5))[0]
    fields = [
        new_field(1, 150),
        new_field(2, "testing"),
        new_field(3, b"\x00\xff binary"),
        new_field(4, double, FIXED64),
        new_field(5, 7, FIXED32),
        new_field(536870911, ""),  # the highest field number
    ]
    data = serialize(fields)
    assert parse(data) == fields
    assert parse(b"\x08\x96\x01")[0].value == 150  # the protobuf documentation's own example
    assert [(f.number, f.wire_type) for f in fields] == [
        (1, VARINT),
        (2, LEN),
        (3, LEN),
        (4, 1),
        (5, 5),
        (536870911, 2),
    ]


def test_when_one_field_is_changed_then_every_other_goes_out_byte_for_byte():
    # a field encoded with a longer varint than needed (valid, and not what a writer would make) stays as it came
    odd = b"\x08\x80\x80\x00"
    unknown = new_field(99, b"\x01\x02 whatever an old reader does not know").raw
    data = odd + new_field(2, "old text").raw + unknown + new_field(7, 5, FIXED32).raw
    fields = parse(data)
    fields[1] = with_value(fields[1], "new, longer text")
    out = serialize(fields)
    assert out == odd + new_field(2, "new, longer text").raw + unknown + new_field(7, 5, FIXED32).raw
    assert serialize(parse(data)) == data


def test_when_an_empty_message_is_parsed_then_it_has_no_fields():
    assert parse(b"") == []


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x12\x05abc", "says 5 bytes, but 3 are left"),
        (b"\x12\xff\xff\xff\xff\xff\xff\xff\xff\x7f", r"says \d+ bytes, but 0 are left"),  # a length of ~2**63
        (b"\x0b", "is a group"),
        (b"\x0c", "is a group"),
        (b"\x0e", "unknown wire type 6"),
        (b"\x00\x01", "field number 0"),
        (b"\x09\x01\x02", "needs 8 bytes past the end"),
        (b"\x0d\x01", "needs 4 bytes past the end"),
        (b"\x08", "ends inside a varint"),
    ],
)
def test_when_a_message_is_malformed_then_it_is_refused_with_a_clear_error(data, said):
    with pytest.raises(ValueError, match=said):
        parse(data)


def test_when_a_length_claims_gigabytes_then_nothing_is_allocated_for_it():
    huge = b"\x12" + encode_varint(2**40) + b"x" * 16
    with pytest.raises(ValueError, match="bytes, but 16 are left"):
        parse(huge)


@pytest.mark.parametrize(("number", "value"), [(0, 1), (2**29, 1)])
def test_when_a_field_number_is_out_of_range_then_no_field_is_built(number, value):
    with pytest.raises(ValueError, match="out of range"):
        new_field(number, value)


def test_when_a_value_does_not_fit_its_wire_type_then_no_field_is_built():
    with pytest.raises(ValueError, match="cannot go in a protobuf field"):
        new_field(1, b"text", VARINT)
    with pytest.raises(ValueError, match="does not fit"):
        encode_varint(2**64)
