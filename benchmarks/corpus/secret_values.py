"""Random secret values from a shape in secret_formats.py's notation."""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import string

CHARSETS = {
    "a": string.ascii_letters + string.digits,
    "l": string.ascii_lowercase + string.digits,
    "U": string.ascii_uppercase + string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": string.digits,
    "b": string.ascii_letters + string.digits + "+/",
    "w": string.ascii_letters + string.digits + "_-",
    "L": string.ascii_lowercase,
    "A": string.ascii_letters,
    "B": "qpzry9x8gf2tvdw0s3jn54khce6mua7l".upper(),
    "2": string.ascii_uppercase + "234567",
}
FIELD = re.compile(r"\{([a-zA-Z2]):(\d+)(?:-(\d+))?\}")
BASE62 = string.digits + string.ascii_letters

# Words for memorable passwords; ordinary English, none of them names or places.
WORDS = (
    "correct",
    "horse",
    "battery",
    "staple",
    "purple",
    "monkey",
    "river",
    "stone",
    "coffee",
    "window",
    "garden",
    "silver",
    "rocket",
    "paper",
    "orange",
    "winter",
    "summer",
    "falcon",
    "dragon",
    "tiger",
    "cloud",
    "pencil",
)


def render(shape: str, rng: random.Random) -> str:
    """Fill each `{c:n}` of a shape with random characters of charset c."""

    def fill(m: re.Match[str]) -> str:
        low = int(m.group(2))
        size = rng.randint(low, int(m.group(3))) if m.group(3) else low
        return "".join(rng.choice(CHARSETS[m.group(1)]) for _ in range(size))

    return FIELD.sub(fill, shape)


def github_style(prefix: str, rng: random.Random) -> str:
    """A token of 30 random base62 characters and their CRC32 in 6 base62 digits, as GitHub and npm issue them."""
    body = "".join(rng.choice(BASE62) for _ in range(30))
    crc = binascii.crc32(body.encode())
    digits = ""
    while crc:
        crc, r = divmod(crc, 62)
        digits = BASE62[r] + digits
    return prefix + body + digits.rjust(6, "0")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(("HS256", "RS256", "ES256")), "typ": "JWT"}
    claims = {
        "sub": "".join(rng.choice(CHARSETS["h"]) for _ in range(24)),
        "iat": rng.randint(1_600_000_000, 1_760_000_000),
        "exp": rng.randint(1_760_000_000, 1_800_000_000),
        "scope": rng.choice(("read", "read write", "admin")),
    }
    signature = bytes(rng.getrandbits(8) for _ in range(32 if header["alg"] == "HS256" else 64))
    return ".".join((b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), b64url(signature)))


# DER openings of each key type, so a block starts as real ones do.
PEM_OPENINGS = {
    "RSA PRIVATE KEY": ("MIIEpAIBAAKCAQEA", 1580),
    "PRIVATE KEY": ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQ", 1580),
    "EC PRIVATE KEY": ("MHcCAQEEI", 212),
    "OPENSSH PRIVATE KEY": ("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 360),
    "DSA PRIVATE KEY": ("MIIBuwIBAAKBgQ", 880),
    "ENCRYPTED PRIVATE KEY": ("MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", 1740),
    "PGP PRIVATE KEY BLOCK": ("lQVYBG", 1300),
}


def pem(label: str, rng: random.Random) -> str:
    opening, size = PEM_OPENINGS[label]
    body = opening + "".join(rng.choice(CHARSETS["b"]) for _ in range(size - len(opening)))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    if label == "PGP PRIVATE KEY BLOCK":
        checksum = "=" + "".join(rng.choice(CHARSETS["b"]) for _ in range(4))
        return f"-----BEGIN {label}-----\n\n" + "\n".join(lines) + f"\n{checksum}\n-----END {label}-----"
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def password(rng: random.Random) -> str:
    symbols = "!#%&*+-=?@^_"
    chars = string.ascii_letters + string.digits + symbols
    size = rng.randint(12, 24)
    value = [rng.choice(string.ascii_uppercase), rng.choice(string.digits), rng.choice(symbols)]
    value += [rng.choice(chars) for _ in range(size - 3)]
    rng.shuffle(value)
    return "".join(value)


def memorable(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(2, 3))
    if rng.random() < 0.5:
        return "-".join(words) + str(rng.randint(10, 99))
    return "".join(w.capitalize() for w in words) + str(rng.randint(1, 2030)) + rng.choice("!?#$%")


def make(shape: str, rng: random.Random) -> str:
    """A value of the shape."""
    if shape.startswith("@github:"):
        return github_style(shape.split(":", 1)[1], rng)
    if shape == "@jwt":
        return jwt(rng)
    if shape.startswith("@pem:"):
        return pem(shape.split(":", 1)[1], rng)
    if shape == "@password":
        return password(rng)
    if shape == "@memorable":
        return memorable(rng)
    if shape.startswith("@"):
        raise ValueError(f"no generator for shape {shape!r}")
    return render(shape, rng)
