"""Value generators of the fresh secrets corpus: shapes, checksummed tokens, JWTs, key blocks, passwords.

A shape is literal text with fields in braces:
- `{c20}` twenty characters of charset c, `{c20-30}` a length drawn from 20..30;
- `{uuid}` a random version-4 UUID; `{B32}` base64 of 32 random bytes (padded), `{W32}` the same in base64url
  without padding; `<<inner>>` base64 (unpadded) of the rendered inner shape.
A shape starting with `@` is built by a function here: `@gh:ghp_` (a CRC32-checksummed GitHub/npm token),
`@jwt:NAME`, `@pem:KIND` and a few more, listed in SPECIAL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import string
import zlib
from collections.abc import Callable

CHARSETS = {
    "a": string.ascii_letters + string.digits,
    "l": string.ascii_lowercase + string.digits,
    "u": string.ascii_uppercase + string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": string.digits,
    "z": string.ascii_lowercase,
    "A": string.ascii_letters,
    "b": string.ascii_letters + string.digits + "+/",
    "w": string.ascii_letters + string.digits + "-_",
    "s": string.ascii_letters + string.digits + "+/",
    "e": string.ascii_letters + string.digits + "_.~-",
    "m": "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
    "t": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "o": string.ascii_letters + string.digits + "()<>;:.+-_[]",
}
FIELD = re.compile(r"\{(uuid|[BW]\d+|[a-zA-Z]\d+(?:-\d+)?)\}")
INNER = re.compile(r"<<(.+?)>>")


def pick(rng: random.Random, charset: str, n: int) -> str:
    return "".join(rng.choice(charset) for _ in range(n))


def uuid4(rng: random.Random) -> str:
    h = pick(rng, CHARSETS["h"], 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def rand_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(n))


def _field(rng: random.Random, spec: str) -> str:
    if spec == "uuid":
        return uuid4(rng)
    if spec[0] == "B":
        return b64(rand_bytes(rng, int(spec[1:])))
    if spec[0] == "W":
        return b64url(rand_bytes(rng, int(spec[1:])))
    charset, length = spec[0], spec[1:]
    if "-" in length:
        lo, hi = (int(x) for x in length.split("-"))
        n = rng.randint(lo, hi)
    else:
        n = int(length)
    return pick(rng, CHARSETS[charset], n)


def render(shape: str, rng: random.Random) -> str:
    """Fill a shape's fields; `<<inner>>` parts become the base64 of their rendered text."""
    shape = INNER.sub(lambda m: b64(render(m.group(1), rng).encode()).rstrip("="), shape)
    return FIELD.sub(lambda m: _field(rng, m.group(1)), shape)


# --- checksummed tokens -------------------------------------------------------------------------------------------

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = BASE62[r] + out
    return out.rjust(width, "0")


def github_style(prefix: str, rng: random.Random) -> str:
    """GitHub's (and npm's) token layout: prefix, 30 random base62 characters, base62 CRC32 of them in 6."""
    body = pick(rng, CHARSETS["a"], 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


# --- base58, bech32 -----------------------------------------------------------------------------------------------

B58 = CHARSETS["m"]


def base58(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def bitcoin_wif(rng: random.Random) -> str:
    payload = b"\x80" + rand_bytes(rng, 32) + b"\x01"
    check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    return base58(payload + check)


def solana_secret(rng: random.Random) -> str:
    return base58(rand_bytes(rng, 64))


BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def bech32(hrp: str, data: bytes) -> str:
    bits = "".join(f"{b:08b}" for b in data)
    bits += "0" * (-len(bits) % 5)
    five = [int(bits[i : i + 5], 2) for i in range(0, len(bits), 5)]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _polymod([*expanded, *five, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32[d] for d in five + checksum)


def age_key(rng: random.Random) -> str:
    return bech32("age-secret-key-", rand_bytes(rng, 32)).upper()


def nostr_nsec(rng: random.Random) -> str:
    return bech32("nsec", rand_bytes(rng, 32))


# --- JSON-bearing tokens ------------------------------------------------------------------------------------------

T0 = 1_690_000_000  # mid-2023


def stamp(rng: random.Random) -> int:
    return T0 + rng.randrange(0, 90_000_000)


def compact(obj: object) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


SIG_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64, "RS256": 256, "ES256": 64, "EdDSA": 64}


def jwt(rng: random.Random, header: dict, payload: dict) -> str:
    sig = rand_bytes(rng, SIG_BYTES[header["alg"]])
    return ".".join((b64url(compact(header)), b64url(compact(payload)), b64url(sig)))


def jwt_for(name: str, rng: random.Random) -> str:
    iat = stamp(rng)
    exp = iat + rng.choice((3600, 86400, 2_592_000, 31_536_000, 315_360_000))
    hs = {"alg": "HS256", "typ": "JWT"}
    if name == "supabase":
        return jwt(
            rng, hs, {"iss": "supabase", "ref": render("{z20}", rng), "role": "service_role", "iat": iat, "exp": exp}
        )
    if name == "k8s":
        ns = rng.choice(("ml", "airflow", "ci", "default", "data"))
        sa = rng.choice(("runner", "trainer", "deployer", "spark"))
        payload = {
            "aud": ["https://kubernetes.default.svc.cluster.local"],
            "exp": exp,
            "iat": iat,
            "iss": "https://kubernetes.default.svc.cluster.local",
            "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": sa, "uid": uuid4(rng)}},
            "nbf": iat,
            "sub": f"system:serviceaccount:{ns}:{sa}",
        }
        return jwt(rng, {"alg": "RS256", "kid": render("{w43}", rng)}, payload)
    if name == "monday":
        payload = {
            "tid": rng.randrange(10**8, 10**9),
            "aai": rng.randrange(10, 99),
            "uid": rng.randrange(10**7, 10**8),
            "iad": f"202{rng.randint(3, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T0{rng.randint(0, 9)}:14:03.000Z",
            "per": "me:write",
            "actid": rng.randrange(10**6, 10**7),
            "rgn": rng.choice(("use1", "euc1")),
        }
        return jwt(rng, hs, payload)
    if name == "turso":
        return jwt(rng, {"alg": "EdDSA", "typ": "JWT"}, {"a": "rw", "iat": iat, "id": uuid4(rng)})
    if name == "motherduck":
        payload = {"session": render("{z8}.{z6}", rng), "userId": uuid4(rng), "tokenType": "read_write", "iat": iat}
        return jwt(rng, hs, payload)
    if name == "tmdb":
        payload = {
            "aud": render("{h32}", rng),
            "nbf": iat,
            "sub": render("{h24}", rng),
            "scopes": ["api_read"],
            "version": 1,
        }
        return jwt(rng, hs, payload)
    if name == "calendly":
        payload = {"iss": "https://auth.calendly.com", "iat": iat, "jti": uuid4(rng), "user_uuid": uuid4(rng)}
        return jwt(rng, {"kid": "1ce1e136", "typ": "PAT", "alg": "ES256"}, payload)
    if name == "astro":
        payload = {"iss": "https://api.astronomer.io", "sub": f"ws_{render('{l25}', rng)}", "iat": iat, "exp": exp}
        return jwt(rng, {"alg": "RS256", "kid": render("{a20}", rng), "typ": "JWT"}, payload)
    if name == "moralis":
        payload = {"nonce": uuid4(rng), "orgId": str(rng.randrange(10**5, 10**6)), "typeId": uuid4(rng), "iat": iat}
        return jwt(rng, hs, payload)
    if name == "labelbox":
        payload = {
            "userId": render("cl{l23}", rng),
            "organizationId": render("cl{l23}", rng),
            "apiKeyId": render("cl{l23}", rng),
            "secret": render("{h32}", rng),
            "iat": iat,
            "exp": exp,
        }
        return jwt(rng, {"alg": "HS512", "typ": "JWT"}, payload)
    if name == "lemonsqueezy":
        payload = {
            "aud": "1",
            "jti": render("{h80}", rng),
            "iat": iat,
            "nbf": iat,
            "exp": exp,
            "sub": str(rng.randrange(10**5, 10**6)),
            "scopes": [],
        }
        return jwt(rng, {"typ": "JWT", "alg": "RS256"}, payload)
    if name == "cachix":
        return jwt(rng, hs, {"jti": uuid4(rng), "scopes": "tx"})
    if name == "argocd":
        payload = {"iss": "argocd", "sub": "ci:apiKey", "nbf": iat, "iat": iat, "jti": uuid4(rng)}
        return jwt(rng, hs, payload)
    # a generic application token
    alg = rng.choice(("HS256", "RS256", "HS512", "ES256"))
    payload = {
        "sub": rng.choice((uuid4(rng), f"svc-{render('{z6}', rng)}", str(rng.randrange(10**5, 10**7)))),
        "iat": iat,
        "exp": exp,
        "iss": rng.choice(("https://auth.internal.example/", "api-gateway", "https://idp.example.net/realms/ml")),
        "scope": rng.choice(("read", "read write", "datasets:read models:write", "admin")),
    }
    if rng.random() < 0.5:
        payload["jti"] = uuid4(rng)
    return jwt(rng, {"alg": alg, "typ": "JWT"}, payload)


def b64_json(obj: object, pad: bool = False) -> str:
    text = b64(compact(obj))
    return text if pad else text.rstrip("=")


def neptune_token(rng: random.Random) -> str:
    addr = "https://app.neptune.ai"
    return b64_json({"api_address": addr, "api_url": addr, "api_key": uuid4(rng)}, pad=True)


def sentry_org_token(rng: random.Random) -> str:
    org = rng.choice(("acme-ml", "data-team", "research-lab", "platform"))
    obj = {"iat": float(stamp(rng)), "url": "https://sentry.io", "region_url": "https://us.sentry.io", "org": org}
    return "sntrys_" + b64_json(obj) + "_" + render("{a43}", rng)


def grafana_cloud_token(rng: random.Random) -> str:
    stack = str(rng.randrange(100000, 999999))
    obj = {"o": stack, "n": f"stack-{stack}-{rng.choice(('hm-read', 'otlp', 'logs-write'))}", "k": render("{a24}", rng)}
    obj["m"] = {"r": rng.choice(("prod-us-east-0", "prod-eu-west-2", "prod-ap-southeast-1"))}
    return "glc_" + b64_json(obj, pad=True)


def cloudflare_tunnel_token(rng: random.Random) -> str:
    return b64_json({"a": render("{h32}", rng), "t": uuid4(rng), "s": render("{B32}", rng)}, pad=True)


def tinybird_token(rng: random.Random) -> str:
    obj = {"u": uuid4(rng), "id": uuid4(rng), "host": rng.choice(("gcp-europe-west3", "aws-us-east-1"))}
    return "p." + b64url(compact(obj)) + "." + render("{w43}", rng)


def mapbox_secret(rng: random.Random) -> str:
    obj = {"u": rng.choice(("geo-team", "maps-ci", "routing")), "a": render("cl{l23}", rng)}
    return "sk." + b64url(compact(obj)) + "." + render("{w22}", rng)


def convex_deploy_key(rng: random.Random) -> str:
    name = f"{render('{z6}', rng)}-{render('{z7}', rng)}-{rng.randrange(100, 999)}"
    return f"prod:{name}|" + b64_json({"v2": render("{h32}", rng)}, pad=True)


def discord_bot_token(rng: random.Random) -> str:
    user = str(rng.randrange(10**17, 10**19))
    return b64(user.encode()).rstrip("=") + "." + render("{w6}", rng) + "." + render("{w38}", rng)


DJANGO = string.ascii_lowercase + string.digits + "!@#%^&*(-_=+)"


def django_key(rng: random.Random) -> str:
    body = pick(rng, DJANGO, 50)
    return ("django-insecure-" + body) if rng.random() < 0.3 else body


def pypi_token(rng: random.Random) -> str:
    caveat = compact([1, [uuid4(rng)]]) if rng.random() < 0.5 else compact({"version": 1, "permissions": "user"})
    inner = b"\x02\x01\x08pypi.org\x02" + bytes([len(caveat)]) + caveat + rand_bytes(rng, rng.randint(60, 90))
    return "pypi-" + b64url(inner)


# --- key blocks ---------------------------------------------------------------------------------------------------


def der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def der_int(rng: random.Random, nbytes: int, value: bytes | None = None) -> bytes:
    body = value if value is not None else bytes([rng.randrange(0x80, 0x100)]) + rand_bytes(rng, nbytes - 1)
    if body[0] & 0x80:
        body = b"\0" + body
    return der(0x02, body)


def seq(*items: bytes) -> bytes:
    return der(0x30, b"".join(items))


OID_RSA = bytes.fromhex("06092a864886f70d010101")
OID_EC = bytes.fromhex("06072a8648ce3d0201")
OID_P256 = bytes.fromhex("06082a8648ce3d030107")
OID_ED25519 = bytes.fromhex("06032b6570")


def rsa_pkcs1(rng: random.Random, bits: int = 2048) -> bytes:
    n, half = bits // 8, bits // 16
    parts = [der_int(rng, 1, b"\0"), der_int(rng, n), der_int(rng, 3, b"\x01\x00\x01"), der_int(rng, n)]
    parts += [der_int(rng, half) for _ in range(5)]
    return seq(*parts)


def ec_sec1(rng: random.Random) -> bytes:
    return seq(
        der_int(rng, 1, b"\x01"),
        der(0x04, rand_bytes(rng, 32)),
        der(0xA0, OID_P256),
        der(0xA1, der(0x03, b"\0\x04" + rand_bytes(rng, 64))),
    )


def pkcs8(rng: random.Random, kind: str) -> bytes:
    if kind == "rsa":
        return seq(der_int(rng, 1, b"\0"), seq(OID_RSA, b"\x05\x00"), der(0x04, rsa_pkcs1(rng)))
    if kind == "ec":
        inner = seq(
            der_int(rng, 1, b"\x01"),
            der(0x04, rand_bytes(rng, 32)),
            der(0xA1, der(0x03, b"\0\x04" + rand_bytes(rng, 64))),
        )
        return seq(der_int(rng, 1, b"\0"), seq(OID_EC, OID_P256), der(0x04, inner))
    return seq(der_int(rng, 1, b"\0"), seq(OID_ED25519), der(0x04, der(0x04, rand_bytes(rng, 32))))


def pkcs8_encrypted(rng: random.Random) -> bytes:
    pbkdf2 = seq(
        bytes.fromhex("06092a864886f70d01050c"),
        seq(
            der(0x04, rand_bytes(rng, 16)),
            der(0x02, b"\x08\x00"),
            seq(bytes.fromhex("06082a864886f70d0209"), b"\x05\x00"),
        ),
    )
    aes = seq(bytes.fromhex("060960864801650304012a"), der(0x04, rand_bytes(rng, 16)))
    algo = seq(bytes.fromhex("06092a864886f70d01050d"), seq(pbkdf2, aes))
    size = rng.choice((1232, 1248, 1264))
    return seq(algo, der(0x04, rand_bytes(rng, size)))


def dsa_key(rng: random.Random) -> bytes:
    return seq(
        der_int(rng, 1, b"\0"),
        der_int(rng, 128),
        der_int(rng, 20),
        der_int(rng, 128),
        der_int(rng, 128),
        der_int(rng, 20),
    )


def ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def openssh(rng: random.Random, kind: str, encrypted: bool) -> bytes:
    if kind == "ed25519":
        pub = ssh_string(b"ssh-ed25519") + ssh_string(rand_bytes(rng, 32))
        priv_body = pub + ssh_string(rand_bytes(rng, 64))
    else:
        pub = ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\0" + rand_bytes(rng, 384))
        priv_body = ssh_string(b"ssh-rsa") + ssh_string(b"\0" + rand_bytes(rng, 384)) + ssh_string(b"\x01\x00\x01")
        priv_body += ssh_string(rand_bytes(rng, 384)) + b"".join(ssh_string(rand_bytes(rng, 193)) for _ in range(3))
    check = rand_bytes(rng, 4)
    comment = rng.choice((b"", b"ci-deploy", b"build@runner", b"jupyter-hub"))
    private = check + check + priv_body + ssh_string(comment)
    if encrypted:
        head = (
            ssh_string(b"aes256-ctr")
            + ssh_string(b"bcrypt")
            + ssh_string(ssh_string(rand_bytes(rng, 16)) + b"\0\0\0\x18")
        )
        private = rand_bytes(rng, len(private) + (-len(private) % 16))
    else:
        head = ssh_string(b"none") + ssh_string(b"none") + ssh_string(b"")
        private += bytes(range(1, 1 + (-len(private) % 8)))
    return b"openssh-key-v1\0" + head + (1).to_bytes(4, "big") + ssh_string(pub) + ssh_string(private)


def crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def pgp_secret(rng: random.Random) -> bytes:
    body = b"\x04" + stamp(rng).to_bytes(4, "big") + b"\x01" + b"\x08\x00" + b"\x80" + rand_bytes(rng, 255)
    body += b"\x00\x11\x01\x00\x01" + b"\xfe\x07\x03\x02" + rand_bytes(rng, 8) + b"\xff" + rand_bytes(rng, 16)
    body += rand_bytes(rng, 680)
    packet = b"\x95" + len(body).to_bytes(2, "big") + body
    uid = rng.choice((b"release signing key", b"ci-bot (artifacts)", b"backup key 2024"))
    packet += b"\xb4" + bytes([len(uid)]) + uid + b"\x89\x01\xd4" + rand_bytes(rng, 468)
    return packet


def wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def pem(label: str, data: bytes, width: int = 64, headers: str = "") -> str:
    lines = [f"-----BEGIN {label}-----"]
    if headers:
        lines.append(headers)
    lines += wrap(b64(data), width)
    lines.append(f"-----END {label}-----")
    return "\n".join(lines)


def key_block(kind: str, rng: random.Random) -> str:
    """A private key block from -----BEGIN to -----END ...-----, lines joined with newlines."""
    if kind == "rsa":
        return pem("RSA PRIVATE KEY", rsa_pkcs1(rng, rng.choice((2048, 2048, 3072))))
    if kind == "rsa-legacy-encrypted":
        iv = pick(rng, CHARSETS["H"], 32)
        headers = f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{iv}\n"
        return pem("RSA PRIVATE KEY", rand_bytes(rng, 1200), headers=headers)
    if kind == "ec":
        return pem("EC PRIVATE KEY", ec_sec1(rng))
    if kind == "pkcs8-rsa":
        return pem("PRIVATE KEY", pkcs8(rng, "rsa"))
    if kind == "pkcs8-ec":
        return pem("PRIVATE KEY", pkcs8(rng, "ec"))
    if kind == "pkcs8-ed25519":
        return pem("PRIVATE KEY", pkcs8(rng, "ed25519"))
    if kind == "pkcs8-encrypted":
        return pem("ENCRYPTED PRIVATE KEY", pkcs8_encrypted(rng))
    if kind == "dsa":
        return pem("DSA PRIVATE KEY", dsa_key(rng))
    if kind == "openssh-ed25519":
        return pem("OPENSSH PRIVATE KEY", openssh(rng, "ed25519", False), width=70)
    if kind == "openssh-ed25519-encrypted":
        return pem("OPENSSH PRIVATE KEY", openssh(rng, "ed25519", True), width=70)
    if kind == "openssh-rsa":
        return pem("OPENSSH PRIVATE KEY", openssh(rng, "rsa", False), width=70)
    if kind == "pgp":
        data = pgp_secret(rng)
        armour = ["-----BEGIN PGP PRIVATE KEY BLOCK-----"]
        if rng.random() < 0.3:
            armour.append("Comment: exported for the build server")
        armour.append("")
        armour += wrap(b64(data), 64)
        armour.append("=" + b64(crc24(data).to_bytes(3, "big")))
        armour.append("-----END PGP PRIVATE KEY BLOCK-----")
        return "\n".join(armour)
    raise ValueError(f"unknown key kind {kind}")


# --- passwords ----------------------------------------------------------------------------------------------------

WORDS = (
    "river", "copper", "lantern", "orbit", "maple", "falcon", "quartz", "harbor", "tundra", "violet", "ember",
    "saddle", "cactus", "glacier", "pepper", "meadow", "rocket", "walnut", "canyon", "marble", "thunder", "pixel",
)  # fmt: skip
URL_SAFE = string.ascii_letters + string.digits + "-_.~!*"
STRONG = string.ascii_letters + string.digits + "!#%^*-_=+.,"


def password(rng: random.Random, url_safe: bool = False) -> str:
    """A password as people and generators write them; url_safe keeps it valid in a URL's userinfo unescaped."""
    style = rng.randrange(5)
    if style == 0:
        return pick(rng, URL_SAFE if url_safe else STRONG, rng.randint(14, 28))
    if style == 1:
        sep = rng.choice("-_.") if url_safe else rng.choice("-_. ")
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 4))]
        pw = sep.join(words) + sep + str(rng.randint(10, 999))
        return pw.replace(" ", "-") if url_safe else pw
    if style == 2:
        word = rng.choice(WORDS).capitalize()
        tail = rng.choice("!*.-" if url_safe else "!#$*?.")
        return f"{word}{rng.randint(1990, 2026)}{tail}"
    if style == 3:
        return pick(rng, CHARSETS["a"], rng.randint(16, 32))
    return pick(rng, CHARSETS["h"], 32)


# --- what a value of a shape looks like (for the tests) -----------------------------------------------------------

CLASSES = {
    "a": "A-Za-z0-9",
    "l": "a-z0-9",
    "u": "A-Z0-9",
    "h": "0-9a-f",
    "H": "0-9A-F",
    "d": "0-9",
    "z": "a-z",
    "A": "A-Za-z",
    "b": "A-Za-z0-9+/",
    "w": "A-Za-z0-9_\\-",
    "s": "A-Za-z0-9+/",
    "e": "A-Za-z0-9_.~\\-",
    "m": "1-9A-HJ-NP-Za-km-z",
    "t": "A-Z2-7",
    "o": "A-Za-z0-9()<>;:.+_\\[\\]\\-",
}


def _field_regex(spec: str) -> str:
    if spec == "uuid":
        return "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    if spec[0] in "BW":
        n = int(spec[1:])
        if spec[0] == "B":
            pad = -n % 3
            return f"[A-Za-z0-9+/]{{{4 * ((n + 2) // 3) - pad}}}" + "=" * pad
        return f"[A-Za-z0-9_\\-]{{{(4 * n + 2) // 3}}}"
    length = spec[1:].replace("-", ",")
    return f"[{CLASSES[spec[0]]}]{{{length}}}"


def shape_regex(shape: str) -> str:
    """A regular expression that a value of a plain (not `@`) shape matches in full."""
    out = []
    for i, piece in enumerate(re.split(r"(<<.+?>>)", shape)):
        if i % 2:
            out.append("[A-Za-z0-9+/]+")
            continue
        at = 0
        for m in FIELD.finditer(piece):
            out.append(re.escape(piece[at : m.start()]))
            out.append(_field_regex(m.group(1)))
            at = m.end()
        out.append(re.escape(piece[at:]))
    return "".join(out)


# --- the table's entry point --------------------------------------------------------------------------------------

SPECIAL: dict[str, Callable[[random.Random], str]] = {
    "@discord": discord_bot_token,
    "@neptune": neptune_token,
    "@sentryorg": sentry_org_token,
    "@grafanacloud": grafana_cloud_token,
    "@cftunnel": cloudflare_tunnel_token,
    "@tinybird": tinybird_token,
    "@mapbox": mapbox_secret,
    "@convex": convex_deploy_key,
    "@wif": bitcoin_wif,
    "@sol": solana_secret,
    "@nsec": nostr_nsec,
    "@age": age_key,
    "@django": django_key,
    "@pypi": pypi_token,
}


def make(shape: str, rng: random.Random) -> str:
    """A value of a shape."""
    if shape.startswith("@gh:"):
        return github_style(shape[4:], rng)
    if shape.startswith("@jwt:"):
        return jwt_for(shape[5:], rng)
    if shape.startswith("@pem:"):
        return key_block(shape[5:], rng)
    if shape in SPECIAL:
        return SPECIAL[shape](rng)
    if shape.startswith("@"):
        raise ValueError(f"unknown special shape {shape}")
    return render(shape, rng)
