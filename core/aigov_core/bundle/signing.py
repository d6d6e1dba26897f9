"""Ed25519 signing keys for evidence bundles: the per-user key made on first use, or a team key named explicitly.

Which key signs (:func:`signing_key_for`): a key path passed in, else ``AIGOV_SIGNING_KEY`` (a team key; its
passphrase, if any, in ``AIGOV_SIGNING_KEY_PASSPHRASE``), else the per-user key at :func:`user_key_path`,
created the first time it is needed. A key is named by its fingerprint, ``SHA256:`` + unpadded base64 of the
SHA-256 of the raw 32-byte public key (OpenSSH's notation; not the value ``ssh-keygen -l`` prints, which
hashes the SSH wire encoding).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x448, x25519

from aigov_core.errors import BundleError

KEY_FILE = "ed25519.pem"
PUBLIC_KEY_FILE = "ed25519.pub"
_PEM_LABEL = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----")
# Labels load_pem_private_key reads; anything else is named back to the user instead of guessed at.
_PRIVATE_LABELS = {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY", b"DSA PRIVATE KEY"}


def _create_hint(path: str | os.PathLike[str]) -> str:
    """The commands that make an Ed25519 team key at ``path``."""
    return f"openssl genpkey -algorithm ed25519 -out {path} && chmod 600 {path}"


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key and the file it was read from (None when it never touched disk)."""

    private_key: ed25519.Ed25519PrivateKey = field(repr=False)
    path: Path | None = None

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        """The public half."""
        return self.private_key.public_key()

    @property
    def fingerprint(self) -> str:
        """``SHA256:<unpadded base64>`` of the raw public key."""
        return fingerprint_of(self.public_key)

    def public_pem(self) -> bytes:
        """The public key as a PEM SubjectPublicKeyInfo block."""
        return self.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``."""
        return self.private_key.sign(data)

    def __repr__(self) -> str:
        return f"SigningKey({self.fingerprint}, path={str(self.path) if self.path else None!r})"


def fingerprint_of(public_key: ed25519.Ed25519PublicKey) -> str:
    """Return ``SHA256:`` + unpadded standard base64 of the SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode("ascii").rstrip("=")


def verify_signature(public_key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    """Tell whether ``signature`` is ``public_key``'s Ed25519 signature of ``data``."""
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _key_kind(key: object) -> str:
    """Name a key's algorithm the way a user would recognise it."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"an RSA key ({key.key_size} bits)"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return f"an EC key on curve {key.curve.name}"
    if isinstance(key, dsa.DSAPrivateKey | dsa.DSAPublicKey):
        return f"a DSA key ({key.key_size} bits)"
    if isinstance(key, ed448.Ed448PrivateKey | ed448.Ed448PublicKey):
        return "an Ed448 key"
    if isinstance(key, x25519.X25519PrivateKey | x25519.X25519PublicKey):
        return "an X25519 (key agreement) key"
    if isinstance(key, x448.X448PrivateKey | x448.X448PublicKey):
        return "an X448 (key agreement) key"
    return f"a {type(key).__name__}"


def public_key_from_pem(data: bytes) -> ed25519.Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM SubjectPublicKeyInfo block; raise BundleError for anything else."""
    found = _PEM_LABEL.search(data)
    if found is None:
        raise BundleError("The public key is not PEM: it has no '-----BEGIN PUBLIC KEY-----' line.")
    if found.group(1) != b"PUBLIC KEY":
        label = found.group(1).decode("ascii")
        raise BundleError(
            f"The public key is a PEM '{label}' block, not the '-----BEGIN PUBLIC KEY-----' (SubjectPublicKeyInfo) "
            f"block an evidence bundle carries."
        )
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise BundleError(f"The public key is not a readable PEM SubjectPublicKeyInfo block ({exc}).") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise BundleError(f"The public key is {_key_kind(key)}; evidence bundles are signed with Ed25519 keys only.")
    return key


def _parse_private_key(data: bytes, path: Path, passphrase: bytes | None) -> ed25519.Ed25519PrivateKey:
    """Turn a key file's bytes into an Ed25519 key, or say exactly what the file holds instead."""
    found = _PEM_LABEL.search(data)
    if found is None:
        raise BundleError(
            f"The signing key {path} is not a PEM private key (it has no '-----BEGIN PRIVATE KEY-----' line). "
            f"Create an Ed25519 key with: {_create_hint(path)}"
        )
    label = found.group(1)
    if label not in _PRIVATE_LABELS:
        raise BundleError(
            f"The signing key {path} holds a PEM '{label.decode('ascii')}' block, not a PKCS8 private key. "
            f"Name the private key file instead, or create an Ed25519 key with: {_create_hint(path)}"
        )
    encrypted = label == b"ENCRYPTED PRIVATE KEY" or b"Proc-Type: 4,ENCRYPTED" in data
    if encrypted and passphrase is None:
        raise BundleError(
            f"The signing key {path} is encrypted and no passphrase was given. "
            f"Set AIGOV_SIGNING_KEY_PASSPHRASE to its passphrase."
        )
    try:
        key = serialization.load_pem_private_key(data, passphrase if encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        if encrypted:
            raise BundleError(
                f"The signing key {path} could not be decrypted: the passphrase is wrong. "
                f"Set AIGOV_SIGNING_KEY_PASSPHRASE to the passphrase the key was encrypted with."
            ) from None
        raise BundleError(
            f"The signing key {path} is not a readable PEM private key ({exc}). "
            f"Create an Ed25519 key with: {_create_hint(path)}"
        ) from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise BundleError(
            f"The signing key {path} is {_key_kind(key)}; evidence bundles are signed with Ed25519 keys only. "
            f"Create one with: {_create_hint(path)}"
        )
    return key


def load_signing_key(path: str | os.PathLike[str], passphrase: bytes | None = None) -> SigningKey:
    """Read an Ed25519 PEM private key (a team key); refuse a missing, exposed, foreign or undecryptable one."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise BundleError(
            f"There is no signing key at {path}. Create an Ed25519 key there with: {_create_hint(path)}"
        ) from None
    except OSError as exc:
        raise BundleError(f"The signing key {path} cannot be read ({exc.strerror}).") from None
    if stat.S_ISDIR(mode):
        raise BundleError(f"The signing key {path} is a directory; name the PEM key file inside it.")
    # As ssh does: a key others can read may already be known to them, so what it signs proves nothing.
    if os.name == "posix" and mode & 0o077:
        raise BundleError(
            f"The signing key {path} is accessible by group or others (mode {mode & 0o777:o}), so it cannot be "
            f"trusted to sign. Run: chmod 600 {path}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BundleError(f"The signing key {path} cannot be read ({exc.strerror}).") from None
    return SigningKey(_parse_private_key(data, path, passphrase), path)


def user_key_path(env: Mapping[str, str]) -> Path:
    """Where the per-user key lives: $AIGOV_KEY_DIR, else $XDG_CONFIG_HOME/aigov/keys, else ~/.config/aigov/keys."""
    if env.get("AIGOV_KEY_DIR"):
        return Path(env["AIGOV_KEY_DIR"]) / KEY_FILE
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    xdg = env.get("XDG_CONFIG_HOME")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "aigov" / "keys" / KEY_FILE
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return home / ".config" / "aigov" / "keys" / KEY_FILE


def _fsync_directory(directory: Path) -> None:
    """Make a new directory entry survive a crash (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_new(path: Path, data: bytes, mode: int) -> bool:
    """Write ``data`` to ``path`` only if nothing is there yet, never leaving a partial file; False if beaten."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            # link, not rename: it fails when the name exists, so a concurrent creator's key is never replaced.
            os.link(temp, path)
        except FileExistsError:
            return False
    finally:
        temp.unlink(missing_ok=True)
    _fsync_directory(path.parent)
    return True


def load_or_create_user_key(env: Mapping[str, str]) -> tuple[SigningKey, bool]:
    """Return the per-user key, creating it on first use; the bool says whether it was created now."""
    path = user_key_path(env)
    if path.exists():
        return load_signing_key(path), False
    try:
        try:
            path.parent.mkdir(mode=0o700, parents=True)
            path.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
        except FileExistsError:
            pass
        private_key = ed25519.Ed25519PrivateKey.generate()
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if not _write_new(path, pem, 0o600):
            return load_signing_key(path), False  # another process created it first: everyone signs with that one
        key = SigningKey(private_key, path)
        public_path = path.with_name(PUBLIC_KEY_FILE)
        public_path.unlink(missing_ok=True)  # a stale .pub from an earlier key would name the wrong signer
        _write_new(public_path, key.public_pem(), 0o644)
    except OSError as exc:
        raise BundleError(
            f"Could not create your signing key at {path} ({exc.strerror or exc}). Set AIGOV_KEY_DIR to a "
            f"directory you can write, or name a team key with AIGOV_SIGNING_KEY."
        ) from None
    return key, True


def signing_key_for(key: str | os.PathLike[str] | None, env: Mapping[str, str]) -> tuple[SigningKey, bool]:
    """Pick the key that signs: ``key``, else $AIGOV_SIGNING_KEY, else the per-user key (bool: created now)."""
    phrase = env.get("AIGOV_SIGNING_KEY_PASSPHRASE")
    passphrase = phrase.encode("utf-8") if phrase else None
    if key is not None:
        return load_signing_key(key, passphrase), False
    if env.get("AIGOV_SIGNING_KEY"):
        return load_signing_key(env["AIGOV_SIGNING_KEY"], passphrase), False
    return load_or_create_user_key(env)
