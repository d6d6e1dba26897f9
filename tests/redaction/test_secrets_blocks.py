"""Private key blocks are found whole, ended or cut off; public keys and certificates are not."""

from __future__ import annotations

from jupyter_aigov.redaction.secrets.blocks import find_private_key_blocks

RSA = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3\n-----END RSA PRIVATE KEY-----"


def test_when_a_pem_block_is_pasted_then_it_is_found_from_begin_to_end() -> None:
    assert find_private_key_blocks(f"key:\n{RSA}\nthanks") == [("pem_private_key", 5, 5 + len(RSA))]


def test_when_a_pgp_or_putty_key_is_pasted_then_it_is_found() -> None:
    pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXk3ZoBCAC7\n=Xk3Z\n-----END PGP PRIVATE KEY BLOCK-----"
    putty = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIG\nPrivate-MAC: 0a1b2c3d"
    assert {name for name, _, _ in find_private_key_blocks(f"{pgp}\n{putty}")} >= {
        "pgp_private_key",
        "putty_private_key",
    }


def test_when_only_public_material_is_pasted_then_no_block_is_found() -> None:
    public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n-----END PUBLIC KEY-----"
    cert = "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----"
    assert find_private_key_blocks(f"{public}\n{cert}") == []
