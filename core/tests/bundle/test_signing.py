"""Signing keys: the per-user key made once and shared, team keys refused unless safe and Ed25519."""

from __future__ import annotations

import base64
import hashlib
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from aigov_core.bundle.signing import (
    SigningKey,
    _write_new,
    fingerprint_of,
    load_or_create_user_key,
    load_signing_key,
    public_key_from_pem,
    signing_key_for,
    user_key_path,
    verify_signature,
)
from aigov_core.errors import BundleError

PEM = serialization.Encoding.PEM
PKCS8 = serialization.PrivateFormat.PKCS8
PLAIN = serialization.NoEncryption()


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """File modes below are asserted exactly, so they must not depend on the umask of whoever runs the tests."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def private_pem(key: Any, passphrase: bytes | None = None) -> bytes:
    """PKCS8 PEM of any private key, encrypted when a passphrase is given."""
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else PLAIN
    return bytes(key.private_bytes(PEM, PKCS8, encryption))


def write_key(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """Write a key file with exactly ``mode``."""
    path.write_bytes(data)
    path.chmod(mode)
    return path


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


# -- where the per-user key lives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AIGOV_KEY_DIR": "/k", "XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/k/ed25519.pem"),
        ({"XDG_CONFIG_HOME": "/x", "HOME": "/h"}, "/x/aigov/keys/ed25519.pem"),
        ({"HOME": "/h"}, "/h/.config/aigov/keys/ed25519.pem"),
        ({"AIGOV_KEY_DIR": "", "XDG_CONFIG_HOME": "", "HOME": "/h"}, "/h/.config/aigov/keys/ed25519.pem"),
        ({"XDG_CONFIG_HOME": "relative/cfg", "HOME": "/h"}, "/h/.config/aigov/keys/ed25519.pem"),
    ],
    ids=["key-dir-wins", "xdg", "home", "empty-means-unset", "relative-xdg-ignored"],
)
def test_when_env_is_set_then_user_key_path_follows_it(env: dict[str, str], expected: str) -> None:
    assert user_key_path(env) == Path(expected)


# -- the per-user key --------------------------------------------------------------------------------------------


def test_when_no_user_key_exists_then_one_is_created_private_and_reused(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home")}
    key, created = load_or_create_user_key(env)
    again, created_again = load_or_create_user_key(env)

    path = tmp_path / "home" / ".config" / "aigov" / "keys" / "ed25519.pem"
    assert (created, created_again) == (True, False)
    assert key.path == again.path == path
    assert again.fingerprint == key.fingerprint
    assert mode_of(path) == 0o600
    assert mode_of(path.parent) == 0o700
    assert mode_of(path.with_name("ed25519.pub")) == 0o644
    assert path.with_name("ed25519.pub").read_bytes() == key.public_pem()
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")  # unencrypted PKCS8
    assert sorted(p.name for p in path.parent.iterdir()) == ["ed25519.pem", "ed25519.pub"]  # no temp left over


def test_when_key_dir_is_set_then_the_user_key_is_created_there(tmp_path: Path) -> None:
    key, created = load_or_create_user_key({"AIGOV_KEY_DIR": str(tmp_path / "keys"), "HOME": str(tmp_path / "h")})
    assert created
    assert key.path == tmp_path / "keys" / "ed25519.pem"
    assert not (tmp_path / "h").exists()


def test_when_the_user_key_cannot_be_created_then_bundle_error_says_where_to_put_it(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the key directory should be")
    with pytest.raises(BundleError, match="Set AIGOV_KEY_DIR to a directory you can write"):
        load_or_create_user_key({"AIGOV_KEY_DIR": str(blocker)})


def test_when_a_user_key_was_made_readable_by_others_then_it_is_refused(tmp_path: Path) -> None:
    env = {"AIGOV_KEY_DIR": str(tmp_path)}
    key, _ = load_or_create_user_key(env)
    assert key.path is not None
    key.path.chmod(0o644)
    with pytest.raises(BundleError, match=re.escape(f"chmod 600 {key.path}")):
        load_or_create_user_key(env)


def test_when_the_key_name_is_taken_while_writing_then_the_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "ed25519.pem"
    target.write_bytes(b"the winner's key")
    assert _write_new(target, b"the loser's key", 0o600) is False
    assert target.read_bytes() == b"the winner's key"
    assert [p.name for p in tmp_path.iterdir()] == ["ed25519.pem"]


def _race_for_user_key(key_dirs: list[str], barrier: Any, results: Any) -> None:
    """One contender: at each start signal, get the user key of a fresh directory and report what it got."""
    for key_dir in key_dirs:
        barrier.wait(timeout=120)
        key, created = load_or_create_user_key({"AIGOV_KEY_DIR": key_dir})
        results.put((key_dir, key.fingerprint, created))


def test_when_processes_race_to_create_the_user_key_then_all_end_with_one_key(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    contenders, rounds = 4, 5
    key_dirs = [str(tmp_path / f"round-{r}" / "keys") for r in range(rounds)]
    barrier, results = context.Barrier(contenders), context.Queue()
    processes = [
        context.Process(target=_race_for_user_key, args=(key_dirs, barrier, results)) for _ in range(contenders)
    ]
    for process in processes:
        process.start()
    reports = [results.get(timeout=120) for _ in range(contenders * rounds)]
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * contenders

    for key_dir in key_dirs:
        mine = [(fingerprint, created) for d, fingerprint, created in reports if d == key_dir]
        on_disk = load_signing_key(Path(key_dir) / "ed25519.pem")
        assert {fingerprint for fingerprint, _ in mine} == {on_disk.fingerprint}, key_dir
        assert sum(created for _, created in mine) == 1, f"{key_dir}: exactly one contender creates the key"
        assert sorted(p.name for p in Path(key_dir).iterdir()) == ["ed25519.pem", "ed25519.pub"]


# -- team keys ------------------------------------------------------------------------------------------------


def test_when_a_team_key_is_safe_ed25519_then_it_loads(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    path = write_key(tmp_path / "team.pem", private_pem(private))
    key = load_signing_key(path)
    assert key.path == path
    assert key.fingerprint == fingerprint_of(private.public_key())


def test_when_a_team_key_is_encrypted_and_the_passphrase_is_right_then_it_loads(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    path = write_key(tmp_path / "team.pem", private_pem(private, b"correct horse"))
    assert load_signing_key(path, b"correct horse").fingerprint == fingerprint_of(private.public_key())


def test_when_a_passphrase_is_given_for_an_unencrypted_key_then_it_still_loads(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    path = write_key(tmp_path / "team.pem", private_pem(private))
    assert load_signing_key(path, b"unneeded").fingerprint == fingerprint_of(private.public_key())


def _ed25519_file(passphrase: bytes | None = None, mode: int = 0o600) -> Callable[[Path], object]:
    return lambda path: write_key(path, private_pem(ed25519.Ed25519PrivateKey.generate(), passphrase), mode)


def _file(data: bytes) -> Callable[[Path], object]:
    return lambda path: write_key(path, data)


def _foreign_file(generate: Callable[[], Any]) -> Callable[[Path], object]:
    """A key file of another algorithm, generated only when the case runs (an RSA key takes a while)."""
    return lambda path: write_key(path, private_pem(generate()))


def _legacy_encrypted_rsa(path: Path) -> object:
    key = rsa.generate_private_key(65537, 2048)
    encryption = serialization.BestAvailableEncryption(b"secret")
    return write_key(path, key.private_bytes(PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption))


def _public_pem(path: Path) -> object:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    return write_key(path, public.public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def _openssh(path: Path) -> object:
    key = ed25519.Ed25519PrivateKey.generate()
    return write_key(path, key.private_bytes(PEM, serialization.PrivateFormat.OpenSSH, PLAIN))


REFUSALS: list[tuple[str, Callable[[Path], object], bytes | None, str]] = [
    ("missing", lambda path: None, None, r"There is no signing key at .*openssl genpkey -algorithm ed25519 -out"),
    ("directory", lambda path: path.mkdir(), None, "is a directory"),
    ("group-readable", _ed25519_file(mode=0o640), None, r"accessible by group or others \(mode 640\).*Run: chmod 600 "),
    ("world-readable", _ed25519_file(mode=0o604), None, r"accessible by group or others \(mode 604\).*Run: chmod 600 "),
    ("group-writable", _ed25519_file(mode=0o620), None, "Run: chmod 600 "),
    ("garbage", _file(b"\x00\x01 not a key at all"), None, "is not a PEM private key"),
    ("broken-pem", _file(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), None, "not a readable"),
    ("public-key", _public_pem, None, "holds a PEM 'PUBLIC KEY' block, not a PKCS8 private key"),
    ("openssh", _openssh, None, "holds a PEM 'OPENSSH PRIVATE KEY' block"),
    (
        "rsa",
        _foreign_file(lambda: rsa.generate_private_key(65537, 2048)),
        None,
        r"is an RSA key \(2048 bits\); .*Ed25519",
    ),
    ("ec", _foreign_file(lambda: ec.generate_private_key(ec.SECP256R1())), None, "is an EC key on curve secp256r1"),
    ("ed448", _foreign_file(ed448.Ed448PrivateKey.generate), None, "is an Ed448 key"),
    (
        "encrypted-no-passphrase",
        _ed25519_file(b"secret"),
        None,
        "encrypted and no passphrase.*AIGOV_SIGNING_KEY_PASSPHRASE",
    ),
    ("wrong-passphrase", _ed25519_file(b"secret"), b"guess", "the passphrase is wrong"),
    ("rsa-legacy-encrypted-wrong-passphrase", _legacy_encrypted_rsa, b"guess", "the passphrase is wrong"),
]


@pytest.mark.parametrize(
    ("make", "passphrase", "message"), [case[1:] for case in REFUSALS], ids=[c[0] for c in REFUSALS]
)
def test_when_a_team_key_is_unusable_then_bundle_error_says_why_and_what_to_do(
    tmp_path: Path, make: Callable[[Path], object], passphrase: bytes | None, message: str
) -> None:
    path = tmp_path / "team.pem"
    make(path)
    with pytest.raises(BundleError, match=message):
        load_signing_key(path, passphrase)


# -- which key signs --------------------------------------------------------------------------------------------


def test_when_a_key_is_named_then_it_wins_over_the_env_and_the_user_key(tmp_path: Path) -> None:
    named = write_key(tmp_path / "named.pem", private_pem(ed25519.Ed25519PrivateKey.generate()))
    team = write_key(tmp_path / "team.pem", private_pem(ed25519.Ed25519PrivateKey.generate()))
    env = {"AIGOV_SIGNING_KEY": str(team), "AIGOV_KEY_DIR": str(tmp_path / "user")}

    key, created = signing_key_for(named, env)
    assert (key.path, created) == (named, False)
    key, created = signing_key_for(None, env)
    assert (key.path, created) == (team, False)
    assert not (tmp_path / "user").exists()  # no user key is made while a team key is named

    key, created = signing_key_for(None, {"AIGOV_KEY_DIR": str(tmp_path / "user")})
    assert (key.path, created) == (tmp_path / "user" / "ed25519.pem", True)
    assert signing_key_for(None, {"AIGOV_KEY_DIR": str(tmp_path / "user")})[1] is False


def test_when_the_team_key_is_encrypted_then_the_passphrase_comes_from_the_env(tmp_path: Path) -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    team = write_key(tmp_path / "team.pem", private_pem(private, b"s3cret \xe2\x9c\x93"))
    env = {"AIGOV_SIGNING_KEY": str(team), "AIGOV_SIGNING_KEY_PASSPHRASE": "s3cret \u2713"}
    assert signing_key_for(None, env)[0].fingerprint == fingerprint_of(private.public_key())
    assert signing_key_for(str(team), env)[0].fingerprint == fingerprint_of(private.public_key())
    with pytest.raises(BundleError, match="AIGOV_SIGNING_KEY_PASSPHRASE"):
        signing_key_for(None, {"AIGOV_SIGNING_KEY": str(team)})


# -- fingerprints, public keys, signatures --------------------------------------------------------------------


def test_when_a_key_is_fingerprinted_then_it_is_sha256_of_the_raw_key_in_unpadded_base64() -> None:
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")

    fingerprint = SigningKey(private).fingerprint
    assert fingerprint == fingerprint_of(private.public_key()) == expected
    assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", fingerprint)
    assert fingerprint != SigningKey(ed25519.Ed25519PrivateKey.generate()).fingerprint


def test_when_a_key_is_printed_then_its_secret_is_not() -> None:
    key = SigningKey(ed25519.Ed25519PrivateKey.generate())
    secret = key.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, PLAIN)
    assert key.fingerprint in repr(key)
    assert base64.b64encode(secret).decode() not in repr(key) and secret.hex() not in repr(key)


def test_when_data_is_signed_then_only_that_data_and_key_verify() -> None:
    key, other = SigningKey(ed25519.Ed25519PrivateKey.generate()), SigningKey(ed25519.Ed25519PrivateKey.generate())
    signature = key.sign(b"evidence")
    assert verify_signature(key.public_key, signature, b"evidence")
    assert not verify_signature(key.public_key, signature, b"evidencf")
    assert not verify_signature(other.public_key, signature, b"evidence")
    assert not verify_signature(key.public_key, signature[:-1], b"evidence")


def test_when_a_public_pem_is_read_back_then_it_is_the_same_key() -> None:
    key = SigningKey(ed25519.Ed25519PrivateKey.generate())
    assert key.public_pem().startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert fingerprint_of(public_key_from_pem(key.public_pem())) == key.fingerprint


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "has no '-----BEGIN PUBLIC KEY-----' line"),
        (b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI", "has no '-----BEGIN PUBLIC KEY-----' line"),
        (private_pem(ed25519.Ed25519PrivateKey.generate()), "is a PEM 'PRIVATE KEY' block"),
        (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "not a readable PEM SubjectPublicKeyInfo"),
        (
            ec.generate_private_key(ec.SECP384R1())
            .public_key()
            .public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
            r"is an EC key on curve secp384r1; .*Ed25519 keys only",
        ),
    ],
    ids=["empty", "openssh-line", "private-key", "broken", "ec"],
)
def test_when_a_public_pem_is_not_ed25519_spki_then_bundle_error_names_it(data: bytes, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        public_key_from_pem(data)
