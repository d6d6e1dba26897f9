"""In a fresh kernel: AI routes around the layers are refused once, on record; its Python children start governed.

A raw socket and asyncio streams to a provider the policy lists, and `curl` or `!curl` naming it, are refused; a
multiprocessing spawn child, a `subprocess.run([sys.executable, script])` child and `!python script.py` calling a
denied model are refused in the child, on the kernel's evidence log with the kernel as their parent; traffic and
programs that are not AI pass.
"""

from __future__ import annotations

import json
import os
import queue
from pathlib import Path
from typing import Any

from jupyter_client.manager import start_new_kernel

from aigov_core.evidence.verify import verify_log

CHILD = """
import sys
def call(url):
    import httpx, aigov
    denied = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}
    try:
        httpx.post(url + "/v1/chat/completions", json=denied)
        return "sent"
    except aigov.PolicyViolation as refused:
        return "refused " + refused.rule
if __name__ == "__main__":
    print(call(sys.argv[1]))
"""

PROBE = r"""
import asyncio, concurrent.futures, json, multiprocessing, os, socket, subprocess, sys
import aigov
url = os.environ["PROVIDER"]
host, port = url.removeprefix("http://").split(":")
outcomes = {}

def attempt(name, route):
    try:
        outcomes[name] = route()
    except aigov.PolicyViolation as refused:
        outcomes[name] = "refused " + refused.rule
    except Exception as failed:
        outcomes[name] = "failed " + type(failed).__name__

def raw_socket():
    with socket.create_connection((host, int(port)), timeout=5):
        return "connected"

def asyncio_streams():
    async def go():
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.close()
        return "connected"
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the kernel's own loop is running
        return pool.submit(asyncio.run, go()).result()

def other_socket():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0)); server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            return "connected"

attempt("raw socket", raw_socket)
attempt("asyncio streams", asyncio_streams)
attempt("other socket", other_socket)
attempt("curl", lambda: subprocess.run(["curl", "-s", url + "/v1/models"]).returncode)
attempt("echo", lambda: subprocess.run(["echo", "-n"]).returncode)
import childwork
with multiprocessing.get_context("spawn").Pool(1) as pool:
    attempt("spawn child", lambda: pool.apply(childwork.call, (url,)))
attempt("python child", lambda: subprocess.run([sys.executable, "childwork.py", url],
                                               capture_output=True, text=True).stdout.strip())
print("OUTCOMES " + json.dumps(outcomes))
print("SESSION " + aigov.status()["session"])
from jupyter_aigov.context import kernel_id
print("KERNEL " + str(kernel_id()))
"""

# IPython's `!` runs through pexpect (fork, then exec of a shell); the kernel's venv need not be on PATH
SHELL = "import os, sys\nurl = os.environ['PROVIDER']\n!curl -s {url}/v1/models\n!{sys.executable} childwork.py {url}"


def _execute(client: Any, code: str, timeout: float = 180) -> str:
    """Run code in the kernel; its printed output (errors included, as text)."""
    msg_id = client.execute(code)
    out: list[str] = []
    while True:
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the kernel did not finish within {timeout} s: {''.join(out)}") from None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out.append(content["text"])
        elif kind == "error":
            out.append(f"ERROR {content['ename']}: {content['evalue']}\n")
        elif kind == "status" and content["execution_state"] == "idle":
            return "".join(out)


def _line(output: str, prefix: str) -> str:
    found = next((line for line in output.splitlines() if line.startswith(prefix)), None)
    assert found is not None, output
    return found[len(prefix) :]


def test_when_routes_go_around_the_layers_in_a_fresh_kernel_then_they_are_refused_and_children_are_governed(
    tmp_path: Path, provider: Any, inheriting_site: str
) -> None:
    (tmp_path / "aigov.yaml").write_text(
        "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nredaction:\n  entities: {}\n"
        f"providers:\n  - {{name: standin, base_url: '{provider.url}/v1', api: openai}}\n"
    )
    (tmp_path / "childwork.py").write_text(CHILD)
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "routes.ipynb"), "AIGOV_USER": "ada"}
    env.update(PROVIDER=provider.url, PYTHONPATH=os.pathsep.join([str(tmp_path), inheriting_site]))
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE", "AIGOV_INHERIT"):
        env.pop(name, None)
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        loaded = _execute(client, "%load_ext aigov")
        output = _execute(client, PROBE)
        shell = _execute(client, SHELL)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    outcomes = json.loads(_line(output, "OUTCOMES "))
    assert outcomes == {
        "raw socket": "refused routes.ungoverned",
        "asyncio streams": "refused routes.ungoverned",
        "other socket": "connected",
        "curl": "refused routes.ungoverned",
        "echo": 0,
        "spawn child": "refused models.allow",
        "python child": "refused models.allow",
    }, loaded + output
    assert provider.received == []
    log = tmp_path / ".aigov" / "evidence" / "routes.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines()]
    calls = [r for r in records if r["event"] == "ai.call"]
    routes = sorted(r["route"] for r in calls if r["rules"] == ["routes.ungoverned"])
    # one record per refusal; `!curl` runs through pexpect, which forks and execs: the forked child is stopped
    assert routes == ["os.exec", "socket.connect", "socket.connect", "subprocess.Popen"]
    assert "it was not started. [rule routes.ungoverned]" in shell and shell.rstrip().endswith("refused models.allow")
    children = [r for r in calls if r["rules"] == ["models.allow"]]
    session, kernel = _line(output, "SESSION "), _line(output, "KERNEL ")
    assert len(children) == 3 and all(r["parent"]["session"] == session for r in children)
    assert all(r["parent"]["kernel"] == kernel and r["user"] == "ada" for r in children)
    assert verify_log(log).ok
