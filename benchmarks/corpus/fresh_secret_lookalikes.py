"""Look-alikes of the fresh secrets corpus: random-looking or key-shaped text that is not a secret.

Identifiers, digests, public keys, references to where a secret is kept, placeholders and masked keys, public
(publishable) keys and ids, base64 of ordinary data. None is labelled: a detector that flags them is wrong.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable

from fresh_secret_values import (
    CHARSETS,
    b64,
    b64url,
    compact,
    der,
    der_int,
    pick,
    rand_bytes,
    render,
    seq,
    ssh_string,
    uuid4,
    wrap,
)

OID_RSA = bytes.fromhex("06092a864886f70d010101")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
B32_LOWER = "abcdefghijklmnopqrstuvwxyz234567"


def h(rng: random.Random, n: int) -> str:
    return pick(rng, CHARSETS["h"], n)


def account(rng: random.Random) -> str:
    return str(rng.randrange(10**11, 10**12))


def region(rng: random.Random) -> str:
    return rng.choice(("eu-west-1", "us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2"))


def uuid_text(rng: random.Random) -> str:
    u = uuid4(rng)
    return rng.choice(
        (
            f'AZURE_TENANT_ID="{u}"\nAZURE_SUBSCRIPTION_ID="{uuid4(rng)}"\n',
            f"INFO  job {u} finished in {rng.randint(2, 900)}s (rows={rng.randint(10, 10**6)})\n",
            f'experiment = client.get_experiment("{u}")\n',
            f"workspace_id: {u}\nregion: {region(rng)}\n",
            f'{{"correlationId": "{u}", "status": "Succeeded"}}\n',
            f"dataset_version_id = '{u}'  # pinned for reproducibility\n",
        )
    )


def git_sha(rng: random.Random) -> str:
    full = h(rng, 40)
    msgs = ("fix tokenizer padding", "add eval notebook", "bump pandas", "refactor loaders", "wip: features")
    style = rng.randrange(4)
    if style == 0:
        return "".join(f"{h(rng, 7)} {rng.choice(msgs)}\n" for _ in range(rng.randint(2, 5)))
    if style == 1:
        return f"pip install git+https://github.com/acme/featurekit.git@{full}\n"
    if style == 2:
        return (
            f"repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n"
            f"    rev: {full}\n    hooks:\n      - id: ruff\n"
        )
    return f"HEAD is now at {full[:7]} {rng.choice(msgs)}\ncommit {full}\n"


def lockfile_hash(rng: random.Random) -> str:
    pkg = rng.choice(("numpy", "pandas", "scikit_learn", "pyarrow", "torch", "polars"))
    ver = f"{rng.randint(0, 3)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    style = rng.randrange(4)
    if style == 0:
        files = "".join(
            f'    {{file = "{pkg}-{ver}-cp311-cp311-{tag}.whl", hash = "sha256:{h(rng, 64)}"}},\n'
            for tag in ("macosx_11_0_arm64", "manylinux_2_17_x86_64")
        )
        return f'[[package]]\nname = "{pkg}"\nversion = "{ver}"\nfiles = [\n{files}]\n'
    if style == 1:
        return (
            f'[[package]]\nname = "{pkg}"\nversion = "{ver}"\nsource = {{ registry = "https://pypi.org/simple" }}\n'
            f'sdist = {{ url = "https://files.pythonhosted.org/packages/{h(rng, 2)}/{h(rng, 2)}/{h(rng, 60)}/'
            f'{pkg}-{ver}.tar.gz",'
            f' hash = "sha256:{h(rng, 64)}", size = {rng.randint(10**5, 10**7)} }}\n'
        )
    if style == 2:
        crate = rng.choice(("serde", "tokio", "arrow", "regex"))
        return (
            f'[[package]]\nname = "{crate}"\nversion = "{ver}"\n'
            f'source = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{h(rng, 64)}"\n'
        )
    return (
        f'"{pkg}": {{\n    "hashes": [\n        "sha256:{h(rng, 64)}",\n'
        f'        "sha256:{h(rng, 64)}"\n    ],\n    "version": "=={ver}"\n}}\n'
    )


def docker_digest(rng: random.Random) -> str:
    d = h(rng, 64)
    style = rng.randrange(3)
    if style == 0:
        return f"FROM python:3.12-slim@sha256:{d}\nRUN pip install --no-cache-dir uv\n"
    if style == 1:
        return (
            f"3.12-slim: Pulling from library/python\nDigest: sha256:{d}\n"
            f"Status: Downloaded newer image for python:3.12-slim\n"
        )
    return f"      containers:\n        - name: api\n          image: ghcr.io/acme/api@sha256:{d}\n"


MODEL_IDS = (
    "claude-sonnet-4-5-20250929",
    "claude-opus-4-1-20250805",
    "claude-3-5-haiku-20241022",
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "o3-mini-2025-01-31",
    "gemini-2.5-pro",
    "gemini-1.5-flash-002",
    "mistral-large-2411",
    "meta-llama/Llama-3.1-8B-Instruct",
    "sentence-transformers/all-MiniLM-L6-v2",
    "BAAI/bge-large-en-v1.5",
    "Qwen/Qwen2.5-7B-Instruct",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "text-embedding-3-large",
    "openai/whisper-large-v3",
)


def model_id(rng: random.Random) -> str:
    m = rng.choice(MODEL_IDS)
    if rng.random() < 0.25:
        m = f"ft:gpt-4o-mini-2024-07-18:acme-ml::{pick(rng, CHARSETS['a'], 8)}"
    return rng.choice(
        (
            f'resp = client.chat.completions.create(model="{m}", messages=msgs, temperature=0)\n',
            f"model:\n  name: {m}\n  max_tokens: {rng.choice((512, 1024, 4096))}\n",
            f"[eval] model={m} accuracy={rng.random():.3f} n={rng.randint(100, 5000)}\n",
            f'tokenizer = AutoTokenizer.from_pretrained("{m}")\n',
        )
    )


def arn(rng: random.Random) -> str:
    a, r = account(rng), region(rng)
    value = rng.choice(
        (
            f"arn:aws:iam::{a}:role/SageMakerExecutionRole",
            f"arn:aws:secretsmanager:{r}:{a}:secret:prod/warehouse/etl-{pick(rng, CHARSETS['a'], 6)}",
            f"arn:aws:kms:{r}:{a}:key/{uuid4(rng)}",
            f"arn:aws:s3:::acme-ml-artifacts-{a}/*",
            f"arn:aws:lambda:{r}:{a}:function:score-batch",
            f"arn:aws:sagemaker:{r}:{a}:endpoint/churn-xgb-{h(rng, 8)}",
        )
    )
    return rng.choice(
        (
            f'role = "{value}"\n',
            f'        "Resource": "{value}"\n',
            f"export SECRET_ARN={value}\n",
            f"  --role-arn {value} \\\n",
        )
    )


def ssh_public_key(rng: random.Random) -> str:
    if rng.random() < 0.6:
        blob = ssh_string(b"ssh-ed25519") + ssh_string(rand_bytes(rng, 32))
        key = "ssh-ed25519 " + b64(blob)
    else:
        blob = ssh_string(b"ssh-rsa") + ssh_string(b"\x01\x00\x01") + ssh_string(b"\0" + rand_bytes(rng, 256))
        key = "ssh-rsa " + b64(blob)
    comment = rng.choice(("ci@build-01", "jupyter-hub", "deploy-key", "laptop-2024"))
    return rng.choice(
        (
            f"# ~/.ssh/authorized_keys\n{key} {comment}\n",
            f"github.com {key}\n",
            f'resource "aws_key_pair" "deployer" {{\n  key_name   = "deployer"\n  public_key = "{key} {comment}"\n}}\n',
        )
    )


def pem_public(rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        spki = seq(
            seq(OID_RSA, b"\x05\x00"), der(0x03, b"\0" + seq(der_int(rng, 256), der_int(rng, 3, b"\x01\x00\x01")))
        )
        body = "\n".join(wrap(b64(spki), 64))
        return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n"
    if style == 1:
        body = "\n".join(wrap(b64(b"\x30\x82\x03" + bytes([rng.randrange(0x20, 0xF0)]) + rand_bytes(rng, 800)), 64))
        return f"ca_bundle = '''\n-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n'''\n"
    n = b64url(b"\xc1" + rand_bytes(rng, 255))
    return (
        f'{{"keys": [{{"kty": "RSA", "use": "sig", "kid": "{h(rng, 16)}", "alg": "RS256", '
        f'"n": "{n}", "e": "AQAB"}}]}}\n'
    )


def env_reference(rng: random.Random) -> str:
    var = rng.choice(
        ("OPENAI_API_KEY", "HF_TOKEN", "DATABRICKS_TOKEN", "STRIPE_SECRET_KEY", "SLACK_BOT_TOKEN", "DB_PASSWORD")
    )
    return rng.choice(
        (
            f'api_key = os.environ["{var}"]\n',
            f"token = os.getenv('{var}')\n",
            f"    env:\n      {var}: ${{{{ secrets.{var} }}}}\n",
            f"{var}=${{{var}}}\n",
            f'from google.colab import userdata\nkey = userdata.get("{var}")\n',
            f'token = dbutils.secrets.get(scope="ml", key="{var.lower()}")\n',
            f"        - name: {var}\n          valueFrom:\n"
            f"            secretKeyRef:\n              name: app-secrets\n              key: {var.lower()}\n",
            f"export {var}=$(vault kv get -field=value secret/ml/{var.lower()})\n",
            f"{var}: {{{{ .Values.secrets.{var.lower()} | quote }}}}\n",
            f'api_key = Variable.get("{var.lower()}")\n',
            f"{var}=op://ml-team/{var.lower()}/credential\n",
        )
    )


PLACEHOLDERS = (
    "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "<YOUR_TOKEN>",
    "<your-api-key>",
    "changeme",
    "***",
    "REPLACE_ME",
    "your-api-key-here",
    "sk-...",
    "xoxb-your-bot-token",
    "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "hf_xxx",
    "TODO",
    "dummy-token-for-tests",
    "<paste key here>",
    "sk-ant-api03-...",
    "0000000000000000000000000000000000000000",
    "${API_KEY}",
    "[REDACTED]",
    "xxxx-xxxx-xxxx-xxxx",
    "AKIAXXXXXXXXXXXXXXXX",
)


def placeholder(rng: random.Random) -> str:
    p = rng.choice(PLACEHOLDERS)
    var = rng.choice(("OPENAI_API_KEY", "API_TOKEN", "SECRET_KEY", "GITHUB_TOKEN", "password"))
    return rng.choice(
        (
            f"{var}={p}\n",
            f'# Replace with your own key\nclient = OpenAI(api_key="{p}")\n',
            f"| `{var}` | `{p}` | required |\n",
            f'  {var.lower()}: "{p}"  # set in CI\n',
            f'{{"{var.lower()}": "{p}"}}\n',
        )
    )


def masked_secret(rng: random.Random) -> str:
    tail = pick(rng, CHARSETS["a"], 4)
    masked = rng.choice(
        (
            f"sk-proj-...{tail}",
            f"sk-ant-api03-{'*' * 12}{tail}",
            f"ghp_{'*' * 32}{tail}",
            f"{'•' * 16}{tail}",
            f"AKIA************{pick(rng, CHARSETS['u'], 4)}",
            f"xoxb-****-****-{tail}",
            "********",
        )
    )
    return rng.choice(
        (
            f"Key {masked} created 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}, last used 3 days ago\n",
            f"INFO using api key {masked} for project ml-prod\n",
            f"api_key: {masked}  (hidden)\n",
            f"| default | {masked} | active |\n",
        )
    )


SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "quarterly revenue report, region breakdown attached",
    '{"feature": "age", "bins": [0, 18, 35, 65, 120]}',
    "hello world from the data team",
    "id,name,score\n1,alpha,0.92\n2,beta,0.87\n",
    "Please find the evaluation summary below.",
)


def base64_text(rng: random.Random) -> str:
    text = rng.choice(SENTENCES).encode()
    enc = base64.b64encode(text).decode()
    return rng.choice(
        (
            f"$ echo '{enc}' | base64 -d\n{text.decode()}\n",
            f'<a href="data:text/plain;base64,{enc}" download="notes.txt">notes</a>\n',
            f'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64\n\n{enc}\n',
            f'payload = base64.b64decode("{enc}")\n',
        )
    )


def image_base64(rng: random.Random) -> str:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rand_bytes(rng, 8) + b"\x08\x06\x00\x00\x00" + rand_bytes(rng, 300)
    data = b64(png)
    return (
        '   "outputs": [\n    {\n     "data": {\n      "image/png": "'
        + data
        + '",\n      "text/plain": [\n       "<Figure size 640x480 with 1 Axes>"\n      ]\n     },\n'
        '     "metadata": {},\n     "output_type": "display_data"\n    }\n   ],\n'
    )


def request_id(rng: random.Random) -> str:
    return rng.choice(
        (
            f"x-request-id: {uuid4(rng)}\n",
            f"anthropic.RateLimitError: Error code: 429 - "
            f"{{'type': 'error', 'request_id': 'req_011C{pick(rng, CHARSETS['a'], 20)}'}}\n",
            f"ChatCompletion(id='chatcmpl-{pick(rng, CHARSETS['a'], 29)}', object='chat.completion', "
            f"created={rng.randrange(1_700_000_000, 1_760_000_000)})\n",
            f"Message(id='msg_01{pick(rng, CHARSETS['a'], 22)}', type='message', role='assistant')\n",
            f"cf-ray: {h(rng, 16)}-{rng.choice(('FRA', 'AMS', 'IAD', 'SJC'))}\n",
            f"x-amzn-RequestId: {uuid4(rng)}\nx-amz-id-2: {b64(rand_bytes(rng, 56))}\n",
        )
    )


def cell_id(rng: random.Random) -> str:
    style = rng.randrange(3)
    if style == 0:
        cid = h(rng, 8)
    elif style == 1:
        cid = uuid4(rng)
    else:
        cid = pick(rng, CHARSETS["a"], 12)
    n = rng.randint(1, 60)
    if style == 2:
        return (
            f'  {{\n   "cell_type": "code",\n   "metadata": {{\n    "id": "{cid}"\n   }},\n   "execution_count": {n},\n'
        )
    return (
        f'  {{\n   "cell_type": "markdown",\n   "id": "{cid}",\n'
        f'   "metadata": {{}},\n   "source": ["## Results"]\n  }},\n'
    )


def hex_colour(rng: random.Random) -> str:
    cols = [f"#{pick(rng, CHARSETS['h'], 6)}" for _ in range(rng.randint(3, 6))]
    return rng.choice(
        (
            f"palette = {cols!r}\nsns.set_palette(palette)\n",
            ":root {\n" + "".join(f"  --c{i}: {c};\n" for i, c in enumerate(cols)) + "}\n",
            f"colors: [{', '.join(cols)}]\n",
        )
    )


def semver(rng: random.Random) -> str:
    def v() -> str:
        return f"{rng.randint(0, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"

    return rng.choice(
        (
            f"pandas=={v()}\nnumpy=={v()}\ntorch=={v()}+cu121\nscikit-learn=={v()}\n",
            f'__version__ = "{v()}rc{rng.randint(1, 3)}"\n',
            f'  "dependencies": {{\n    "react": "^{v()}",\n    "zod": "~{v()}"\n  }}\n',
            f"## [{v()}] - 2025-0{rng.randint(1, 9)}-{rng.randint(10, 28)}\n### Fixed\n- tokenizer cache\n",
        )
    )


def s3_key(rng: random.Random) -> str:
    u = uuid4(rng)
    return rng.choice(
        (
            f"s3://acme-lake/raw/events/dt=2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}/"
            f"part-00000-{u}-c000.snappy.parquet\n",
            f"gs://ml-artifacts/models/{h(rng, 32)}/artifacts/model.pkl\n",
            f"abfss://curated@lake.dfs.core.windows.net/tables/orders/_delta_log/{rng.randint(0, 999):020d}.json\n",
            f"upload: ./report.html to s3://acme-reports/{h(rng, 12)}/{u}.html\n",
        )
    )


def dataset_checksum(rng: random.Random) -> str:
    name = rng.choice(("train.csv", "images.tar.gz", "vocab.txt", "test.parquet"))
    return rng.choice(
        (
            f"{h(rng, 64)}  data/{name}\n",
            f"outs:\n- md5: {h(rng, 32)}\n  size: {rng.randint(10**4, 10**9)}\n  path: {name}\n",
            f'    url = "https://example.org/datasets/{name}"\n    md5 = "{h(rng, 32)}"\n',
            f"Checksum (SHA-256) of {name}: {h(rng, 64).upper()}\n",
        )
    )


def publishable_key(rng: random.Random) -> str:
    style = rng.randrange(5)
    if style == 0:
        key = f"pk_{rng.choice(('live', 'test'))}_51{pick(rng, CHARSETS['a'], 97)}"
        return f"const stripe = Stripe('{key}');\n"
    if style == 1:
        obj = {"u": rng.choice(("geo-team", "maps-ci")), "a": render("cl{l23}", rng)}
        return f"mapboxgl.accessToken = 'pk.{b64url(compact(obj))}.{render('{w22}', rng)}';\n"
    if style == 2:
        return f"posthog.init('phc_{pick(rng, CHARSETS['a'], 43)}', {{ api_host: 'https://eu.i.posthog.com' }})\n"
    if style == 3:
        domain = rng.choice(("clerk.acme.dev", "accounts.example.app"))
        return f"NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY=pk_live_{b64((domain + '$').encode()).rstrip('=')}\n"
    return f'LANGFUSE_PUBLIC_KEY="pk-lf-{uuid4(rng)}"\n'


def analytics_id(rng: random.Random) -> str:
    ga = "G-" + pick(rng, CHARSETS["u"], 10)
    return rng.choice(
        (
            f'<script async src="https://www.googletagmanager.com/gtag/js?id={ga}"></script>\n'
            f"<script>gtag('config', '{ga}');</script>\n",
            f"GTM-{pick(rng, CHARSETS['u'], 7)}\n",
            f"ga('create', 'UA-{rng.randrange(10**7, 10**8)}-{rng.randint(1, 9)}', 'auto');\n",
            f"fbq('init', '{rng.randrange(10**15, 10**16)}');\n",
            f"NEXT_PUBLIC_GA_ID={ga}\n",
        )
    )


def base32_id(rng: random.Random) -> str:
    cid = "bafybei" + pick(rng, B32_LOWER, 52)
    onion = pick(rng, B32_LOWER, 55) + "d"
    return rng.choice(
        (
            f"ipfs://{cid}/metadata.json\n",
            f"$ ipfs add model.onnx\nadded {cid} model.onnx\n",
            f"mirror: http://{onion}.onion/datasets/\n",
        )
    )


def ulid(rng: random.Random) -> str:
    ids = ["01J" + pick(rng, CROCKFORD, 23) for _ in range(3)]
    return rng.choice(
        (
            f"run_id={ids[0]} status=queued\nrun_id={ids[1]} status=running\n",
            f'{{"id": "{ids[0]}", "parent": "{ids[1]}"}}\n',
            f"Created deployment {ids[2]}\n",
        )
    )


def k8s_uid(rng: random.Random) -> str:
    pod_hash = pick(rng, "bcdfghjklmnpqrstvwxz2456789", 10)
    suffix = pick(rng, "bcdfghjklmnpqrstvwxz2456789", 5)
    return rng.choice(
        (
            f"metadata:\n  name: api-{pod_hash}-{suffix}\n  namespace: ml\n  uid: {uuid4(rng)}\n"
            f'  resourceVersion: "{rng.randint(10**5, 10**8)}"\n  labels:\n    pod-template-hash: {pod_hash}\n',
            f"NAME                       READY   STATUS    RESTARTS   AGE\n"
            f"api-{pod_hash}-{suffix}   1/1     Running   0          3h\n",
        )
    )


def mongo_objectid(rng: random.Random) -> str:
    oid = f"{rng.randrange(0x60000000, 0x68000000):08x}{h(rng, 16)}"
    return rng.choice(
        (
            f'db.orders.find({{"_id": ObjectId("{oid}")}})\n',
            f'{{"_id": {{"$oid": "{oid}"}}, "status": "shipped"}}\n',
            f"updated document {oid}\n",
        )
    )


def api_object_id(rng: random.Random) -> str:
    a = CHARSETS["a"]
    return rng.choice(
        (
            f"customer = stripe.Customer.retrieve('cus_{pick(rng, a, 14)}')\n",
            f"PaymentIntent pi_{pick(rng, a, 24)} succeeded\n",
            f"file = client.files.retrieve('file-{pick(rng, a, 22)}')\n",
            f"thread_{pick(rng, a, 24)} run_{pick(rng, a, 24)} completed\n",
            f"batch = client.batches.retrieve('batch_{h(rng, 32)}')\n",
            f"vector_store_id='vs_{pick(rng, a, 24)}'\n",
            f"msgbatch_01{pick(rng, a, 22)} ended: 4,812 succeeded\n",
        )
    )


def trace_id(rng: random.Random) -> str:
    return rng.choice(
        (
            f"traceparent: 00-{h(rng, 32)}-{h(rng, 16)}-01\n",
            f"2025-03-02 11:04:55 INFO [trace_id={h(rng, 32)} span_id={h(rng, 16)}] scored batch\n",
            f"dd.trace_id={rng.randrange(10**18, 10**19)} dd.span_id={rng.randrange(10**18, 10**19)}\n",
        )
    )


def content_hash_filename(rng: random.Random) -> str:
    return rng.choice(
        (
            f'<script src="/static/js/main.{h(rng, 8)}.js"></script>\n',
            f'Downloading: "https://download.pytorch.org/models/resnet50-{h(rng, 8)}.pth" to '
            f"/root/.cache/torch/hub/checkpoints/resnet50-{h(rng, 8)}.pth\n",
            f"~/.cache/huggingface/hub/models--bert-base-uncased/snapshots/{h(rng, 40)}/config.json\n",
            f"wheels/{h(rng, 2)}/{h(rng, 2)}/{h(rng, 60)}/pyarrow-17.0.0-cp311-cp311-manylinux_2_28_x86_64.whl\n",
        )
    )


def lfs_pointer(rng: random.Random) -> str:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{h(rng, 64)}\nsize {rng.randint(10**4, 10**10)}\n"


def key_fingerprint(rng: random.Random) -> str:
    return rng.choice(
        (
            f"256 SHA256:{b64(rand_bytes(rng, 32)).rstrip('=')} deploy@ci (ED25519)\n",
            f"pub   ed25519 2024-05-01 [SC]\n"
            f"      {pick(rng, CHARSETS['H'], 40)}\nuid           [ultimate] release signing\n",
            "SHA256 Fingerprint=" + ":".join(pick(rng, CHARSETS["H"], 2) for _ in range(32)) + "\n",
        )
    )


LOOKALIKES: dict[str, Callable[[random.Random], str]] = {
    "uuid": uuid_text,
    "git_sha": git_sha,
    "lockfile_hash": lockfile_hash,
    "docker_digest": docker_digest,
    "model_id": model_id,
    "arn": arn,
    "ssh_public_key": ssh_public_key,
    "pem_public": pem_public,
    "env_reference": env_reference,
    "placeholder": placeholder,
    "masked_secret": masked_secret,
    "base64_text": base64_text,
    "image_base64": image_base64,
    "request_id": request_id,
    "cell_id": cell_id,
    "hex_colour": hex_colour,
    "semver": semver,
    "s3_key": s3_key,
    "dataset_checksum": dataset_checksum,
    "publishable_key": publishable_key,
    "analytics_id": analytics_id,
    "base32_id": base32_id,
    "ulid": ulid,
    "k8s_uid": k8s_uid,
    "mongo_objectid": mongo_objectid,
    "api_object_id": api_object_id,
    "trace_id": trace_id,
    "content_hash_filename": content_hash_filename,
    "lfs_pointer": lfs_pointer,
    "key_fingerprint": key_fingerprint,
}
