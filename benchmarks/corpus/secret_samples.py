# ruff: noqa: E501  (template lines are kept whole so each reads as the text it produces)
"""Secrets placed in lines a data scientist might paste, and look-alikes that are not secrets."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from sample import Part
from secret_values import CHARSETS, render

SECRET = "SECRET"
QUESTIONS = (
    "Why does this return 401?",
    "What's wrong with this config?",
    "Can you turn this into a function?",
    "The call hangs, any idea?",
    "Rewrite this to use async.",
    "Why do I get 'invalid credentials'?",
    "",
    "",
)


def ident(family: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", family.title()) or "Api"


def key_name(env: str) -> str:
    """The config key a variable name becomes in JSON or YAML: GITHUB_TOKEN -> token, STRIPE_SECRET_KEY -> secret_key."""
    parts = env.lower().split("_")
    tail = [p for p in parts[1:] if p] or parts
    return "_".join(tail[-2:]) if len(tail) > 1 and tail[-1] in ("key", "token", "secret", "password") else tail[-1]


def q(rng: random.Random) -> str:
    question = rng.choice(QUESTIONS)
    return "\n\n" + question if question else ""


# Each context: (rng, family, env, value, is_url) -> parts. A value that is a URL cannot sit in a header.
Context = Callable[[random.Random, str, str, str, bool], list[Part]]


def prose(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if family == "Generic":  # no vendor: say what the variable says, "DB_PASSWORD" -> "db password"
        family, what = "internal", env.lower().replace("_", " ")
    else:
        what = "webhook URL" if is_url else rng.choice(("API key", "token", "key", "credential", "secret"))
    return rng.choice(
        (
            [f"My {family} {what} ", (value, SECRET), " stopped working this morning. What could cause that?"],
            [f"I'm using this {family} {what}: ", (value, SECRET), f"\nand the SDK still says unauthorized.{q(rng)}"],
            [f"Here is the {what} for {family} in case you need it: ", (value, SECRET)],
            [f"Rotated the {family} {what}, new one is ", (value, SECRET), " - please update the notebook."],
        )
    )


def os_environ(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [
        "import os\n\n",
        f'os.environ["{env}"] = "',
        (value, SECRET),
        '"\n',
        f"client = {ident(family)}()" if not is_url else 'notify("done")',
        q(rng),
    ]


def dotenv(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    quote = rng.choice(("", "", '"'))
    return [
        rng.choice(("# .env\n", "My .env file:\n", "")),
        "DEBUG=false\n",
        f"{env}={quote}",
        (value, SECRET),
        f"{quote}\nLOG_LEVEL=info\n",
        q(rng),
    ]


def export(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    quote = rng.choice(("", '"', "'"))
    return ["$ ", f"export {env}={quote}", (value, SECRET), f"{quote}\n$ python run_pipeline.py\n", q(rng)]


def bearer_header(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if is_url:
        return os_environ(rng, family, env, value, is_url)
    return rng.choice(
        (
            ["Request headers:\nContent-Type: application/json\nAuthorization: Bearer ", (value, SECRET), "\n", q(rng)],
            [
                'headers = {"Authorization": "Bearer ',
                (value, SECRET),
                '", "Accept": "application/json"}\nr = requests.get(url, headers=headers, timeout=10)',
                q(rng),
            ],
            ['headers = {"Authorization": f"Bearer {token}"}  # token = "', (value, SECRET), '"', q(rng)],
        )
    )


def json_config(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    key = "webhook_url" if is_url else key_name(env)
    return [
        '{\n  "service": "',
        family.lower(),
        '",\n  "',
        key,
        '": "',
        (value, SECRET),
        '",\n  "timeout": 30\n}',
        q(rng),
    ]


def python_client(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if is_url:
        return ['requests.post("', (value, SECRET), '", json={"text": "training finished"})', q(rng)]
    arg = rng.choice(("api_key", "token", "auth_token", "access_token", "key"))
    return [
        f'from {ident(family).lower() if family != "Generic" else "internal_api"} import Client\n\nclient = Client({arg}="',
        (value, SECRET),
        '")\nprint(client.list_projects())',
        q(rng),
    ]


def headers_dict(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if is_url:
        return dotenv(rng, family, env, value, is_url)
    header = rng.choice(("X-API-Key", "X-Auth-Token", "api-key", "Private-Token", "X-Api-Token"))
    return [f'resp = httpx.get(BASE_URL + "/v1/items", headers={{"{header}": "', (value, SECRET), '"})', q(rng)]


def toml_config(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [
        f"[{ident(family).lower()}]\n",
        f'{"url" if is_url else key_name(env)} = "',
        (value, SECRET),
        '"\nretries = 3\n',
        q(rng),
    ]


def assignment(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [f'{env.lower()} = "', (value, SECRET), f'"\nresult = call_service({env.lower()})', q(rng)]


def url_query(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if is_url:
        return prose(rng, family, env, value, is_url)
    param = rng.choice(("api_key", "key", "token", "access_token", "apikey"))
    return [f'resp = requests.get("https://api.example.com/v1/data?{param}=', (value, SECRET), '&format=json")', q(rng)]


def repr_output(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    field = "url" if is_url else key_name(env)
    return [
        f">>> print(settings)\n{ident(family)}Settings({field}='",
        (value, SECRET),
        "', timeout=30, retries=3)",
        q(rng),
    ]


def log_line(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    stamp = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)} {rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}"
    what = "webhook" if is_url else rng.choice(("token", "api_key", "auth", "key"))
    return [
        f"{stamp} DEBUG {ident(family).lower()}.client {what}: ",
        (value, SECRET),
        f"\n{stamp} ERROR request failed: 401 Unauthorized\n",
        "Why is the log saying unauthorized?",
    ]


# Held-out contexts
def k8s_secret(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ",
        ident(family).lower(),
        "-credentials\ntype: Opaque\nstringData:\n  ",
        env,
        ": ",
        (value, SECRET),
        "\n",
        q(rng),
    ]


def curl_header(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    if is_url:
        return [
            "curl -X POST -H 'Content-type: application/json' --data '{\"text\":\"done\"}' ",
            (value, SECRET),
            q(rng),
        ]
    return rng.choice(
        (
            ['curl -s -H "Authorization: Bearer ', (value, SECRET), '" https://api.example.com/v2/models | jq .'],
            [
                "curl https://api.example.com/v1/runs \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-API-Key: ",
                (value, SECRET),
                "'",
            ],
        )
    )


def yaml_config(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    key = "webhook_url" if is_url else key_name(env)
    quote = rng.choice(("", '"', "'"))
    return [
        f"{ident(family).lower()}:\n  enabled: true\n  {key}: {quote}",
        (value, SECRET),
        f"{quote}\n  region: eu-west-1\n",
        q(rng),
    ]


def env_magic(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [f"%env {env}=", (value, SECRET), "\n", q(rng)]


def docker_env(rng: random.Random, family: str, env: str, value: str, is_url: bool) -> list[Part]:
    return [f"docker run --rm -e {env}=", (value, SECRET), " -p 8888:8888 jupyter/scipy-notebook", q(rng)]


CONTEXTS: dict[str, Context] = {
    "prose": prose,
    "os_environ": os_environ,
    "dotenv": dotenv,
    "export": export,
    "bearer_header": bearer_header,
    "json_config": json_config,
    "python_client": python_client,
    "headers_dict": headers_dict,
    "toml_config": toml_config,
    "assignment": assignment,
    "curl_header": curl_header,
    "yaml_config": yaml_config,
    "env_magic": env_magic,
    "docker_env": docker_env,
    "url_query": url_query,
    "log_line": log_line,
    "repr_output": repr_output,
    "k8s_secret": k8s_secret,
}
# Contexts a password is written in (not headers or client constructors).
PASSWORD_CONTEXTS = (
    "log_line",
    "prose",
    "os_environ",
    "dotenv",
    "export",
    "json_config",
    "toml_config",
    "assignment",
    "yaml_config",
    "env_magic",
    "docker_env",
)
HELDOUT_CONTEXTS = frozenset(
    {"k8s_secret", "curl_header", "yaml_config", "env_magic", "docker_env", "odbc", "pem_yaml", "sqlalchemy_url"}
)


# Key blocks
def pem_contexts(rng: random.Random, value: str, label: str) -> tuple[str, list[Part]]:
    """A private key block as pasted: bare, in a Python string, or in YAML (held out)."""
    context = rng.choice(("pem_paste", "pem_python", "pem_yaml"))
    if context == "pem_paste":
        return context, ["paramiko says 'not a valid key', here is the file:\n\n", (value, SECRET), "\n"]
    if context == "pem_python":
        return context, ['PRIVATE_KEY = """', (value, SECRET), '"""\nsigner = load_key(PRIVATE_KEY)', q(rng)]
    indented = value.replace("\n", "\n    ")
    return context, ["tls:\n  key: |\n    ", (indented, SECRET), "\n  cert_file: /etc/ssl/server.crt\n"]


def service_account_json(rng: random.Random, value: str) -> list[Part]:
    """A Google Cloud service-account key file; its private_key is the secret, escaped as JSON writes it."""
    project = rng.choice(("analytics-prod", "ml-sandbox-42", "data-platform-dev"))
    escaped = value.replace("\n", "\\n") + "\\n"
    return [
        '{\n  "type": "service_account",\n  "project_id": "',
        project,
        '",\n  "private_key_id": "',
        render("{h:40}", rng),
        '",\n  "private_key": "',
        (escaped, SECRET),
        '",\n  "client_email": "loader@',
        project,
        '.iam.gserviceaccount.com",\n  "token_uri": "https://oauth2.googleapis.com/token"\n}\nWhy does google.auth say the key is malformed?',
    ]


# Passwords in connection strings
URL_SAFE = CHARSETS["a"] + "-_.~!*"


def url_password(rng: random.Random) -> str:
    size = rng.randint(12, 22)
    return "".join(rng.choice(URL_SAFE) for _ in range(size))


def connection(rng: random.Random, context: str, pw: str) -> list[Part]:
    user = rng.choice(("analyst", "etl_user", "app", "readonly", "svc_ml", "postgres", "admin"))
    host = rng.choice(("db.internal", "10.0.3.17", "warehouse.prod.local", "pg-replica-2", "sql01.corp.local"))
    if context == "url_userinfo":
        scheme = rng.choice(("postgresql", "postgres", "mysql", "mongodb", "redis", "amqp", "mssql+pyodbc"))
        port = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mongodb": 27017, "redis": 6379, "amqp": 5672}.get(
            scheme, 1433
        )
        return [f'engine_url = "{scheme}://{user}:', (pw, SECRET), f'@{host}:{port}/analytics"', q(rng)]
    if context == "sqlalchemy_url":
        return [
            f'engine = create_engine("postgresql+psycopg2://{user}:',
            (pw, SECRET),
            f'@{host}/warehouse", pool_pre_ping=True)',
            q(rng),
        ]
    if context == "jdbc":
        return [
            f"jdbc:sqlserver://{host}:1433;databaseName=sales;user={user};password=",
            (pw, SECRET),
            ";encrypt=true;",
            q(rng),
        ]
    if context == "odbc":
        return [
            f"conn = pyodbc.connect('Driver={{ODBC Driver 18 for SQL Server}};Server={host};Database=sales;Uid={user};Pwd=",
            (pw, SECRET),
            ";')",
            q(rng),
        ]
    if context == "python_kwargs":
        return [
            f'conn = psycopg2.connect(host="{host}", dbname="analytics", user="{user}", password="',
            (pw, SECRET),
            '")',
            q(rng),
        ]
    raise ValueError(f"no connection context {context}")


CONNECTION_CONTEXTS = ("url_userinfo", "sqlalchemy_url", "jdbc", "odbc", "python_kwargs")


def azure_storage(rng: random.Random, value: str) -> list[Part]:
    account = rng.choice(("mldata", "rawzone01", "exportsprod"))
    return [
        f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey=",
        (value, SECRET),
        ";EndpointSuffix=core.windows.net",
    ]


def aws_credentials(rng: random.Random) -> list[Part]:
    key_id = render("AKIA{2:16}", rng)
    secret = render("{b:40}", rng)
    return [
        "~/.aws/credentials:\n[default]\naws_access_key_id = ",
        (key_id, SECRET),
        "\naws_secret_access_key = ",
        (secret, SECRET),
        "\nregion = eu-central-1\n\nboto3 still says NoCredentialsError.",
    ]


# Look-alikes: values that look random but are not secrets.
def uuid(rng: random.Random) -> str:
    return render("{h:8}-{h:4}-4{h:3}-a{h:3}-{h:12}", rng)


MODEL_IDS = (
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "claude-3-5-sonnet-20241022",
    "claude-3-opus-20240229",
    "claude-sonnet-4-20250514",
    "gemini-1.5-pro-002",
    "text-embedding-3-large",
    "o1-preview-2024-09-12",
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "BAAI/bge-large-en-v1.5",
    "amazon.titan-embed-text-v2:0",
    "anthropic.claude-3-haiku-20240307-v1:0",
    "gpt-4-turbo-2024-04-09",
)
PLACEHOLDERS = (
    "sk-...",
    "<your-api-key>",
    "YOUR_API_KEY_HERE",
    "xxxxxxxxxxxxxxxxxxxxxxxx",
    "****",
    "********",
    "sk-XXXXXXXXXXXXXXXXXXXXXXXX",
    "<TOKEN>",
    "your_token_here",
    "changeme",
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "REPLACE_ME",
    "sk-ant-...",
    "hf_...",
    "...",
    "<redacted>",
    "${API_KEY}",
    "{{ api_key }}",
)
ENV_NAMES = (
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "HF_TOKEN",
    "GITHUB_TOKEN",
    "DATABRICKS_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "WANDB_API_KEY",
    "DB_PASSWORD",
    "SLACK_BOT_TOKEN",
    "STRIPE_SECRET_KEY",
)
ENGLISH = (
    "The quick brown fox jumps over the lazy dog",
    "monthly churn report for the board",
    "hello world from the data team",
    "feature store refresh complete",
    "ok",
    "training finished at epoch 12",
)


def lookalike(kind: str, rng: random.Random) -> str:
    """A text holding one look-alike of the given kind and no secret."""
    import base64

    if kind == "uuid":
        return rng.choice(
            (
                f'run_id = "{uuid(rng)}"\nmlflow.get_run(run_id)',
                f"request_id: {uuid(rng)}\nstatus: 504",
                f"Why is dataset {uuid(rng)} missing from the catalog?",
            )
        )
    if kind == "git_sha":
        sha = render("{h:40}", rng)
        return rng.choice(
            (
                f"git checkout {sha}",
                f"commit {sha}\nAuthor: ci-bot\n\n    fix: feature pipeline",
                f"pinned to {sha[:7]} and {sha}",
            )
        )
    if kind == "pip_hash":
        return f"numpy==1.26.{rng.randint(0, 4)} \\\n    --hash=sha256:{render('{h:64}', rng)} \\\n    --hash=sha256:{render('{h:64}', rng)}"
    if kind == "docker_digest":
        return f"FROM python:3.11-slim@sha256:{render('{h:64}', rng)}\nRUN pip install -r requirements.txt"
    if kind == "npm_integrity":
        return (
            f'"node_modules/lodash": {{\n  "version": "4.17.21",\n  "integrity": "sha512-{render("{b:86}", rng)}=="\n}}'
        )
    if kind == "checksum":
        return rng.choice(
            (
                f"{render('{h:32}', rng)}  train.parquet",
                f"sha256sum model.bin\n{render('{h:64}', rng)}  model.bin",
                f"expected md5 {render('{h:32}', rng)} but got {render('{h:32}', rng)}",
            )
        )
    if kind == "model_id":
        return f'response = client.chat.completions.create(model="{rng.choice(MODEL_IDS)}", messages=msgs)'
    if kind == "arn":
        return rng.choice(
            (
                f"arn:aws:iam::{render('{d:12}', rng)}:role/sagemaker-execution-role",
                f"arn:aws:s3:::ml-artifacts-{render('{l:6}', rng)}/models/*",
                f"arn:aws:lambda:eu-west-1:{render('{d:12}', rng)}:function:score-batch",
            )
        )
    if kind == "ssh_public_key":
        return rng.choice(
            (
                f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{render('{b:43}', rng)} deploy-key",
                f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{render('{b:338}', rng)} ci-runner",
            )
        )
    if kind == "pem_public":
        label = rng.choice(("PUBLIC KEY", "CERTIFICATE"))
        body = (
            "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" if label == "PUBLIC KEY" else "MIIDdzCCAl+gAwIBAgIE"
        ) + render("{b:330}", rng)
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        return f"Is this the right format?\n-----BEGIN {label}-----\n{lines}\n-----END {label}-----"
    if kind == "env_reference":
        env = rng.choice(ENV_NAMES)
        return rng.choice(
            (
                f'api_key = os.environ["{env}"]',
                f'token = os.getenv("{env}")',
                f'curl -H "Authorization: Bearer ${env}" https://api.example.com',
                f"{env}=${{{env}}}",
                f"env:\n  {env}: ${{{{ secrets.{env} }}}}",
                f'client = OpenAI(api_key=os.environ.get("{env}"))',
            )
        )
    if kind == "placeholder":
        value = rng.choice(PLACEHOLDERS)
        return rng.choice(
            (
                f'client = OpenAI(api_key="{value}")',
                f"OPENAI_API_KEY={value}",
                f"Authorization: Bearer {value}",
                f'{{"api_key": "{value}"}}',
                f"export HF_TOKEN={value}",
            )
        )
    if kind == "base64_text":
        text = base64.b64encode(rng.choice(ENGLISH).encode()).decode()
        return rng.choice(
            (
                f"base64.b64encode(msg) returned {text}, how do I decode it back?",
                f'payload = "{text}"  # base64 of the status message',
            )
        )
    if kind == "hex_colour":
        colours = ", ".join(f'"#{render("{h:6}", rng)}"' for _ in range(rng.randint(3, 6)))
        return f"palette = [{colours}]\nsns.set_palette(palette)"
    if kind == "cell_id":
        return f'{{"cell_type": "code", "id": "{render("{h:8}", rng)}", "metadata": {{}}, "execution_count": {rng.randint(1, 90)}}}'
    if kind == "request_id":
        return rng.choice(
            (
                f'"id": "chatcmpl-{render("{a:29}", rng)}"',
                f'"id": "msg_01{render("{a:22}", rng)}"',
                f"x-request-id: req_{render('{h:32}', rng)}",
                f"trace_id={render('{h:32}', rng)} span_id={render('{h:16}', rng)}",
            )
        )
    if kind == "publishable_key":
        return f'stripe.js init with publishable key "pk_test_{render("{a:99}", rng)}"'
    if kind == "hashed_ids":
        rows = "\n".join(f"{render('{h:64}', rng)},{rng.randint(0, 1)},{rng.uniform(0, 1):.3f}" for _ in range(3))
        return f"user_hash,churned,score\n{rows}\nThe ids are SHA-256 of the account number. Is that enough to pseudonymise?"
    if kind == "mlflow_run":
        return f'mlflow.register_model("runs:/{render("{h:32}", rng)}/model", "churn-xgb")'
    if kind == "s3_etag":
        return f'ETag: "{render("{h:32}", rng)}"\nLast-Modified: Tue, 03 Sep 2024 10:12:01 GMT'
    if kind == "wandb_run":
        return f"wandb: Syncing run {render('{l:8}', rng)}\nwandb: View run at https://wandb.ai/team/churn/runs/{render('{l:8}', rng)}"
    if kind == "version_hash":
        return f"torch {rng.randint(1, 2)}.{rng.randint(0, 5)}.0+cu121, git version {render('{h:7}', rng)}, build {render('{h:12}', rng)}"
    if kind == "slack_ids":
        return f"post to channel C0{render('{U:8}', rng)} and mention U0{render('{U:8}', rng)}"
    raise ValueError(f"no look-alike kind {kind}")


LOOKALIKE_KINDS = (
    "uuid",
    "git_sha",
    "pip_hash",
    "docker_digest",
    "npm_integrity",
    "checksum",
    "model_id",
    "arn",
    "ssh_public_key",
    "pem_public",
    "env_reference",
    "placeholder",
    "base64_text",
    "hex_colour",
    "cell_id",
    "request_id",
    "publishable_key",
    "hashed_ids",
    "mlflow_run",
    "s3_etag",
    "wandb_run",
    "version_hash",
    "slack_ids",
)
HELDOUT_LOOKALIKES = frozenset({"npm_integrity", "s3_etag", "wandb_run"})
