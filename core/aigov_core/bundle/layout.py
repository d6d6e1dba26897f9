"""The layout of a bundle: a BagIt bag (RFC 8493) whose tag files carry an in-toto attestation.

<bundle>/bagit.txt                   BagIt 1.0 declaration
<bundle>/bag-info.txt                who exported it, when, Payload-Oxum
<bundle>/manifest-sha256.txt         the SHA-256 of every payload file (data/...)
<bundle>/tagmanifest-sha256.txt      the SHA-256 of the tag files above and of aigov/signer.pub
<bundle>/aigov/signer.pub            the Ed25519 public key that signed the attestation (PEM)
<bundle>/aigov/attestation.dsse.json in-toto Statement v1 in a DSSE envelope: every file above, with its
                                     SHA-256, is a subject; it is the one file no manifest lists
<bundle>/data/bundle.json            what was exported, from where, with which filters
<bundle>/data/report.html            the summary an auditor reads first
<bundle>/data/environment.json       Python, platform and package versions
<bundle>/data/evidence/...           the evidence logs (whole, or excerpts: *.excerpt.jsonl)
<bundle>/data/inventory/...          model registrations, assessments and their change log
<bundle>/data/policy/...             the policy files in force, byte for byte
<bundle>/data/notebooks/...          the notebooks, outputs kept (redacted unless asked not to)
"""

from __future__ import annotations

BAGIT_TXT = "bagit.txt"
BAG_INFO = "bag-info.txt"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
SIGNER_KEY = "aigov/signer.pub"
ATTESTATION = "aigov/attestation.dsse.json"
BUNDLE_JSON = "data/bundle.json"
REPORT = "data/report.html"
ENVIRONMENT = "data/environment.json"
EVIDENCE_PREFIX = "data/evidence/"
INVENTORY_PREFIX = "data/inventory/"
INVENTORY_CHANGES = "data/inventory/changes.jsonl"
PAYLOAD_PREFIX = "data/"
BAGIT_DECLARATION = b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
BUNDLE_FORMAT = 1


def manifest_text(digests: dict[str, str]) -> bytes:
    """A BagIt manifest: ``<sha256>  <path>`` per file, sorted by path."""
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode("utf-8")


def parse_manifest(text: bytes, manifest: str) -> dict[str, str]:
    """Path -> lowercase SHA-256 from a manifest; ValueError naming the line when one is malformed."""
    entries: dict[str, str] = {}
    for number, line in enumerate(text.decode("utf-8").split("\n"), start=1):
        if not line:
            continue
        digest, _, path = line.partition(" ")
        path = path.lstrip(" \t")
        if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest) or not path:
            raise ValueError(f"{manifest} line {number} is not '<sha256> <path>'")
        path = path.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
        if path in entries:
            raise ValueError(f"{manifest} lists {path} twice")
        entries[path] = digest.lower()
    return entries


def bag_info_text(fields: list[tuple[str, str]]) -> bytes:
    """bag-info.txt: one ``Label: value`` line per field, in the order given."""
    return "".join(f"{label}: {' '.join(value.split())}\n" for label, value in fields).encode("utf-8")


def parse_bag_info(text: bytes) -> dict[str, str]:
    """Labels -> values of bag-info.txt (the last of a repeated label; continuation lines joined)."""
    fields: dict[str, str] = {}
    label = None
    for line in text.decode("utf-8").splitlines():
        if line[:1] in (" ", "\t") and label is not None:
            fields[label] += " " + line.strip()
            continue
        label, _, value = line.partition(":")
        label = label.strip()
        fields[label] = value.strip()
    return fields
