"""The line format of an evidence log: canonical JSON, the hash rule, and parsing one line.

The rule, for anyone writing an independent verifier:

1. A record is a JSON object. ``body`` is its RFC 8785 (JCS) canonical form *without* the ``hash``
   member, as UTF-8 bytes.
2. ``hash`` is the lowercase hex SHA-256 of ``body``.
3. The line written is ``body`` with ``,"hash":"<hash>"`` inserted before its final ``}``, then ``\\n``::

       line = body[:-1] + b',"hash":"' + hash + b'"}\\n'

   So the last 76 bytes of every line are ``,"hash":"<64 hex>"}\\n``, and
   ``sha256(line[:-76] + b"}")`` must equal the hash it carries: a verifier hashes the exact bytes on
   disk and needs no re-canonicalisation. Equivalently, ``sha256(JCS(parsed record minus "hash"))``
   must equal ``hash`` (the body is canonical, so both checks agree).
4. ``seq`` counts 1, 2, 3, ... and ``prev`` is the previous record's ``hash`` (64 zeros for the first).

A line that was cut short by a crash is never rewritten; see :mod:`jupyter_aigov.evidence.log` for the
recovery record that accounts for it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import rfc8785

from aigov_core.errors import EvidenceError

ZERO_HASH = "0" * 64
HASH_PREFIX = b',"hash":"'
HASH_END = b'"}\n'
# ,"hash":"  +  64 hex  +  "}\n
SUFFIX_LEN = len(HASH_PREFIX) + 64 + len(HASH_END)
_PREFIX_AT = slice(-SUFFIX_LEN, -SUFFIX_LEN + len(HASH_PREFIX))
_decode = json.JSONDecoder().decode  # on str: skips json.loads's encoding sniffing, ~25% faster
RECOVERY_EVENT = "evidence.recovered"


class LineError(ValueError):
    """One line of a log is not a well-formed, self-consistent record; the message says why."""


# The standard library's C encoder writes exactly RFC 8785's text for the values evidence records hold:
# sorted ASCII keys, strings, booleans, null, integers within +/-2**53 and floats in the range where
# Python's shortest repr equals ECMAScript's Number-to-string. Everything else goes to rfc8785.
_fast_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
).encode
_MAX_SAFE_INT = 2**53 - 1


def _fast_path_fits(value: Any) -> bool:
    """Whether every value inside is one the C encoder writes in canonical form (iterative: it is hot)."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is dict:
            for key in item:
                if type(key) is not str or not key.isascii():
                    return False  # JCS sorts keys by UTF-16 code units; sort_keys sorts by code points
            pending.extend(item.values())
        elif kind is list:
            pending.extend(item)
        elif kind is int:
            if not -_MAX_SAFE_INT <= item <= _MAX_SAFE_INT:
                return False
        elif kind is float:
            if not (1e-4 <= abs(item) < 1e16 and item != int(item)):  # False for NaN and infinities too
                return False
        else:
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """Return the RFC 8785 canonical JSON of ``value`` as UTF-8 bytes."""
    if _fast_path_fits(value):
        try:
            return _fast_encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 says what is wrong with it
            pass
    try:
        return rfc8785.dumps(value)
    except (ValueError, TypeError) as exc:
        raise EvidenceError(
            f"An evidence record must hold only JSON values (dicts with string keys, lists, strings, "
            f"booleans, None, finite floats, integers within +/-2**53): {exc}."
        ) from exc


def seal(record: dict[str, Any]) -> tuple[str, bytes]:
    """Return ``(hash, line)`` for a record that has no ``hash`` member yet."""
    body = canonical_json(record)
    digest = hashlib.sha256(body).hexdigest()
    return digest, body[:-1] + HASH_PREFIX + digest.encode("ascii") + HASH_END


def parse_line(raw: bytes) -> dict[str, Any]:
    """Parse one newline-terminated line and check its hash against its bytes; raise LineError if not."""
    if raw[_PREFIX_AT] != HASH_PREFIX or raw[-3:] != HASH_END:
        if not raw.strip():
            raise LineError("is empty")
        raise LineError('does not end with a "hash" member, so it is not an evidence record')
    try:
        record = _decode(raw.decode("utf-8"))
    except ValueError as exc:
        raise LineError(f"is not valid JSON ({exc})") from None
    if type(record) is not dict:
        raise LineError("is not a JSON object")
    if next(reversed(record)) != "hash":
        # json.loads keeps a duplicated key at its first position: a second "hash" hides in the body.
        raise LineError('holds the "hash" member twice')
    if record["hash"] != hashlib.sha256(raw[:-SUFFIX_LEN] + b"}").hexdigest():
        raise LineError("does not match its hash: the record was changed after it was written")
    return record


def is_canonical(record: dict[str, Any], raw: bytes) -> bool:
    """Tell whether the line's body is exactly the JCS form of the parsed record minus ``hash``."""
    rest = {key: value for key, value in record.items() if key != "hash"}
    try:
        return rfc8785.dumps(rest) == raw[:-SUFFIX_LEN] + b"}"
    except (ValueError, TypeError):
        return False


def lost_span(offset: int, data: bytes) -> dict[str, Any]:
    """Describe bytes kept in the log that are not a record (a write cut short), for a recovery record."""
    return {"offset": offset, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
