"""Secrets are found in the lines people paste (by vendor format, detect-secrets, context, key blocks);
look-alikes are not."""

from __future__ import annotations

import random
import string

import pytest

from jupyter_aigov.redaction import find_secrets
from jupyter_aigov.redaction.secrets import SECRET, SecretRecognizer

_rng = random.Random(19)
ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase + string.digits


def rand(size: int, alphabet: str = ALNUM) -> str:
    """A random value of `size` characters from `alphabet` (seeded: the cases are the same every run)."""
    return "".join(_rng.choice(alphabet) for _ in range(size))


def uuid() -> str:
    return f"{rand(8, HEX)}-{rand(4, HEX)}-{rand(4, HEX)}-{rand(4, HEX)}-{rand(12, HEX)}"


# (family, line with {} where the secret goes, secret): shapes from each vendor's documented token format.
VENDOR_CASES = [
    ("GitLab", "GITLAB_TOKEN={}", "glpat-" + rand(20, ALNUM + "-_")),
    ("Twitter", 'TWITTER_BEARER_TOKEN = "{}"', "A" * 22 + rand(80)),
    ("Twitter", "twitter_api_secret: {}", rand(50)),
    ("HashiCorp", "export VAULT_TOKEN={}", "hvs." + rand(95, ALNUM + "_-")),
    ("HashiCorp", 'token = "{}"', rand(14) + ".atlasv1." + rand(67, ALNUM + "_-")),
    ("Shopify", 'shopify.Session("acme.myshopify.com", "2024-01", "{}")', "shpat_" + rand(32, HEX)),
    ("Cloudflare", 'os.environ["CLOUDFLARE_API_TOKEN"] = "{}"', rand(40, ALNUM + "_-")),
    ("DigitalOcean", "DIGITALOCEAN_TOKEN={}", "dop_v1_" + rand(64, HEX)),
    ("Discord", 'client.run("{}")', "M" + rand(25) + "." + rand(6) + "." + rand(38, ALNUM + "_-")),
    ("Dropbox", 'dbx = dropbox.Dropbox("{}")', "sl." + rand(135, ALNUM + "_-")),
    ("Slack", "SLACK_BOT_TOKEN={}", f"xoxb-{rand(12, string.digits)}-{rand(13, string.digits)}-{rand(24)}"),
    ("Stripe", 'stripe.api_key = "{}"', "sk_live_" + rand(99)),
    ("SendGrid", 'SendGridAPIClient("{}")', f"SG.{rand(22, ALNUM + '_-')}.{rand(43, ALNUM + '_-')}"),
    ("Twilio", 'Client("AC00000000000000000000000000000000", "{}")  # twilio', rand(32, HEX)),
    ("npm", "//registry.npmjs.org/:_authToken={}", "npm_" + rand(36)),
    ("PyPI", "password = {}", "pypi-AgEIcHlwaS5vcmc" + rand(70, ALNUM + "_-")),
    ("Hugging Face", 'login(token="{}")', "hf_" + rand(34, string.ascii_letters)),
    ("Anthropic", "ANTHROPIC_API_KEY={}", "sk-ant-api03-" + rand(93, ALNUM + "_-") + "AA"),
    ("OpenAI", 'OpenAI(api_key="{}")', "sk-proj-" + rand(74, ALNUM + "_-") + "T3BlbkFJ" + rand(74, ALNUM + "_-")),
    ("Google", 'genai.configure(api_key="{}")', "AIza" + rand(35, ALNUM + "_-")),
    ("AWS", "aws_secret_access_key = {}", rand(40, ALNUM + "/+")),
    ("AWS", "AWS_ACCESS_KEY_ID={}", "AKIA" + rand(16, UPPER)),
    ("Azure", 'AZURE_CLIENT_SECRET="{}"', rand(3) + "8Q~" + rand(34, ALNUM + "_~.-")),
    (
        "Azure",
        'conn = "AccountName=acme;{};EndpointSuffix=core.windows.net"',
        "AccountKey=" + rand(86, ALNUM + "+/") + "==",
    ),
    ("Databricks", "DATABRICKS_TOKEN={}", "dapi" + rand(32, HEX)),
    ("Notion", 'Client(auth="{}")', "ntn_" + rand(11, string.digits) + rand(35)),
    ("Linear", "LINEAR_API_KEY={}", "lin_api_" + rand(40)),
    ("Atlassian", 'JIRA(server, basic_auth=("me@acme.com", "{}"))', "ATATT3" + rand(186, ALNUM + "_-=")),
    ("Grafana", "GRAFANA_TOKEN={}", "glsa_" + rand(32) + "_" + rand(8, HEX)),
    ("Datadog", "DD_API_KEY={}", rand(32, HEX)),
    ("New Relic", "NEW_RELIC_API_KEY={}", "NRAK-" + rand(27, UPPER)),
    ("Sentry", "SENTRY_AUTH_TOKEN={}", "sntryu_" + rand(64, HEX)),
    ("Heroku", "HEROKU_API_KEY={}", uuid()),
    ("Snyk", "SNYK_TOKEN={}", uuid()),
    ("Mailgun", "MAILGUN_API_KEY={}", "key-" + rand(32, HEX)),
    ("Mailchimp", 'mc.set_config({{"api_key": "{}"}})', rand(32, HEX) + "-us6"),
    ("Telegram", 'telebot.TeleBot("{}")', rand(10, string.digits) + ":AA" + rand(33, ALNUM + "_-")),
    ("Facebook", 'facebook.GraphAPI(access_token="{}")', "EAAC" + rand(150)),
    ("Square", "SQUARE_ACCESS_TOKEN={}", "EAAA" + rand(60, ALNUM + "_-")),
    ("Doppler", "DOPPLER_TOKEN={}", "dp.st.prd." + rand(43)),
    ("Pulumi", "PULUMI_ACCESS_TOKEN={}", "pul-" + rand(40, HEX)),
    ("Postman", "x-api-key: {}", f"PMAK-{rand(24, HEX)}-{rand(34, HEX)}"),
    ("Fly.io", "FLY_API_TOKEN={}", "fo1_" + rand(43, ALNUM + "_-")),
    ("PlanetScale", "DATABASE_PASSWORD={}", "pscale_pw_" + rand(43, ALNUM + "_")),
    ("Shippo", 'shippo.config.api_key = "{}"', "shippo_live_" + rand(40, HEX)),
    ("Algolia", 'SearchClient.create("APPID", "{}")  # algolia admin key', rand(32, HEX)),
    ("Mapbox", "MAPBOX_TOKEN={}", "sk.eyJ" + rand(60, ALNUM + "_-") + "." + rand(22, ALNUM + "_-")),
    ("Typeform", "TYPEFORM_TOKEN={}", "tfp_" + rand(59, ALNUM + "_-")),
    ("age", "{}", "AGE-SECRET-KEY-1" + rand(58, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L")),
    ("1Password", "{}", f"A3-{rand(6, UPPER)}-{rand(11, UPPER)}-{rand(5, UPPER)}-{rand(5, UPPER)}-{rand(5, UPPER)}"),
    ("GitHub", "git clone https://{}@github.com/acme/repo.git", "ghp_" + rand(36)),
    ("Groq", "GROQ_API_KEY={}", "gsk_" + rand(52)),
    ("Replicate", "REPLICATE_API_TOKEN={}", "r8_" + rand(37)),
    ("LangSmith", "LANGCHAIN_API_KEY={}", f"lsv2_pt_{rand(32, HEX)}_{rand(10, HEX)}"),
    ("Docker Hub", "docker login -u acme -p {}", "dckr_pat_" + rand(27, ALNUM + "_-")),
    ("GitLab", "{}", "glrt-t1_" + rand(27, ALNUM + "_-")),
]

# Secrets known by where they stand rather than by a vendor's format.
CONTEXT_CASES = [
    ("header", 'curl -H "X-Api-Key: {}" https://api.example.com/v1/items', rand(32)),
    ("header", 'headers = {{"Authorization": "Bearer {}"}}', rand(40, ALNUM + "._-")),
    ("header", "Authorization: Basic {}", "YWxhZGRpbjpvcGVuc2VzYW1lMjAyNA=="),
    ("header", "Authorization: Token {}", rand(40, HEX)),
    ("jdbc", "jdbc:sqlserver://db:1433;databaseName=sales;user=etl;password={};", "Wq7!" + rand(8)),
    ("jdbc", "jdbc:postgresql://db:5432/sales?user=etl&password={}&ssl=true", rand(14)),
    ("odbc", "Driver={{ODBC Driver 18}};Server=tcp:acme.net;Uid=etl;Pwd={};", rand(12) + "!"),
    ("url", "postgres://analyst:{}@db.internal:5432/sales", "S3cr3t!pw"),
    ("url", "mongodb+srv://app:{}@cluster0.example.net/test", "Xk29fLq7"),
    ("url", "redis://default:{}@cache.internal:6379/0", rand(24)),
    ("env", 'export API_SECRET="{}"', rand(32)),
    ("env", "MY_SERVICE_TOKEN={}", rand(40)),
    ("environ", 'os.environ["PAYMENTS_API_KEY"] = "{}"', rand(32)),
    ("environ", 'os.environ.setdefault("INTERNAL_TOKEN", "{}")', rand(36)),
    ("yaml", "  client_secret: {}", rand(48)),
    ("yaml", 'db_password: "{}"', rand(10) + "#"),
    ("env", "DB_PASSWORD={}", "07k%SQmjj3qsO1&M4SS"),
    ("json", '{{"apiKey": "{}", "region": "eu-west-1"}}', rand(32)),
    ("kwarg", 'connect(host="db", user="etl", password="{}")', "Tr0ub4dor&3x"),
    ("kwarg", 'requests.get(url, auth=("analyst", "{}"))', rand(14)),
    ("cli", "curl -u admin:{} https://jenkins.internal/api/json", rand(16)),
    ("cli", "mytool --api-key={} --region eu", rand(32)),
    ("prose", "my api key is {} and it stopped working", rand(32)),
    ("notebook", "%env OPENAI_API_KEY={}", rand(40)),
    ("r", 'api_key <- "{}"', rand(32)),
    ("powershell", '$env:OPENAI_API_KEY = "{}"', rand(32)),
    ("kubernetes", '  - name: API_TOKEN\n    value: "{}"', rand(32)),
    ("sql", 'ALTER USER etl IDENTIFIED BY "{}";', rand(14)),
    ("cli", "mysql -u root -p{} -h db.internal sales", rand(12)),
    ("xml", "<password>{}</password>", rand(12)),
    ("jwt", "token={}", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
]


@pytest.mark.parametrize(("family", "line", "secret"), VENDOR_CASES + CONTEXT_CASES)
def test_when_a_line_holds_a_secret_then_exactly_the_secret_is_found(family: str, line: str, secret: str) -> None:
    text = line.format(secret)
    assert [text[start:end] for _, start, end, _ in find_secrets(text)] == [secret], family


@pytest.mark.parametrize(
    "block",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1b2c3\nq83kd==\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXk3ZoBCAC7\n=Xk3Z\n-----END PGP PRIVATE KEY BLOCK-----",
        '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----"',
    ],
)
def test_when_text_holds_a_private_key_then_the_whole_block_is_found(block: str) -> None:
    text = f"my key:\n{block}\nwhy does it fail?"
    spans = [(start, end) for _, start, end, _ in find_secrets(text)]
    begin = text.index("-----BEGIN")
    assert len(spans) == 1
    assert spans[0][0] == begin
    assert text[spans[0][1] - 5 : spans[0][1]] == "-----"


def test_when_a_private_key_is_cut_off_then_its_body_is_still_found() -> None:
    text = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk\nHr3Xw"
    assert [(s, e) for _, s, e, _ in find_secrets(text)] == [(0, len(text))]


LOOK_ALIKES = [
    'request_id = "3f9c2a1e-7b4d-4e8a-9c1f-2d3e4f5a6b7c"',
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed the loader",
    "numpy==1.26.4 --hash=sha256:3f5c7d0a2b9e4f1c8d6a5b3e2f1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b",
    "image: python@sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c",
    '"integrity": "sha512-2hOgTW4EHr4bmXSUdsljWwZnKDXlpXVRoCs4lg1h2/2WtHdsBRpgpZAsV5EWTyjmqgyfcIKzGw4ehU+HqhhOsA=="',
    "md5: d41d8cd98f00b204e9800998ecf8427e",
    'model = "meta-llama/Llama-3.1-8B-Instruct"',
    'model_id = "anthropic.claude-3-5-sonnet-20240620-v1:0"',
    'role_arn = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"',
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGb2QvJ0k8Hc0l7mKj1YdLq8m0Zk9a4cVtHf3Xo2pR5s user@laptop",
    "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfV\n-----END PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQsw\n-----END CERTIFICATE-----",
    'api_key = os.environ["OPENAI_API_KEY"]',
    'token = os.getenv("GITHUB_TOKEN")',
    "password: ${DB_PASSWORD}",
    "OPENAI_API_KEY=sk-...",
    'api_key = "<your-api-key>"',
    'client = OpenAI(api_key="YOUR_API_KEY")',
    "SECRET_KEY=changeme",
    'password = "********"',
    "token: xxxxxxxxxxxxxxxxxxxx",
    "color: #1f77b4; background: #ff7f0e",
    "x-request-id: 7f3e9a2b4c1d8e6f",
    "trace_id=4bf92f3577b34da6a3ce929d0e0e4736",
    "max_tokens = 4096",
    'tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")',
    'primary_key = "customer_id"',
    'password_hash = "$2b$12$KIXQJ6v0Yz9Uq8Zf5bE7XeJtR0m1nL2oP3qR4sT5uV6wX7yZ8aB9c"',
    "Use the key column to join; the token count was 512.",
    "The object key is data/raw/2024-05-01/events.jsonl",
    "Authorization: Bearer {token}",
    'headers = {"Authorization": f"Bearer {api_key}"}',
    "postgres://user:password@localhost:5432/db",
    "postgres://user:${PGPASSWORD}@localhost/db",
    "mysql://root:****@localhost/shop",
    "Use sk-learn style estimators and sklearn pipelines.",
    "sk-learn-compatible-wrapper-for-estimators",
    "TAKIAVMOH5T4EUNF2CDSSX is a product code",
    "The AKIA prefix marks an AWS access key id.",
    "Bearer tokens are sent in the authorization header",
    'password = "password"',
    "ghp_ is the prefix of GitHub personal tokens",
    "The model eyJ is not a token.",
    "The key 550e8400-e29b-41d4-a716-446655440000 identifies the run.",
    'bucket_key = "s3://my-bucket/data/2024/part-00000-9fceb02d.parquet"',
    'etag: "33a64df551425fcc55e4d42a148795d9f25f89d4"',
    'stripe.js init with publishable key "pk_test_4MyrPwHJDBoCVXxa6hTgtOUawkvL26cj8YS73Oxt2oR45n6g2f6F"',
    "fingerprint: SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
    'curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com/user',
    "export OPENAI_API_KEY=your-api-key-here",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "api_key = userdata.get('OPENAI_API_KEY')",
    "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",  # AWS's documented example
    'client = Client(account_sid="AC5f2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d", auth_token=token)',
    'customer = stripe.Customer.retrieve("cus_NffrFeUfNV2Hib")',
    'secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-key-Ab12Cd"',
    'firebaseConfig = { apiKey: "AIzaSyD-EXAMPLEEXAMPLEEXAMPLE12345678" }',
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "request-id: req_011CUbK9fJ8ZsVd2x7Qz1pWm",
    "plan_tier, device_type, customer_id, session_length_s, feature_7. Which one?",
    'connect(host="db", password=secret_pw)',
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_when_text_only_looks_like_a_secret_then_nothing_is_found(text: str) -> None:
    assert find_secrets(text) == []


def test_when_the_recognizer_is_asked_for_secrets_then_it_reports_entity_secret() -> None:
    text = "GITLAB_TOKEN=glpat-" + "Zx81cVbq2W9dfKm4LpTr"
    results = SecretRecognizer().analyze(text, [SECRET])
    assert [(r.entity_type, text[r.start : r.end]) for r in results] == [(SECRET, "glpat-Zx81cVbq2W9dfKm4LpTr")]
    assert SecretRecognizer().analyze(text, ["PERSON"]) == []
