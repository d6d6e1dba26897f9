"""The bundle's attestation: an in-toto Statement v1 about the bag's files, signed in a DSSE envelope.

What :func:`sign_statement` writes, for anyone checking a bundle with other tools:

- the payload is the statement's RFC 8785 canonical JSON, of type ``application/vnd.in-toto+json``;
- the one signature is Ed25519 over DSSE v1's pre-authentication encoding of (payload type, payload), and its
  ``keyid`` is the signer's fingerprint (see :mod:`aigov_core.bundle.signing`);
- the envelope itself is canonical JSON, its base64 standard with padding.

:func:`open_envelope` accepts exactly that form and nothing looser, so that every byte of an envelope either
changes the payload, signature or keyid it decodes to (and the signature or keyid check fails) or stops it
parsing: no byte can change unnoticed.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from aigov_core.bundle.signing import SigningKey, fingerprint_of, public_key_from_pem, verify_signature
from aigov_core.errors import BundleError, EvidenceError
from aigov_core.evidence.canonical import canonical_json

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://github.com/jupyter-aigov/jupyter-aigov/blob/main/docs/evidence-bundle-v1.md"

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_ENVELOPE_MEMBERS = {"payload", "payloadType", "signatures"}
_SIGNATURE_MEMBERS = {"keyid", "sig"}
_STATEMENT_MEMBERS = {"_type", "subject", "predicateType", "predicate"}


@dataclass(frozen=True)
class Attestation:
    """An opened, verified envelope: the statement, its subjects (name -> sha256) and who signed it."""

    statement: dict[str, Any]
    subjects: dict[str, str]
    predicate: dict[str, Any]
    fingerprint: str
    pinned: bool  # the signer was checked against an expected list (not merely self-consistent)


def _name_problem(name: object) -> str | None:
    """Why ``name`` is not a normalised relative POSIX path inside the bag, or None when it is one."""
    if not isinstance(name, str) or not name:
        return "the name is not a non-empty string"
    if name.startswith("/"):
        return "the name is an absolute path, not one relative to the bag"
    if "\\" in name or "\x00" in name:
        return "the name holds a backslash or NUL, so it is not a POSIX path"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "the name has an empty, '.' or '..' segment"
    return None


def _digest_problem(digest: object) -> str | None:
    """Why ``digest`` is not a lowercase hex SHA-256, or None when it is one."""
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
        return "the sha256 digest is not 64 lowercase hex digits"
    return None


def build_statement(subjects: Mapping[str, str], predicate: Mapping[str, Any]) -> dict[str, Any]:
    """Return the in-toto Statement v1 naming each bag file (path -> lowercase hex sha256) and our predicate."""
    if not subjects:
        raise BundleError("An attestation needs at least one subject: pass the bag's files and their SHA-256.")
    for name, digest in subjects.items():
        problem = _name_problem(name) or _digest_problem(digest)
        if problem:
            raise BundleError(f"Cannot attest the bag file {name!r}: {problem}.")
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": subjects[name]}} for name in sorted(subjects)],
        "predicateType": PREDICATE_TYPE,
        "predicate": dict(predicate),
    }


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what is really signed, so the type cannot be swapped under a payload."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def sign_statement(statement: dict[str, Any], key: SigningKey) -> bytes:
    """Sign ``statement`` with ``key`` and return the DSSE envelope as canonical JSON bytes."""
    try:
        payload = canonical_json(statement)
    except EvidenceError as exc:
        raise BundleError(f"The statement cannot be signed: {exc}") from None
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    envelope = {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"keyid": key.fingerprint, "sig": base64.b64encode(signature).decode("ascii")}],
    }
    return canonical_json(envelope)


def _refuse(fault: str) -> NoReturn:
    raise BundleError(f"The bundle's attestation {fault}.")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads hook: a repeated member would let two readers see two different values."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"member {name!r} appears twice")
        result[name] = value
    return result


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _strict_json(data: bytes) -> Any:
    """Parse UTF-8 JSON, refusing duplicate members and NaN/Infinity; raise ValueError with the reason."""
    try:
        return json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("it is nested too deeply") from None


def _members(value: Any, expected: set[str], what: str) -> dict[str, Any]:
    """Check ``value`` is an object with exactly ``expected`` members, naming what is missing or extra."""
    if not isinstance(value, dict):
        _refuse(f"{what} is not a JSON object")
    missing, extra = sorted(expected - value.keys()), sorted(value.keys() - expected)
    if missing or extra:
        faults = ([f"lacks {', '.join(missing)}"] if missing else []) + ([f"has {', '.join(extra)}"] if extra else [])
        _refuse(f"{what} must have exactly the members {', '.join(sorted(expected))}, but {' and '.join(faults)}")
    return value


def _canonical_b64(text: Any, what: str) -> bytes:
    """Decode standard padded base64, refusing any text but the one encoding of the bytes it decodes to."""
    if not isinstance(text, str):
        _refuse(f"{what} is not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError:
        _refuse(f"{what} is not valid base64")
    # b64decode ignores the unused low bits of the last digit: without this, they could change unnoticed.
    if base64.b64encode(raw).decode("ascii") != text:
        _refuse(f"{what} is not canonical base64 (its last digit has unused bits set)")
    return raw


def _is_canonical(value: Any, data: bytes) -> bool:
    """Tell whether ``data`` is exactly the RFC 8785 form of the ``value`` parsed from it."""
    try:
        return canonical_json(value) == data
    except EvidenceError:  # a lone surrogate, or a number RFC 8785 cannot write exactly
        return False


def _subjects(statement: dict[str, Any]) -> dict[str, str]:
    """Read the statement's subject list into name -> sha256, refusing any malformed or repeated entry."""
    entries = statement["subject"]
    if not isinstance(entries, list) or not entries:
        _refuse("statement's subject is not a non-empty list")
    subjects: dict[str, str] = {}
    for index, entry in enumerate(entries):
        where = f"statement's subject #{index + 1}"
        _members(entry, {"name", "digest"}, where)
        digest = _members(entry["digest"], {"sha256"}, f"{where} digest")
        problem = _name_problem(entry["name"]) or _digest_problem(digest["sha256"])
        if problem:
            _refuse(f"{where} is malformed: {problem}")
        if entry["name"] in subjects:
            _refuse(f"statement names the subject {entry['name']!r} twice")
        subjects[entry["name"]] = digest["sha256"]
    return subjects


def open_envelope(envelope: bytes, public_key_pem: bytes, trusted: Collection[str] = ()) -> Attestation:
    """Verify a DSSE envelope against the bundled public key (and ``trusted`` fingerprints, if any); return it."""
    if isinstance(trusted, str):
        raise TypeError("trusted is a collection of fingerprints; wrap a single fingerprint in a tuple")
    try:
        parsed = _strict_json(envelope)
    except ValueError as exc:
        _refuse(f"envelope is not JSON ({exc})")
    _members(parsed, _ENVELOPE_MEMBERS, "envelope")
    if parsed["payloadType"] != PAYLOAD_TYPE:
        _refuse(f"envelope's payloadType is {parsed['payloadType']!r}, not {PAYLOAD_TYPE!r}")
    signatures = parsed["signatures"]
    if not isinstance(signatures, list) or len(signatures) != 1:
        _refuse("envelope must carry exactly one signature")
    entry = _members(signatures[0], _SIGNATURE_MEMBERS, "envelope's signature")
    if not isinstance(entry["keyid"], str):
        _refuse("envelope's signature keyid is not a string")
    payload = _canonical_b64(parsed["payload"], "envelope's payload")
    signature = _canonical_b64(entry["sig"], "envelope's signature")
    if not _is_canonical(parsed, envelope):
        _refuse("envelope is not the canonical JSON (RFC 8785) it is written as: it was reformatted or edited")

    public_key = public_key_from_pem(public_key_pem)
    fingerprint = fingerprint_of(public_key)
    if entry["keyid"] != fingerprint:
        _refuse(f"is signed with key {entry['keyid']!r}, but the bundled public key is {fingerprint}")
    if not verify_signature(public_key, signature, pae(PAYLOAD_TYPE, payload)):
        _refuse(f"signature does not verify with key {fingerprint}: the statement or its signature was changed")
    if trusted and fingerprint not in trusted:
        expected = ", ".join(sorted(trusted))
        _refuse(f"is signed by key {fingerprint}, which is not among the expected signers: {expected}")

    # Parsed only now that it is authenticated; canonical, so no byte of it has a second spelling.
    try:
        statement = _strict_json(payload)
    except ValueError as exc:
        _refuse(f"payload is not JSON ({exc})")
    if not _is_canonical(statement, payload):
        _refuse("payload is not canonical JSON (RFC 8785)")
    _members(statement, _STATEMENT_MEMBERS, "statement")
    if statement["_type"] != STATEMENT_TYPE:
        _refuse(f"statement's _type is {statement['_type']!r}, not {STATEMENT_TYPE!r}")
    if statement["predicateType"] != PREDICATE_TYPE:
        _refuse(f"statement's predicateType is {statement['predicateType']!r}, not {PREDICATE_TYPE!r}")
    if not isinstance(statement["predicate"], dict):
        _refuse("statement's predicate is not a JSON object")
    return Attestation(statement, _subjects(statement), statement["predicate"], fingerprint, bool(trusted))
