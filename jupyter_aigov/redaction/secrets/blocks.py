"""Private key blocks, whole: PEM (RFC 7468), OpenPGP armor (RFC 4880), PuTTY key files."""

from __future__ import annotations

import re

# A block pasted without its END line still counts, up to the end of its base64 body; `\n` escapes count as
# line breaks (and one after the END line belongs to the key), since keys pasted from JSON (service-account
# files) carry them.
_BODY = r"(?:[A-Za-z0-9+/=:\s-]|\\n|\\r)*"

PRIVATE_KEY_BLOCKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "pem_private_key",
        re.compile(
            r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]*?-----END[ A-Z0-9_-]{0,100}KEY(?: BLOCK)?-----(?:\\n)?|" + _BODY + ")"
        ),
    ),
    (
        "pgp_private_key",
        re.compile(
            r"-----BEGIN PGP PRIVATE KEY BLOCK-----(?:[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----|" + _BODY + ")"
        ),
    ),
    ("putty_private_key", re.compile(r"PuTTY-User-Key-File-[23]: [\s\S]*?Private-MAC: [0-9a-f]+")),
)


def find_private_key_blocks(text: str) -> list[tuple[str, int, int]]:
    """Each private key block in `text` as (kind, start, end)."""
    if "PRIVATE KEY" not in text and "PuTTY-User-Key-File" not in text:
        return []
    return [(name, m.start(), m.end()) for name, regex in PRIVATE_KEY_BLOCKS for m in regex.finditer(text)]
