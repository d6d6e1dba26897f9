"""Contexts of the fresh secrets corpus: where a credential sits in notebooks, shells, configs, code and chat.

Each context takes the random generator and a Spec (the family, its format, the credential's parts as
(environment variable, value) and its kind) and returns parts for sample.compose: literal text and
(value, "SECRET"). Only the value is labelled: never the variable, the header name, `Bearer ` or quotes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from fresh_secret_formats import API, CLI, PY_SDK
from fresh_secret_values import password, render, uuid4
from sample import Part

SECRET = "SECRET"


@dataclass
class Spec:
    family: str
    fmt: str
    items: list[tuple[str, str]]  # (environment variable, value)
    kind: str  # token, url, pem

    @property
    def env(self) -> str:
        return self.items[0][0]

    @property
    def value(self) -> str:
        return self.items[0][1]


Context = Callable[[random.Random, Spec], list[Part]]


def sec(value: str) -> tuple[str, str]:
    return (value, SECRET)


def snake(env: str) -> str:
    return env.lower()


def camel(env: str) -> str:
    head, *rest = env.lower().split("_")
    return head + "".join(w.capitalize() for w in rest)


def slug(family: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-") or "svc"


def short_key(env: str) -> str:
    """The last words of a variable as a config key: OPENAI_API_KEY -> api_key."""
    words = env.lower().split("_")
    return "_".join(words[-2:]) if len(words) > 1 and words[-2] in ("api", "access", "auth", "secret") else words[-1]


def api_url(family: str) -> str:
    if family in API:
        return "https://" + API[family][0]
    return f"https://api.{slug(family).replace('-', '')}.com/v1/{'status' if len(family) % 2 else 'me'}"


QUERY_PARAM = {
    "OpenWeatherMap": "appid",
    "Alpha Vantage": "apikey",
    "Etherscan": "apikey",
    "Polygon.io": "apiKey",
    "HERE": "apiKey",
    "Steam": "key",
    "TomTom": "key",
    "Shodan": "key",
    "Pipedrive": "api_token",
}


def header_of(rng: random.Random, family: str) -> tuple[str, str]:
    """(header name, prefix before the value) for a family's API."""
    style = API[family][1] if family in API else rng.choice(("bearer", "bearer", "X-API-Key", "token"))
    if style == "bearer":
        return "Authorization", "Bearer "
    if style == "token":
        return "Authorization", "Token "
    if style in ("SSWS", "GenieKey"):
        return "Authorization", style + " "
    if style == "raw":
        return "Authorization", ""
    if style == "query":
        return "X-Api-Key", ""
    return style, ""


# --- single-value contexts ------------------------------------------------------------------------------------


def curl_multiline(rng: random.Random, s: Spec) -> list[Part]:
    name, prefix = header_of(rng, s.family)
    q = rng.choice(("'", '"'))
    method = rng.choice(("", "-X POST ", "--request GET "))
    lines: list[Part] = [f"$ curl -sS {method}{api_url(s.family)} \\\n"]
    if rng.random() < 0.5:
        lines.append(f"    -H {q}Content-Type: application/json{q} \\\n")
    lines += [f"    -H {q}{name}: {prefix}", sec(s.value), f"{q}"]
    if method == "-X POST ":
        lines.append(" \\\n    -d " + rng.choice(("@payload.json", "'{}'")))
    lines.append(rng.choice(("\n", " | jq .\n", " -o out.json\n")))
    return lines


def requests_call(rng: random.Random, s: Spec) -> list[Part]:
    url = api_url(s.family)
    lib = rng.choice(("requests", "requests", "httpx"))
    verb = rng.choice(("get", "post"))
    if s.family in QUERY_PARAM or (s.family in API and API[s.family][1] == "query"):
        param = QUERY_PARAM.get(s.family, "api_key")
        return [
            f'import {lib}\n\nr = {lib}.get(\n    "{url}",\n    params={{"q": "daily", "{param}": "',
            sec(s.value),
            '"},\n    timeout=20,\n)\nr.raise_for_status()\ndf = pd.json_normalize(r.json())\n',
        ]
    name, prefix = header_of(rng, s.family)
    body = ", json=payload" if verb == "post" else ""
    return [
        f'resp = {lib}.{verb}("{url}"{body}, headers={{"{name}": "{prefix}',
        sec(s.value),
        f'"}}, timeout={rng.choice((10, 30, 60))})\nprint(resp.status_code)\n',
    ]


def httpx_client(rng: random.Random, s: Spec) -> list[Part]:
    name, prefix = header_of(rng, s.family)
    base = api_url(s.family).split("/", 3)
    kind = rng.choice(("AsyncClient", "Client"))
    return [
        f'async def fetch_all(ids):\n    async with httpx.{kind}(\n        base_url="{"/".join(base[:3])}",\n'
        f'        headers={{"{name}": "{prefix}',
        sec(s.value),
        '"},\n    ) as http:\n        return await asyncio.gather(*(http.get(f"/items/{i}") for i in ids))\n',
    ]


NOT_SDK = frozenset({"stripe-webhook-secret", "slack-signing-secret", "slack-webhook-url", "openai-admin-key"})


def sdk_constructor(rng: random.Random, s: Spec) -> list[Part]:
    if s.family in PY_SDK and s.fmt not in NOT_SDK:
        imp, call = PY_SDK[s.family]
    else:
        base = "/".join(api_url(s.family).split("/")[:3])
        imp = rng.choice(("from internal.http import ServiceClient", "from app.clients import ServiceClient"))
        arg = rng.choice(("api_key", "token", "auth_token"))
        call = f'{slug(s.family).replace("-", "_")} = ServiceClient(base_url="{base}", {arg}="{{value}}")'
    before, after = call.split("{value}")
    lead = rng.choice(("", "# In[3]:\n", "# quick test, move to env later\n"))
    tail = rng.choice(("\n", "\n\n", "  # TODO rotate\n"))
    return [f"{lead}{imp}\n\n{before}", sec(s.value), f"{after}{tail}"]


JS_SDK = {
    "OpenAI": ("import OpenAI from 'openai';", "const openai = new OpenAI({{ apiKey: '{v}' }});"),
    "Anthropic": (
        "import Anthropic from '@anthropic-ai/sdk';",
        "const anthropic = new Anthropic({{ apiKey: '{v}' }});",
    ),
    "Stripe": ("import Stripe from 'stripe';", "const stripe = new Stripe('{v}', {{ apiVersion: '2024-06-20' }});"),
    "Slack": ("const {{ WebClient }} = require('@slack/web-api');", "const web = new WebClient('{v}');"),
    "Groq": ("import Groq from 'groq-sdk';", "const groq = new Groq({{ apiKey: '{v}' }});"),
    "Resend": ("import {{ Resend }} from 'resend';", "const resend = new Resend('{v}');"),
    "Supabase": (
        "import {{ createClient }} from '@supabase/supabase-js';",
        "const supabase = createClient('https://xyzcompany.supabase.co', '{v}');",
    ),
}


def js_sdk(rng: random.Random, s: Spec) -> list[Part]:
    if s.family in JS_SDK and rng.random() < 0.7:
        imp, line = JS_SDK[s.family]
        before, after = line.format(v="\0").split("\0")
        return [imp.format() + "\n\n" + before, sec(s.value), after + "\n"]
    name, prefix = header_of(rng, s.family)
    return [
        f"const res = await fetch('{api_url(s.family)}', {{\n  method: 'GET',\n  headers: {{ '{name}': `{prefix}",
        sec(s.value),
        "` },\n});\nconst data = await res.json();\n",
    ]


def go_client(rng: random.Random, s: Spec) -> list[Part]:
    if rng.random() < 0.5:
        name, prefix = header_of(rng, s.family)
        return [
            f'req, _ := http.NewRequest("GET", "{api_url(s.family)}", nil)\nreq.Header.Set("{name}", "{prefix}',
            sec(s.value),
            '")\nresp, err := http.DefaultClient.Do(req)\nif err != nil {\n\tlog.Fatal(err)\n}\n',
        ]
    const = camel(s.env)
    return ["package config\n\nconst " + const + ' = "', sec(s.value), '"\n']


def terraform_variable_default(rng: random.Random, s: Spec) -> list[Part]:
    sensitive = rng.choice(("  sensitive   = true\n", ""))
    return [
        f'variable "{snake(s.env)}" {{\n  type        = string\n  description = "{s.family} credential"\n'
        f'{sensitive}  default     = "',
        sec(s.value),
        '"\n}\n',
    ]


def helm_set(rng: random.Random, s: Spec) -> list[Part]:
    release = rng.choice(("feature-store", "inference", "label-studio", "mlflow"))
    return [
        f"helm upgrade --install {release} ./charts/{release} -n {rng.choice(('ml', 'prod', 'staging'))} \\\n"
        f"  --set image.tag=1.{rng.randint(0, 9)}.{rng.randint(0, 20)} \\\n  --set secrets.{camel(s.env)}=",
        sec(s.value),
        "\n",
    ]


def shell_cell_export(rng: random.Random, s: Spec) -> list[Part]:
    cmd = rng.choice(("python train.py --epochs 3", "python -m app.ingest", "bash scripts/sync.sh"))
    if rng.random() < 0.5:
        return [f"!export {s.env}=", sec(s.value), f" && {cmd}\n"]
    return [f"!{s.env}=", sec(s.value), f" {cmd}\n"]


def traceback_query(rng: random.Random, s: Spec) -> list[Part]:
    url = api_url(s.family)
    param = QUERY_PARAM.get(s.family, rng.choice(("api_key", "key", "token", "access_token", "apikey")))
    extra = rng.choice(("", "&units=metric", "&page=2", "&format=json"))
    code = rng.choice(
        ("401 Client Error: Unauthorized", "403 Client Error: Forbidden", "429 Client Error: Too Many Requests")
    )
    return [
        "---------------------------------------------------------------------------\n"
        "HTTPError                                 Traceback (most recent call last)\n"
        "Cell In[12], line 4\n      2 r = requests.get(URL, params=params)\n----> 4 r.raise_for_status()\n\n"
        "File ~/.venv/lib/python3.11/site-packages/requests/models.py:1024, in Response.raise_for_status(self)\n"
        "   1023 if http_error_msg:\n-> 1024     raise HTTPError(http_error_msg, response=self)\n\n"
        f"HTTPError: {code} for url: {url}?{param}=",
        sec(s.value),
        f"{extra}\n",
    ]


def chat_paste(rng: random.Random, s: Spec) -> list[Part]:
    who = rng.choice(("data-eng", "ml_ops", "kai.dev", "platform-bot", "analyst_3"))
    when = f"{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}"
    lead = rng.choice(
        (
            f"here's my {s.family} key: ",
            f"use this {s.family} token for now → ",
            "can you try with ",
            f"new creds for {s.family} (rotate after the demo) ",
            f"the {s.env} we use in staging is ",
        )
    )
    tail = rng.choice(("", " 🙏", " — don't commit it", "\n[" + when + "] ml-lead: thanks, works now"))
    return [f"[{when}] {who}: {lead}", sec(s.value), f"{tail}\n"]


def gh_secret_set(rng: random.Random, s: Spec) -> list[Part]:
    repo = rng.choice(("acme/forecasting", "data-team/etl", "ml/recsys"))
    if rng.random() < 0.5:
        return [f'gh secret set {s.env} --repo {repo} --body "', sec(s.value), '"\n']
    return ["echo -n '", sec(s.value), f"' | gh secret set {s.env} --env production\n"]


def powershell_env(rng: random.Random, s: Spec) -> list[Part]:
    style = rng.randrange(3)
    if style == 0:
        return [f'PS C:\\Users\\dev\\proj> $env:{s.env} = "', sec(s.value), '"\nPS C:\\Users\\dev\\proj> jupyter lab\n']
    if style == 1:
        return [f'[Environment]::SetEnvironmentVariable("{s.env}", "', sec(s.value), '", "User")\n']
    return [f'C:\\> setx {s.env} "', sec(s.value), '"\n\nSUCCESS: Specified value was saved.\n']


def fish_set(rng: random.Random, s: Spec) -> list[Part]:
    return [f"~/proj (main)> set -Ux {s.env} ", sec(s.value), "\n~/proj (main)> python app.py\n"]


def http_request_dump(rng: random.Random, s: Spec) -> list[Part]:
    name, prefix = header_of(rng, s.family)
    url = api_url(s.family)
    host, path = url[8:].split("/", 1) if "/" in url[8:] else (url[8:], "")
    return [
        f"DEBUG:urllib3.connectionpool:Starting new HTTPS connection (1): {host}:443\n"
        f"send: b'GET /{path} HTTP/1.1\\r\\nHost: {host}\\r\\nUser-Agent: python-requests/2.32.3\\r\\n"
        f"Accept: */*\\r\\n{name}: {prefix}",
        sec(s.value),
        "\\r\\nConnection: keep-alive\\r\\n\\r\\n'\n",
    ]


def ipynb_source(rng: random.Random, s: Spec) -> list[Part]:
    cid = render("{h8}", rng)
    return [
        '  {\n   "cell_type": "code",\n   "execution_count": '
        + str(rng.randint(1, 40))
        + ',\n   "id": "'
        + cid
        + '",\n'
        '   "metadata": {},\n   "outputs": [],\n   "source": [\n    "import os\\n",\n'
        f'    "os.environ[\\"{s.env}\\"] = \\"',
        sec(s.value),
        '\\"\\n"\n   ]\n  },\n',
    ]


def dotnet_user_secrets(rng: random.Random, s: Spec) -> list[Part]:
    key = re.sub(r"[^A-Za-z0-9]", "", s.family.title()) + ":" + camel(s.env)[0].upper() + camel(s.env)[1:]
    return [f'dotnet user-secrets set "{key}" "', sec(s.value), '" --project src/Api\n']


def cli_of(s: Spec) -> str:
    return CLI.get(s.fmt) or CLI[s.family]


def cli_flag(rng: random.Random, s: Spec) -> list[Part]:
    before, after = cli_of(s).split("{value}")
    return [f"$ {before}", sec(s.value), f"{after}\n"]


def dockerfile_env(rng: random.Random, s: Spec) -> list[Part]:
    base = rng.choice(("python:3.11-slim", "nvidia/cuda:12.4.1-runtime-ubuntu22.04", "jupyter/scipy-notebook"))
    kw = rng.choice(("ENV", "ARG"))
    return [
        f"FROM {base}\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n{kw} {s.env}=",
        sec(s.value),
        '\nCOPY . .\nCMD ["python", "serve.py"]\n',
    ]


def log_json(rng: random.Random, s: Spec) -> list[Part]:
    name, prefix = header_of(rng, s.family)
    ts = (
        f"2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}T"
        f"{rng.randint(10, 23)}:{rng.randint(10, 59)}:07.{rng.randint(100, 999)}Z"
    )
    return [
        f'{{"ts":"{ts}","level":"debug","logger":"httpclient","msg":"outgoing request",'
        f'"url":"{api_url(s.family)}","headers":{{"{name.lower()}":"{prefix}',
        sec(s.value),
        '","accept":"application/json"},"attempt":1}\n',
    ]


def r_sys_setenv(rng: random.Random, s: Spec) -> list[Part]:
    if rng.random() < 0.5:
        return ["library(httr2)\nSys.setenv(" + s.env + ' = "', sec(s.value), '")\n']
    return ["# ~/.Renviron\nR_LIBS_USER=~/R/library\n" + s.env + "=", sec(s.value), "\n"]


# --- contexts that hold one credential or several -------------------------------------------------------------


def lines_of(items: list[tuple[str, str]], fmt: Callable[[str], tuple[str, str]], sep: str = "\n") -> list[Part]:
    """For each (variable, value): fmt(variable) gives the text before and after the value."""
    parts: list[Part] = []
    for i, (env, value) in enumerate(items):
        before, after = fmt(env)
        parts += [("" if i == 0 else sep) + before, sec(value), after]
    return parts


def curl_user(rng: random.Random, s: Spec) -> list[Part]:
    url = api_url(s.family)
    if len(s.items) == 2:
        return ["curl -s -u ", sec(s.items[0][1]), ":", sec(s.items[1][1]), f" {url}\n"]
    user = rng.choice(("api", "", "ci-bot", "__token__"))
    if user:
        return [f"curl -s --user {user}:", sec(s.value), f" {url} | python -m json.tool\n"]
    return ["curl -s -u ", sec(s.value), f": {url}\n"]


def terraform_tfvars(rng: random.Random, s: Spec) -> list[Part]:
    head = f'# terraform.tfvars\nregion       = "{rng.choice(("eu-west-1", "us-east-2", "westeurope"))}"\n'
    return [head, *lines_of(s.items, lambda e: (f'{snake(e)} = "', '"')), "\n"]


def terraform_provider(rng: random.Random, s: Spec) -> list[Part]:
    name = slug(s.family).replace("-", "")
    parts: list[Part] = [f'provider "{name}" {{\n']
    parts += lines_of(s.items, lambda e: (f'  {short_key(e)} = "', '"'))
    return [*parts, "\n}\n"]


def gha_env(rng: random.Random, s: Spec) -> list[Part]:
    job = rng.choice(("train", "deploy", "nightly-eval", "publish"))
    parts: list[Part] = [
        f"name: {job}\non:\n  push:\n    branches: [main]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    env:\n"
    ]
    parts += lines_of(s.items, lambda e: (f"      {e}: ", ""))
    parts.append("\n    steps:\n      - uses: actions/checkout@v4\n      - run: make " + job + "\n")
    return parts


def gitlab_ci_variables(rng: random.Random, s: Spec) -> list[Part]:
    parts: list[Part] = ['variables:\n  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"\n']
    parts += lines_of(s.items, lambda e: (f'  {e}: "', '"'))
    return [*parts, "\n\ntest:\n  image: python:3.12\n  script:\n    - pytest -q\n"]


def docker_run(rng: random.Random, s: Spec) -> list[Part]:
    image = rng.choice(("ghcr.io/acme/worker:2.3.0", "acme/api:latest", "registry.internal/ml/serve:0.9"))
    parts: list[Part] = [f"docker run --rm -d --name {rng.choice(('worker', 'api', 'serve'))} \\\n"]
    parts += lines_of(s.items, lambda e: (f"  -e {e}=", " \\"))
    return [*parts, f"\n  -p 8080:8080 {image}\n"]


def compose_env(rng: random.Random, s: Spec) -> list[Part]:
    service = rng.choice(("app", "worker", "jupyter"))
    parts: list[Part] = [f"services:\n  {service}:\n    build: .\n    environment:\n"]
    if rng.random() < 0.5:
        parts += lines_of(s.items, lambda e: (f"      - {e}=", ""))
    else:
        parts += lines_of(s.items, lambda e: (f'      {e}: "', '"'))
    return [*parts, '\n    ports:\n      - "8888:8888"\n']


def helm_values(rng: random.Random, s: Spec) -> list[Part]:
    parts: list[Part] = [
        f"replicaCount: {rng.randint(1, 4)}\nimage:\n  repository: acme/{slug(s.family)}-sync\n"
        f'  tag: "{rng.randint(1, 3)}.{rng.randint(0, 9)}.0"\nsecrets:\n  {camel(slug(s.family).replace("-", "_"))}:\n'
    ]
    parts += lines_of(s.items, lambda e: (f"    {camel(e)}: ", ""))
    return [*parts, "\nresources:\n  limits:\n    memory: 1Gi\n"]


def notebook_env_magic(rng: random.Random, s: Spec) -> list[Part]:
    parts: list[Part] = [f"In [{rng.randint(1, 9)}]: "]
    if rng.random() < 0.5:
        parts += lines_of(s.items, lambda e: (f"%env {e}=", ""), sep="\n        ")
    else:
        parts += lines_of(s.items, lambda e: (f"%set_env {e} ", ""), sep="\n        ")
    parts.append("\n")
    if rng.random() < 0.5:  # IPython echoes what %env sets
        parts += lines_of(s.items, lambda e: (f"env: {e}=", ""))
        parts.append("\n")
    return parts


def jupyter_dict_output(rng: random.Random, s: Spec) -> list[Part]:
    n = rng.randint(3, 30)
    parts: list[Part] = [f"In [{n}]: settings.model_dump()\nOut[{n}]:\n{{'base_url': '{api_url(s.family)}',\n"]
    parts += lines_of(s.items, lambda e: (f" '{short_key(e)}': '", "',"))
    return [*parts, f"\n 'timeout': {rng.choice((10, 30, 60))},\n 'verify_ssl': True}}\n"]


def netrc(rng: random.Random, s: Spec) -> list[Part]:
    host = api_url(s.family)[8:].split("/")[0]
    if len(s.items) == 2:
        return [f"machine {host}\n  login ", sec(s.items[0][1]), "\n  password ", sec(s.items[1][1]), "\n"]
    login = rng.choice(("__token__", "oauth2", "api", "user"))
    return [f"# ~/.netrc\nmachine {host}\n  login {login}\n  password ", sec(s.value), "\n"]


def json_settings(rng: random.Random, s: Spec) -> list[Part]:
    section = re.sub(r"[^A-Za-z0-9]", "", s.family.title())
    parts: list[Part] = [
        '{\n  "Logging": { "LogLevel": { "Default": "Information" } },\n'
        f'  "{section}": {{\n'
        f'    "Endpoint": "{api_url(s.family)}",\n'
    ]
    parts += lines_of(s.items, lambda e: (f'    "{camel(e)[0].upper() + camel(e)[1:]}": "', '"'), sep=",\n")
    return [*parts, "\n  }\n}\n"]


def toml_settings(rng: random.Random, s: Spec) -> list[Part]:
    table = rng.choice((slug(s.family).replace("-", "_"), "secrets", "api"))
    head = rng.choice(("# .streamlit/secrets.toml\n", "# config.toml\n", ""))
    parts: list[Part] = [f"{head}[{table}]\n"]
    parts += lines_of(s.items, lambda e: (f'{short_key(e)} = "', '"'))
    return [*parts, f'\n\n[app]\npage_title = "{rng.choice(("Churn dashboard", "Forecasts", "Label QA"))}"\n']


def kubectl_create_secret(rng: random.Random, s: Spec) -> list[Part]:
    name = slug(s.family) + "-credentials"
    parts: list[Part] = [f"kubectl -n {rng.choice(('ml', 'apps', 'airflow'))} create secret generic {name} \\\n"]
    parts += lines_of(s.items, lambda e: (f"  --from-literal={snake(e)}=", " \\"))
    return [*parts, "\n  --dry-run=client -o yaml | kubectl apply -f -\n"]


def spring_properties(rng: random.Random, s: Spec) -> list[Part]:
    prefix = slug(s.family).replace("-", "")
    parts: list[Part] = [f"server.port=8080\n{prefix}.base-url={api_url(s.family)}\n"]
    parts += lines_of(s.items, lambda e: (f"{prefix}.{short_key(e).replace('_', '-')}=", ""))
    return [*parts, "\nlogging.level.root=INFO\n"]


def vault_kv_put(rng: random.Random, s: Spec) -> list[Part]:
    path = f"secret/{rng.choice(('ml', 'etl', 'apps'))}/{slug(s.family)}"
    parts: list[Part] = [f"$ vault kv put {path} "]
    parts += lines_of(s.items, lambda e: (f"{short_key(e)}=", ""), sep=" ")
    return [*parts, f"\n======= Secret Path =======\n{path}\n"]


def systemd_env(rng: random.Random, s: Spec) -> list[Part]:
    unit = rng.choice(("model-server", "feature-sync", "jupyterhub"))
    parts: list[Part] = [f"[Unit]\nDescription={unit}\n\n[Service]\nUser=svc\n"]
    parts += lines_of(s.items, lambda e: (f'Environment="{e}=', '"'))
    return [*parts, f"\nExecStart=/opt/{unit}/bin/run\nRestart=on-failure\n"]


def ansible_vars(rng: random.Random, s: Spec) -> list[Part]:
    parts: list[Part] = [f"---\n# group_vars/{rng.choice(('prod', 'gpu_nodes', 'all'))}.yml\napp_user: svc\n"]
    parts += lines_of(s.items, lambda e: (f'{snake(e)}: "', '"'))
    return [*parts, "\napp_port: 8000\n"]


def env_file_sections(rng: random.Random, s: Spec) -> list[Part]:
    parts: list[Part] = [
        f"# ---- app ----\nDEBUG={rng.choice(('false', 'true'))}\nLOG_LEVEL=info\n\n# ---- {s.family} ----\n"
    ]
    parts += lines_of(s.items, lambda e: (f"{e}=", ""))
    return [*parts, "\n\n# ---- storage ----\nDATA_DIR=/mnt/data\n"]


# --- secret URLs ----------------------------------------------------------------------------------------------


def curl_post_url(rng: random.Random, s: Spec) -> list[Part]:
    if s.family == "QuickNode":
        body = '{"method":"eth_blockNumber","params":[],"id":1,"jsonrpc":"2.0"}'
    else:
        body = '{"text":"nightly eval finished: accuracy 0.912"}'
    return [f"curl -X POST -H 'Content-Type: application/json' \\\n  --data '{body}' \\\n  ", sec(s.value), "\n"]


def requests_post_url(rng: random.Random, s: Spec) -> list[Part]:
    if s.family == "QuickNode":
        return [
            'from web3 import Web3\n\nw3 = Web3(Web3.HTTPProvider("',
            sec(s.value),
            '"))\nprint(w3.eth.block_number)\n',
        ]
    return [
        'def notify(msg: str) -> None:\n    requests.post(\n        "',
        sec(s.value),
        '",\n        json={"text": msg},\n        timeout=5,\n    )\n',
    ]


# --- family-specific ------------------------------------------------------------------------------------------


def pypirc(rng: random.Random, s: Spec) -> list[Part]:
    return [
        "# ~/.pypirc\n[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = ",
        sec(s.value),
        "\n",
    ]


def poetry_config(rng: random.Random, s: Spec) -> list[Part]:
    return ["$ poetry config pypi-token.pypi ", sec(s.value), "\n$ poetry publish --build\n"]


PIP_INDEX = {
    "GitLab": ("__token__", "gitlab.com/api/v4/projects/48213377/packages/pypi/simple"),
    "JFrog": ("ci-reader", "acme.jfrog.io/artifactory/api/pypi/pypi-virtual/simple"),
    "Azure DevOps": ("build", "pkgs.dev.azure.com/acme/_packaging/ml-feed/pypi/simple/"),
    "Anaconda": ("t", "conda.anaconda.org/t/{value}/acme/simple"),
}


def pip_conf(rng: random.Random, s: Spec) -> list[Part]:
    user, path = PIP_INDEX[s.family]
    key = rng.choice(("index-url", "extra-index-url"))
    if "{value}" in path:
        before, after = path.split("{value}")
        return [f"[global]\n{key} = https://{before}", sec(s.value), f"{after}\ntimeout = 60\n"]
    return [f"# pip.conf\n[global]\n{key} = https://{user}:", sec(s.value), f"@{path}\ntimeout = 60\n"]


NPM_REGISTRY = {
    "npm": "registry.npmjs.org/",
    "GitHub": "npm.pkg.github.com/",
    "GitLab": "gitlab.com/api/v4/packages/npm/",
    "JFrog": "acme.jfrog.io/artifactory/api/npm/npm-virtual/",
}


def npmrc(rng: random.Random, s: Spec) -> list[Part]:
    reg = NPM_REGISTRY[s.family]
    scope = "" if s.family == "npm" else f"@acme:registry=https://{reg}\n"
    return [f"{scope}//{reg}:_authToken=", sec(s.value), "\nalways-auth=true\n"]


GIT_HOST = {
    "GitHub": ("x-access-token", "github.com/acme/feature-store.git"),
    "GitLab": ("oauth2", "gitlab.com/data-team/etl.git"),
    "Bitbucket": ("x-token-auth", "bitbucket.org/acme/reports.git"),
    "Azure DevOps": ("build", "dev.azure.com/acme/ml/_git/pipelines"),
    "Hugging Face": ("hf_user", "huggingface.co/spaces/acme/demo"),
}


def git_remote(rng: random.Random, s: Spec) -> list[Part]:
    user, path = GIT_HOST[s.family]
    cmd = rng.choice(("git clone", "git remote set-url origin", "git push"))
    return [f"$ {cmd} https://{user}:", sec(s.value), f"@{path}\n"]


REGISTRY = {"Docker Hub": "", "Quay": "quay.io", "GitHub": "ghcr.io", "GitLab": "registry.gitlab.com"}


def docker_login(rng: random.Random, s: Spec) -> list[Part]:
    reg = REGISTRY[s.family]
    user = "acme+ci_pusher" if s.family == "Quay" else "ci-publisher"
    if rng.random() < 0.5:
        return ["echo ", sec(s.value), f" | docker login {reg} -u {user} --password-stdin\n".replace("  ", " ")]
    return [
        f"docker login {reg} -u {user} -p ".replace("  ", " "),
        sec(s.value),
        "\nWARNING! Using --password via the CLI is insecure.\n",
    ]


def cargo_credentials(rng: random.Random, s: Spec) -> list[Part]:
    return ['# ~/.cargo/credentials.toml\n[registry]\ntoken = "', sec(s.value), '"\n']


def gem_credentials(rng: random.Random, s: Spec) -> list[Part]:
    return ["---\n:rubygems_api_key: ", sec(s.value), "\n"]


def nuget_push(rng: random.Random, s: Spec) -> list[Part]:
    return [
        "dotnet nuget push bin/Release/Acme.Features.2.1.0.nupkg --api-key ",
        sec(s.value),
        " --source https://api.nuget.org/v3/index.json\n",
    ]


def databrickscfg(rng: random.Random, s: Spec) -> list[Part]:
    host = f"https://adb-{rng.randrange(10**15, 10**16)}.{rng.randint(1, 19)}.azuredatabricks.net"
    key = "client_secret" if "oauth" in s.fmt else "token"
    pre = "client_id = " + uuid4(rng) + "\n" if key == "client_secret" else ""
    return [f"# ~/.databrickscfg\n[DEFAULT]\nhost = {host}\n{pre}{key} = ", sec(s.value), "\n"]


def edgerc(rng: random.Random, s: Spec) -> list[Part]:
    (_, token), (_, secret), (_, access) = s.items
    host = f"akab-{render('{l16}-{l16}', rng)}.luna.akamaiapis.net"
    return [
        "[default]\nclient_secret = ",
        sec(secret),
        f"\nhost = {host}\naccess_token = ",
        sec(access),
        "\nclient_token = ",
        sec(token),
        "\n",
    ]


def wireguard_conf(rng: random.Random, s: Spec) -> list[Part]:
    pub = render("{B32}", rng)
    return [
        f"[Interface]\nAddress = 10.{rng.randint(0, 9)}.0.{rng.randint(2, 200)}/32\nPrivateKey = ",
        sec(s.value),
        f"\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = {pub}\nAllowedIPs = 0.0.0.0/0\nEndpoint = vpn.internal:51820\n",
    ]


def aws_cli_configure(rng: random.Random, s: Spec) -> list[Part]:
    profile = rng.choice(("ml", "etl", "default"))
    parts: list[Part] = []
    for env, value in s.items:
        parts += [f"$ aws configure set {env.lower()} ", sec(value), f" --profile {profile}\n"]
    return parts


S3_ENDPOINT = {
    "AWS": "",
    "Cloudflare": "https://4f8a1c2e9b7d.r2.cloudflarestorage.com",
    "DigitalOcean": "https://fra1.digitaloceanspaces.com",
    "Wasabi": "https://s3.eu-central-1.wasabisys.com",
}


def boto3_client(rng: random.Random, s: Spec) -> list[Part]:
    endpoint = S3_ENDPOINT[s.family]
    ep = f'    endpoint_url="{endpoint}",\n' if endpoint else '    region_name="eu-west-1",\n'
    parts: list[Part] = ['s3 = boto3.client(\n    "s3",\n' + ep]
    names = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
    for name, (_, value) in zip(names, s.items, strict=False):
        parts += [f'    {name}="', sec(value), '",\n']
    return [*parts, ')\ns3.download_file("raw-zone", "events/2024/part-0000.parquet", "/tmp/p.parquet")\n']


def azure_conn_string(rng: random.Random, s: Spec) -> list[Part]:
    acct = rng.choice(("mldatalake01", "rawevents", "featurestoreprd"))
    if s.fmt == "azure-storage-account-key":
        pre = f"DefaultEndpointsProtocol=https;AccountName={acct};AccountKey="
        post = ";EndpointSuffix=core.windows.net"
    elif s.fmt == "azure-service-bus-key":
        ns = rng.choice(("orders-bus", "ml-events", "telemetry"))
        host = rng.choice(("servicebus.windows.net",))
        pre = f"Endpoint=sb://{ns}.{host}/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey="
        post = rng.choice(("", ";EntityPath=scores"))
    else:
        pre = f"AccountEndpoint=https://{acct}.documents.azure.com:443/;AccountKey="
        post = ";"
    style = rng.randrange(3)
    if style == 0:
        return [
            f'conn_str = "{pre}',
            sec(s.value),
            f'{post}"\nclient = BlobServiceClient.from_connection_string(conn_str)\n',
        ]
    if style == 1:
        return [
            f'{{\n  "IsEncrypted": false,\n  "Values": {{\n    "AzureWebJobsStorage": "{pre}',
            sec(s.value),
            f'{post}"\n  }}\n}}\n',
        ]
    return [f"AZURE_CONNECTION_STRING='{pre}", sec(s.value), f"{post}'\n"]


def kaggle_json(rng: random.Random, s: Spec) -> list[Part]:
    user = rng.choice(("mlteam", "kaggler0042", "data-lab"))
    return [
        '!mkdir -p ~/.kaggle\n!echo \'{"username":"' + user + '","key":"',
        sec(s.value),
        "\"}' > ~/.kaggle/kaggle.json\n!chmod 600 ~/.kaggle/kaggle.json\n",
    ]


def sentryclirc(rng: random.Random, s: Spec) -> list[Part]:
    return ["# ~/.sentryclirc\n[defaults]\norg = acme-ml\nproject = api\n\n[auth]\ntoken=", sec(s.value), "\n"]


# --- private key blocks ---------------------------------------------------------------------------------------


def indent(block: str, pad: str) -> str:
    """A block whose lines after the first are indented; the first line's indentation is literal text."""
    return ("\n" + pad).join(block.split("\n"))


def escaped(block: str) -> str:
    return block.replace("\n", "\\n")


def terminal_cat(rng: random.Random, s: Spec) -> list[Part]:
    path = rng.choice(("~/.ssh/id_ed25519", "deploy/key.pem", "secrets/signing.key", "/etc/ssl/private/api.key"))
    pre = ""
    if s.fmt == "ec-sec1" and rng.random() < 0.5:
        pre = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
    return [f"(base) $ cat {path}\n{pre}", sec(s.value), "\n(base) $ \n"]


def python_triple_quote(rng: random.Random, s: Spec) -> list[Part]:
    var = rng.choice(("PRIVATE_KEY", "private_key_pem", "SIGNING_KEY", "key_data"))
    after = rng.choice(
        (
            "\nkey = serialization.load_pem_private_key(" + var + ".encode(), password=None)\n",
            "\njwt_token = jwt.encode(claims, " + var + ', algorithm="RS256")\n',
        )
    )
    return [f'{var} = """', sec(s.value), '\n"""' + after]


def dotenv_escaped(rng: random.Random, s: Spec) -> list[Part]:
    return [f'{s.env}="', sec(escaped(s.value)), '\\n"\n']


def terraform_heredoc(rng: random.Random, s: Spec) -> list[Part]:
    name = rng.choice(("deploy_key", "signing_key", "app_key"))
    return [
        f'resource "tls_private_key_import" "{name}" {{\n  private_key_pem = <<-EOT\n    ',
        sec(indent(s.value, "    ")),
        "\n  EOT\n}\n",
    ]


def yaml_block(rng: random.Random, s: Spec) -> list[Part]:
    key = camel(s.env)
    if rng.random() < 0.5:
        return [
            f"github:\n  appId: {rng.randint(100000, 999999)}\n  {key}: |\n    ",
            sec(indent(s.value, "    ")),
            "\nwebhook:\n  enabled: true\n",
        ]
    return [
        "- name: install key\n  copy:\n    dest: /home/svc/.ssh/id_key\n    mode: '0600'\n    content: |\n      ",
        sec(indent(s.value, "      ")),
        "\n",
    ]


def chat_fence(rng: random.Random, s: Spec) -> list[Part]:
    lead = rng.choice(
        (
            "I keep getting `invalid format` when loading this key, what's wrong with it?",
            "pasting the key here so you can add it to the runner:",
            "is this the right key for the SFTP upload?",
        )
    )
    return [f"{lead}\n\n```\n", sec(s.value), "\n```\n"]


def json_escaped(rng: random.Random, s: Spec) -> list[Part]:
    if s.family == "Google Cloud":
        project = rng.choice(("ml-prod-3817", "analytics-sandbox", "vertex-training-22"))
        sa = rng.choice(("etl-runner", "vertex-pipelines", "bq-reader"))
        return [
            f'credentials_info = {{\n    "type": "service_account",\n    "project_id": "{project}",\n'
            f'    "private_key_id": "{render("{h40}", rng)}",\n    "private_key": "',
            sec(escaped(s.value)),
            f'\\n",\n    "client_email": "{sa}@{project}.iam.gserviceaccount.com",\n'
            f'    "client_id": "{rng.randrange(10**20, 10**21)}",\n    "token_uri": "https://oauth2.googleapis.com/token",\n}}\n'
            "creds = service_account.Credentials.from_service_account_info(credentials_info)\n",
        ]
    return [
        '{\n  "app_id": ' + str(rng.randint(1000, 99999)) + ',\n  "private_key": "',
        sec(escaped(s.value)),
        '\\n"\n}\n',
    ]


# --- registry of contexts ---------------------------------------------------------------------------------------

SINGLE: dict[str, Context] = {
    "curl_multiline": curl_multiline,
    "requests_call": requests_call,
    "httpx_client": httpx_client,
    "sdk_constructor": sdk_constructor,
    "js_sdk": js_sdk,
    "go_client": go_client,
    "terraform_variable_default": terraform_variable_default,
    "helm_set": helm_set,
    "shell_cell_export": shell_cell_export,
    "traceback_query": traceback_query,
    "chat_paste": chat_paste,
    "gh_secret_set": gh_secret_set,
    "powershell_env": powershell_env,
    "fish_set": fish_set,
    "http_request_dump": http_request_dump,
    "ipynb_source": ipynb_source,
    "dotnet_user_secrets": dotnet_user_secrets,
    "dockerfile_env": dockerfile_env,
    "log_json": log_json,
    "r_sys_setenv": r_sys_setenv,
}
MULTI: dict[str, Context] = {
    "terraform_tfvars": terraform_tfvars,
    "terraform_provider": terraform_provider,
    "gha_env": gha_env,
    "gitlab_ci_variables": gitlab_ci_variables,
    "docker_run": docker_run,
    "compose_env": compose_env,
    "helm_values": helm_values,
    "notebook_env_magic": notebook_env_magic,
    "jupyter_dict_output": jupyter_dict_output,
    "json_settings": json_settings,
    "toml_settings": toml_settings,
    "kubectl_create_secret": kubectl_create_secret,
    "spring_properties": spring_properties,
    "vault_kv_put": vault_kv_put,
    "systemd_env": systemd_env,
    "ansible_vars": ansible_vars,
    "env_file_sections": env_file_sections,
}
UP_TO_TWO: dict[str, Context] = {"curl_user": curl_user, "netrc": netrc}
URL: dict[str, Context] = {"curl_post_url": curl_post_url, "requests_post_url": requests_post_url}
PEM: dict[str, Context] = {
    "terminal_cat": terminal_cat,
    "python_triple_quote": python_triple_quote,
    "dotenv_escaped": dotenv_escaped,
    "terraform_heredoc": terraform_heredoc,
    "yaml_block": yaml_block,
    "chat_fence": chat_fence,
}
# Contexts only some families or formats have: (context, function, families or formats it applies to)
SPECIFIC: tuple[tuple[str, Context, frozenset[str]], ...] = (
    ("pypirc", pypirc, frozenset({"PyPI"})),
    ("poetry_config", poetry_config, frozenset({"PyPI"})),
    ("pip_conf", pip_conf, frozenset(PIP_INDEX)),
    ("npmrc", npmrc, frozenset(NPM_REGISTRY)),
    ("git_remote", git_remote, frozenset(GIT_HOST)),
    ("docker_login", docker_login, frozenset(REGISTRY)),
    ("cargo_credentials", cargo_credentials, frozenset({"Cargo"})),
    ("gem_credentials", gem_credentials, frozenset({"RubyGems"})),
    ("nuget_push", nuget_push, frozenset({"NuGet"})),
    ("databrickscfg", databrickscfg, frozenset({"Databricks"})),
    ("edgerc", edgerc, frozenset({"akamai-edgegrid"})),
    ("wireguard_conf", wireguard_conf, frozenset({"WireGuard"})),
    ("aws_cli_configure", aws_cli_configure, frozenset({"aws-access-key", "aws-session-credentials"})),
    (
        "boto3_client",
        boto3_client,
        frozenset({"aws-access-key", "aws-session-credentials", "cloudflare-r2-credentials", "do-spaces-key"})
        | frozenset({"wasabi-access-key"}),
    ),
    (
        "azure_conn_string",
        azure_conn_string,
        frozenset({"azure-storage-account-key", "azure-service-bus-key", "azure-cosmos-key"}),
    ),
    ("kaggle_json", kaggle_json, frozenset({"Kaggle"})),
    ("sentryclirc", sentryclirc, frozenset({"Sentry"})),
    ("cli_flag", cli_flag, frozenset(CLI)),
    ("json_escaped", json_escaped, frozenset({"Google Cloud", "GitHub", "Apple", "Private key"})),
)
SPECIFIC_ONLY = frozenset({"edgerc", "azure_conn_string", "wireguard_conf"})


def contexts_for(spec: Spec) -> tuple[list[tuple[str, Context]], list[tuple[str, Context]]]:
    """The contexts a credential can appear in: (those of its family or format, general ones)."""
    chosen: list[tuple[str, Context]] = []
    for name, fn, keys in SPECIFIC:
        if spec.family in keys or spec.fmt in keys:
            if name == "cli_flag" and ("{value1}" in cli_of(spec)) != (len(spec.items) > 1):
                continue
            if spec.kind == "pem" and name != "json_escaped":
                continue
            if spec.kind != "pem" and name == "json_escaped":
                continue
            if name == "cli_flag" and len(spec.items) > 1:
                fn = cli_pair
            chosen.append((name, fn))
    if any(name in SPECIFIC_ONLY for name, _ in chosen) or spec.fmt == "gcp-service-account-key":
        return chosen, []
    if spec.kind == "pem":
        return chosen, list(PEM.items())
    general = list(MULTI.items())
    if spec.kind == "url":
        return chosen + list(URL.items()), [*general, ("chat_paste", chat_paste)]
    if len(spec.items) <= 2:
        general += list(UP_TO_TWO.items())
    if len(spec.items) == 1:
        general += list(SINGLE.items())
    return chosen, general


def pick_context(rng: random.Random, spec: Spec, index: int) -> tuple[str, Context]:
    """The index-th sample of a credential: even ones take its own family's or format's contexts in turn (when
    it has some), odd ones a general context at random."""
    specific, general = contexts_for(spec)
    if specific and (not general or index % 2 == 0):
        return specific[(index // (1 if not general else 2)) % len(specific)]
    return rng.choice(general)


def cli_pair(rng: random.Random, s: Spec) -> list[Part]:
    """A CLI whose command takes a key id and its secret ({value0}, {value1})."""
    text = cli_of(s)
    a, rest = text.split("{value0}")
    b, c = rest.split("{value1}")
    return [f"$ {a}", sec(s.items[0][1]), b, sec(s.items[1][1]), f"{c}\n"]


# --- passwords ----------------------------------------------------------------------------------------------------

HOSTS = ("db.internal", "10.20.3.14", "prod-db.cluster-c8x2.eu-west-1.rds.amazonaws.com", "warehouse.corp.lan")
USERS = ("etl", "svc_reporting", "app_rw", "airflow", "readonly", "ml_feature")


def password_sample(fmt: str, rng: random.Random, index: int) -> tuple[str, list[Part]]:
    """(context, parts) of the index-th password of a kind of system; its contexts are taken in turn."""
    user = rng.choice(USERS)
    host = rng.choice(HOSTS)
    db = rng.choice(("analytics", "features", "orders", "mlflow"))
    pw = password(rng, url_safe=True)
    options = PASSWORD_CONTEXTS[fmt]
    context = options[index % len(options)]
    return context, PASSWORD_BUILDERS[context](rng, pw, user, host, db)


def _pgpass(rng, pw, user, host, db):
    return [
        "# ~/.pgpass (chmod 600)\n",
        f"{host}:5432:{db}:{user}:",
        sec(pw),
        "\n*:5432:*:readonly:",
        sec(password(rng, True)),
        "\n",
    ]


def _psql_env(rng, pw, user, host, db):
    return ["$ PGPASSWORD='", sec(pw), f"' psql -h {host} -U {user} -d {db} -c '\\dt'\n"]


def _airflow_conn(rng, pw, user, host, db):
    return [f"export AIRFLOW_CONN_{db.upper()}_DB='postgresql://{user}:", sec(pw), f"@{host}:5432/{db}'\n"]


def _dbt_profiles(rng, pw, user, host, db):
    return [
        f"{db}:\n  target: prod\n  outputs:\n    prod:\n      type: postgres\n      host: {host}\n      user: {user}\n"
        "      password: ",
        sec(pw),
        f"\n      port: 5432\n      dbname: {db}\n      schema: marts\n      threads: 4\n",
    ]


def _sql_create_user(rng, pw, user, host, db):
    if rng.random() < 0.5:
        return [
            f"CREATE ROLE {user} WITH LOGIN PASSWORD '",
            sec(pw),
            f"';\nGRANT CONNECT ON DATABASE {db} TO {user};\n",
        ]
    return [f"CREATE USER '{user}'@'%' IDENTIFIED BY '", sec(pw), f"';\nGRANT SELECT ON {db}.* TO '{user}'@'%';\n"]


def _mycnf(rng, pw, user, host, db):
    return [f"# ~/.my.cnf\n[client]\nuser={user}\npassword=", sec(pw), f"\nhost={host}\n"]


def _mysql_cli(rng, pw, user, host, db):
    return [f"$ mysql -h {host} -u {user} -p", sec(pw), f" {db} < migrations/0042.sql\n"]


def _pymysql(rng, pw, user, host, db):
    return [
        f'conn = pymysql.connect(host="{host}", user="{user}", passwd="',
        sec(pw),
        f'", db="{db}", charset="utf8mb4")\n',
    ]


def _redis_url(rng, pw, user, host, db):
    scheme = rng.choice(("redis", "rediss"))
    who = rng.choice(("", "default"))
    var = rng.choice(("REDIS_URL", "CELERY_RESULT_BACKEND", "CACHE_URL"))
    return [
        f"{var}={scheme}://{who}:",
        sec(pw),
        f"@{rng.choice(('redis', 'cache.internal'))}:6379/{rng.randint(0, 5)}\n",
    ]


def _redis_cli(rng, pw, user, host, db):
    return ["$ redis-cli -h cache.internal -p 6379 -a '", sec(pw), "' --no-auth-warning INFO keyspace\n"]


def _redis_conf(rng, pw, user, host, db):
    return ["# redis.conf\nbind 0.0.0.0\nprotected-mode yes\nrequirepass ", sec(pw), "\nmaxmemory 2gb\n"]


def _mongodb_url(rng, pw, user, host, db):
    cluster = f"cluster0.{render('{l5}', rng)}.mongodb.net"
    return [f'client = MongoClient("mongodb+srv://{user}:', sec(pw), f'@{cluster}/{db}?retryWrites=true&w=majority")\n']


def _mongosh(rng, pw, user, host, db):
    return [
        f'$ mongosh "mongodb://mongo-0.internal:27017/{db}" --username {user} --password \'',
        sec(pw),
        "' --authenticationDatabase admin\n",
    ]


def _amqp_url(rng, pw, user, host, db):
    vhost = rng.choice(("", "%2F", "ml"))
    return [f'CELERY_BROKER_URL = "amqp://{user}:', sec(pw), f'@rabbitmq:5672/{vhost}"\n']


def _rabbitmqctl(rng, pw, user, host, db):
    return [
        f"$ rabbitmqctl add_user {user} '",
        sec(pw),
        f'\'\n$ rabbitmqctl set_permissions -p / {user} ".*" ".*" ".*"\n',
    ]


def _kafka_jaas(rng, pw, user, host, db):
    key = render("{u16}", rng)
    return [
        "bootstrap.servers=pkc-4r297.europe-west1.gcp.confluent.cloud:9092\nsecurity.protocol=SASL_SSL\n"
        "sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        f'username="{key}" password="',
        sec(pw),
        '";\n',
    ]


def _kafka_dict(rng, pw, user, host, db):
    return [
        "conf = {\n    'bootstrap.servers': 'broker-1.kafka.internal:9093',\n    'security.protocol': 'SASL_SSL',\n"
        f"    'sasl.mechanisms': 'SCRAM-SHA-512',\n    'sasl.username': '{user}',\n    'sasl.password': '",
        sec(pw),
        "',\n}\nconsumer = Consumer(conf)\n",
    ]


def _ado_net(rng, pw, user, host, db):
    server = f"tcp:{rng.choice(('sql-ml-prod', 'reporting-db'))}.database.windows.net,1433"
    return [
        f'"ConnectionStrings": {{\n  "Default": "Server={server};Initial Catalog={db};User ID={user};Password=',
        sec(pw),
        ';Encrypt=True;TrustServerCertificate=False;"\n}\n',
    ]


def _sqlcmd(rng, pw, user, host, db):
    return [f"sqlcmd -S {host} -U {user} -P '", sec(pw), f'\' -d {db} -Q "SELECT COUNT(*) FROM dbo.events"\n']


def _snowflake_toml(rng, pw, user, host, db):
    acct = f"{render('{z7}', rng)}-{render('{z2}{d5}', rng)}"
    return [
        f'# ~/.snowflake/connections.toml\n[prod]\naccount = "{acct}"\nuser = "{user.upper()}"\npassword = "',
        sec(pw),
        f'"\nwarehouse = "COMPUTE_WH"\ndatabase = "{db.upper()}"\nrole = "ANALYST"\n',
    ]


def _snowflake_connect(rng, pw, user, host, db):
    return [
        f"ctx = snowflake.connector.connect(\n    user='{user.upper()}',\n    password='",
        sec(pw),
        f"',\n    account='{render('{z7}', rng)}-{render('{z2}{d5}', rng)}',\n    warehouse='ETL_WH',\n)\n",
    ]


def _django_email(rng, pw, user, host, db):
    return [
        'EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"\nEMAIL_HOST = "smtp.sendgrid.net"\n'
        'EMAIL_PORT = 587\nEMAIL_HOST_USER = "apikey"\nEMAIL_HOST_PASSWORD = "',
        sec(pw),
        '"\nEMAIL_USE_TLS = True\n',
    ]


def _msmtprc(rng, pw, user, host, db):
    return ["account alerts\nhost smtp.internal\nport 587\nauth on\ntls on\nuser alerts-bot\npassword ", sec(pw), "\n"]


def _smtplib(rng, pw, user, host, db):
    return [
        'with smtplib.SMTP("smtp.internal", 587) as server:\n    server.starttls()\n    server.login("alerts-bot", "',
        sec(pw),
        '")\n',
    ]


def _ldapsearch(rng, pw, user, host, db):
    return [
        f'$ ldapsearch -x -H ldaps://ldap.corp.lan -D "cn={user},ou=services,dc=corp,dc=lan" -w \'',
        sec(pw),
        '\' -b "dc=corp,dc=lan" "(objectClass=group)"\n',
    ]


def _ldap3(rng, pw, user, host, db):
    return [
        f'conn = Connection(server, user="cn={user},ou=services,dc=corp,dc=lan", password="',
        sec(pw),
        '", auto_bind=True)\n',
    ]


def _basic_url(rng, pw, user, host, db):
    where = rng.choice(
        (
            "prometheus.internal:9090/api/v1/query",
            "jenkins.corp.lan/job/nightly/api/json",
            "es.internal:9200/_cat/indices",
        )
    )
    return [f'resp = requests.get("https://{user}:', sec(pw), f'@{where}")\n']


def _requests_auth(rng, pw, user, host, db):
    return [f'r = requests.get(f"{{BASE}}/api/v2/reports", auth=("{user}", "', sec(pw), '"), timeout=30)\n']


def _curl_basic(rng, pw, user, host, db):
    return [f"$ curl -u {user}:", sec(pw), " https://registry.internal/v2/_catalog\n"]


def _chat_password(rng, pw, user, host, db):
    what = rng.choice(("the staging DB", "the shared jupyter server", "the VPN", "the admin panel", "the SFTP drop"))
    lead = rng.choice((f"password for {what} is ", f"login for {what}: {user} / ", f"{what} pw → "))
    return [
        f"[{rng.randint(8, 18):02d}:{rng.randint(10, 59)}] ops: {lead}",
        sec(pw),
        rng.choice(("", " (please change it)", " — same as before")) + "\n",
    ]


def _login_call(rng, pw, user, host, db):
    return [f'session = client.login(username="{user}", password="', sec(pw), '")\n']


def _netrc_password(rng, pw, user, host, db):
    return [f"machine {host}\nlogin {user}\npassword ", sec(pw), "\n"]


def _docker_pg(rng, pw, user, host, db):
    return [
        f"docker run -d --name pg -e POSTGRES_USER={user} -e POSTGRES_PASSWORD=",
        sec(pw),
        f" -e POSTGRES_DB={db} -p 5432:5432 postgres:16\n",
    ]


def _spring_datasource(rng, pw, user, host, db):
    return [
        f"spring.datasource.url=jdbc:postgresql://{host}:5432/{db}\nspring.datasource.username={user}\nspring.datasource.password=",
        sec(pw),
        "\n",
    ]


PASSWORD_BUILDERS: dict[str, Callable[..., list[Part]]] = {
    "pgpass": _pgpass,
    "psql_env": _psql_env,
    "airflow_conn_uri": _airflow_conn,
    "dbt_profiles": _dbt_profiles,
    "sql_create_user": _sql_create_user,
    "mycnf": _mycnf,
    "mysql_cli": _mysql_cli,
    "pymysql_connect": _pymysql,
    "redis_url": _redis_url,
    "redis_cli": _redis_cli,
    "redis_conf": _redis_conf,
    "mongodb_srv_url": _mongodb_url,
    "mongosh": _mongosh,
    "amqp_url": _amqp_url,
    "rabbitmqctl": _rabbitmqctl,
    "kafka_jaas": _kafka_jaas,
    "kafka_client_conf": _kafka_dict,
    "ado_net": _ado_net,
    "sqlcmd": _sqlcmd,
    "snowflake_toml": _snowflake_toml,
    "snowflake_connect": _snowflake_connect,
    "django_email": _django_email,
    "msmtprc": _msmtprc,
    "smtplib_login": _smtplib,
    "ldapsearch": _ldapsearch,
    "ldap3_bind": _ldap3,
    "basic_auth_url": _basic_url,
    "requests_auth": _requests_auth,
    "curl_basic": _curl_basic,
    "chat_password": _chat_password,
    "login_call": _login_call,
    "netrc_password": _netrc_password,
    "docker_run_db": _docker_pg,
    "spring_datasource": _spring_datasource,
}
PASSWORD_CONTEXTS: dict[str, tuple[str, ...]] = {
    "postgres-password": (
        "pgpass",
        "psql_env",
        "airflow_conn_uri",
        "dbt_profiles",
        "sql_create_user",
        "docker_run_db",
        "spring_datasource",
    ),
    "mysql-password": ("mycnf", "mysql_cli", "pymysql_connect", "sql_create_user"),
    "redis-password": ("redis_url", "redis_cli", "redis_conf"),
    "mongodb-password": ("mongodb_srv_url", "mongosh"),
    "rabbitmq-password": ("amqp_url", "rabbitmqctl"),
    "kafka-sasl-password": ("kafka_jaas", "kafka_client_conf"),
    "mssql-password": ("ado_net", "sqlcmd"),
    "snowflake-password": ("snowflake_toml", "snowflake_connect"),
    "smtp-password": ("django_email", "msmtprc", "smtplib_login"),
    "ldap-bind-password": ("ldapsearch", "ldap3_bind"),
    "http-basic-password": ("basic_auth_url", "requests_auth", "curl_basic", "netrc_password"),
    "user-password": ("chat_password", "login_call"),
}
