"""Each kind of secret is found; look-alikes are not."""

from __future__ import annotations

import pytest

from jupyter_aigov.redaction import find_secrets

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    ("kind", "text", "secret"),
    [
        (
            "openai_key",
            'OpenAI(api_key="sk-proj-XSThNzieHHfds5CHICP27zvWwGnpVYxcnbmwAE1PCN0o")',
            "sk-proj-XSThNzieHHfds5CHICP27zvWwGnpVYxcnbmwAE1PCN0o",
        ),
        ("openai_key", "key sk-abcDEF1234567890ghijKLMN5678opqr", "sk-abcDEF1234567890ghijKLMN5678opqr"),
        (
            "anthropic_key",
            "sk-ant-api03-MHx8XRUdBjg01iJi75WXerIN_U8ctyIDHCE-aY",
            "sk-ant-api03-MHx8XRUdBjg01iJi75WXerIN_U8ctyIDHCE-aY",
        ),
        ("aws_access_key_id", "id AKIAVMOH5T4EUNF2CDSS here", "AKIAVMOH5T4EUNF2CDSS"),
        ("aws_access_key_id", "temp ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
        ("aws_secret_access_key", f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET),
        ("github_token", "ghp_uXVIFFfH66T1azN2pl6wUuUdYzOaU9B0ZEid", "ghp_uXVIFFfH66T1azN2pl6wUuUdYzOaU9B0ZEid"),
        ("github_token", "gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
        (
            "github_pat",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
        ),
        (
            "slack_token",
            "xoxb-713291482059-287572754132-nm3IVNwhkWmLk57xSuxg8YTZ",
            "xoxb-713291482059-287572754132-nm3IVNwhkWmLk57xSuxg8YTZ",
        ),
        ("google_api_key", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe", "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe"),
        ("bearer_token", "Authorization: Bearer aB3dE5fG7hJ9kL1mN3pQ5rS7", "aB3dE5fG7hJ9kL1mN3pQ5rS7"),
        ("jwt", f"token={JWT}", JWT),
        ("connection_string_password", "postgres://analyst:S3cr3t!pw@db.internal:5432/sales", "S3cr3t!pw"),
        ("connection_string_password", "mongodb+srv://app:Xk29fLq7@cluster0.example.net/test", "Xk29fLq7"),
        ("assigned_secret", 'password = "Tr0ub4dor&3x"', "Tr0ub4dor&3x"),
    ],
)
def test_when_text_holds_a_secret_then_its_value_is_found(kind: str, text: str, secret: str) -> None:
    found = [(name, text[start:end]) for name, start, end, _ in find_secrets(text)]
    assert (kind, secret) in found


def test_when_text_holds_a_pem_private_key_then_the_whole_block_is_found() -> None:
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3\nq83kd==\n-----END RSA PRIVATE KEY-----"
    found = find_secrets(f"my key:\n{key}\nwhy does it fail?")
    assert [(n, e - s) for n, s, e, _ in found] == [("pem_private_key", len(key))]


@pytest.mark.parametrize(
    "text",
    [
        "Use sk-learn style estimators and sklearn pipelines.",
        "sk-learn-compatible-wrapper-for-estimators",
        "TAKIAVMOH5T4EUNF2CDSSX is a product code",
        "The AKIA prefix marks an AWS access key id.",
        "postgres://user:password@localhost:5432/db",
        "postgres://user:${PGPASSWORD}@localhost/db",
        "mysql://root:****@localhost/shop",
        "Bearer tokens are sent in the authorization header",
        'password = "password"',
        "ghp_ is the prefix of GitHub personal tokens",
        "-----BEGIN PUBLIC KEY-----",
        "The model eyJ is not a token.",
    ],
)
def test_when_text_only_looks_like_a_secret_then_nothing_is_found(text: str) -> None:
    assert find_secrets(text) == []
