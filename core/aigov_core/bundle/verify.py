"""Verify an evidence bundle without trusting whoever hands it over; stop at the first fault and name it.

The checks, in order: the zip is safe to read (no path escaping the bag, no links, no duplicates, no bombs);
the bag declares BagIt; the attestation's signature holds for the bundled public key (and that key is one
of the expected signers, when given); every file is accounted for (attested, and listed by the manifest or
tag manifest; the attestation is the one file nothing lists); every file's SHA-256 matches the attestation
and the manifests; every evidence log's hash chain holds; Payload-Oxum and bundle.json agree with what is
there. Nothing is extracted: each member is read as a stream.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from aigov_core.bundle import layout
from aigov_core.bundle.archive import ArchiveLimits, BundleArchive
from aigov_core.bundle.attestation import Attestation, open_envelope
from aigov_core.bundle.log_copy import is_excerpt, verify_excerpt
from aigov_core.errors import BundleError
from aigov_core.evidence import LogVerification, verify_lines

_CHUNK = 1 << 20
REQUIRED = (
    layout.BAGIT_TXT,
    layout.BAG_INFO,
    layout.MANIFEST,
    layout.TAG_MANIFEST,
    layout.SIGNER_KEY,
    layout.ATTESTATION,
)


@dataclass(frozen=True)
class BundleVerification:
    """What :func:`verify_bundle` found: ``ok``, or the first ``fault``; who signed, what it holds."""

    ok: bool
    fault: str | None = None
    signer: str | None = None
    pinned: bool = False
    files: int = 0
    logs: dict[str, int] = field(default_factory=dict)  # log -> records checked
    exported_at: str | None = None
    exported_by: str | None = None

    def __str__(self) -> str:
        if not self.ok:
            return f"NOT intact: {self.fault}"
        records = sum(self.logs.values())
        signer = f"signed by {self.signer}" + (" (an expected signer)" if self.pinned else " (signer not pinned)")
        return (
            f"intact: {self.files} files, {len(self.logs)} evidence logs with {records} records, hash chains "
            f"unbroken; {signer}; exported {self.exported_at} by {self.exported_by}"
        )


def verify_bundle(
    path: str | os.PathLike[str], *, signers: Collection[str] = (), limits: ArchiveLimits | None = None
) -> BundleVerification:
    """Check the bundle at ``path``; ``signers`` pins the fingerprints the signature must come from."""
    try:
        with BundleArchive(path, limits or ArchiveLimits()) as archive:
            return _verify(archive, signers)
    except BundleError as exc:
        return BundleVerification(ok=False, fault=str(exc))


def _verify(archive: BundleArchive, signers: Collection[str]) -> BundleVerification:
    present = set(archive.files)
    for name in REQUIRED:
        if name not in present:
            raise BundleError(f"{name} is missing from the bundle, so it cannot be verified")
    if archive.read(layout.BAGIT_TXT) != layout.BAGIT_DECLARATION:
        raise BundleError(f"{layout.BAGIT_TXT} is not the BagIt 1.0 declaration this bundle format writes")
    attestation = open_envelope(archive.read(layout.ATTESTATION), archive.read(layout.SIGNER_KEY), signers)
    manifests = _manifests(archive)
    _check_accounted(present, attestation, manifests)
    logs: dict[str, int] = {}
    heads: dict[str, str] = {}
    payload_bytes = 0
    for name in archive.files:
        if name == layout.ATTESTATION:
            continue
        expected = attestation.subjects[name]
        with archive.open(name) as stream:
            digest, size, verification = _read(stream, name)
        if digest != expected:
            raise BundleError(f"{name} has changed: its SHA-256 is not the one the signed attestation gives")
        listed = manifests[layout.MANIFEST if name.startswith(layout.PAYLOAD_PREFIX) else layout.TAG_MANIFEST]
        if name != layout.TAG_MANIFEST and listed.get(name) != digest:  # the tag manifest is attested, not listed
            raise BundleError(f"{name}: its SHA-256 is not the one its BagIt manifest gives")
        if verification is not None:
            if not verification.ok:
                raise BundleError(f"the evidence log {name} is not intact: {verification.fault}")
            logs[name] = verification.records
            heads[name] = verification.head
        if name.startswith(layout.PAYLOAD_PREFIX):
            payload_bytes += size
    info = layout.parse_bag_info(archive.read(layout.BAG_INFO))
    oxum = f"{payload_bytes}.{len(manifests[layout.MANIFEST])}"
    if info.get("Payload-Oxum") != oxum:
        raise BundleError(f"{layout.BAG_INFO} gives Payload-Oxum {info.get('Payload-Oxum')!r}, the payload is {oxum}")
    description = _description(archive)
    _check_description(description, logs, heads)
    return BundleVerification(
        ok=True,
        signer=attestation.fingerprint,
        pinned=attestation.pinned,
        files=len(archive.files),
        logs=logs,
        exported_at=description.get("exported_at"),
        exported_by=description.get("exported_by"),
    )


def _manifests(archive: BundleArchive) -> dict[str, dict[str, str]]:
    manifests = {}
    for name in (layout.MANIFEST, layout.TAG_MANIFEST):
        try:
            manifests[name] = layout.parse_manifest(archive.read(name), name)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BundleError(f"{name} is malformed: {exc}") from None
    return manifests


def _check_accounted(present: set[str], attestation: Attestation, manifests: dict[str, dict[str, str]]) -> None:
    """Every file attested and listed, every attested or listed file present: nothing added, nothing lost."""
    payload = {name for name in present if name.startswith(layout.PAYLOAD_PREFIX)}
    tags = present - payload - {layout.TAG_MANIFEST, layout.ATTESTATION}
    for name in sorted(present - {layout.ATTESTATION}):
        if name not in attestation.subjects:
            raise BundleError(f"{name} is in the bundle but not in the signed attestation: it was added afterwards")
    for name in sorted(attestation.subjects):
        if name not in present:
            raise BundleError(f"{name} is missing: the signed attestation lists it")
    for manifest, expected in ((layout.MANIFEST, payload), (layout.TAG_MANIFEST, tags)):
        listed = set(manifests[manifest])
        for name in sorted(expected - listed):
            raise BundleError(f"{name} is in the bundle but not listed in {manifest}")
        for name in sorted(listed - expected):
            raise BundleError(f"{name} is listed in {manifest} but is not in the bundle")


def _read(stream: IO[bytes], name: str) -> tuple[str, int, LogVerification | None]:
    """Hash a member as it streams by, checking its hash chain on the way when it is an evidence log."""
    digest = hashlib.sha256()
    counter = [0]
    chunks = _chunks(stream, digest, counter)
    verification = None
    if name.endswith(".jsonl") and (name.startswith(layout.EVIDENCE_PREFIX) or name == layout.INVENTORY_CHANGES):
        lines = _lines(chunks)
        verification = verify_excerpt(lines) if is_excerpt(name) else verify_lines(lines)
    for _rest in chunks:  # a chain fault stops reading early; the digest still covers every byte
        pass
    return digest.hexdigest(), counter[0], verification


def _chunks(stream: IO[bytes], digest: Any, counter: list[int]) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        counter[0] += len(chunk)
        yield chunk


def _lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in chunks:
        data = pending + chunk
        end = data.rfind(b"\n") + 1
        pending = data[end:]
        if end:
            for line in data[: end - 1].split(b"\n"):
                yield line + b"\n"
    if pending:
        yield pending  # no line end: the chain check names it


def _description(archive: BundleArchive) -> dict[str, Any]:
    try:
        description = json.loads(archive.read(layout.BUNDLE_JSON))
    except KeyError:
        raise BundleError(f"{layout.BUNDLE_JSON} is missing") from None
    except ValueError as exc:
        raise BundleError(f"{layout.BUNDLE_JSON} is not valid JSON: {exc}") from None
    if not isinstance(description, dict) or description.get("format") != layout.BUNDLE_FORMAT:
        raise BundleError(f"{layout.BUNDLE_JSON} does not describe a bundle of format {layout.BUNDLE_FORMAT}")
    return description


def _check_description(description: dict[str, Any], logs: dict[str, int], heads: dict[str, str]) -> None:
    described = description.get("logs")
    if not isinstance(described, list):
        raise BundleError(f"{layout.BUNDLE_JSON} lists no logs")
    named = set()
    for entry in described:
        name = entry.get("path") if isinstance(entry, dict) else None
        if name not in logs:
            raise BundleError(f"{layout.BUNDLE_JSON} lists the log {name!r}, which the bundle does not hold")
        if entry.get("head_hash") != heads[name] or entry.get("included") != logs[name]:
            raise BundleError(f"{layout.BUNDLE_JSON} gives {name} another head or record count than the log has")
        named.add(name)
    for name in sorted(set(logs) - named - {layout.INVENTORY_CHANGES}):
        raise BundleError(f"the evidence log {name} is not described in {layout.BUNDLE_JSON}")
