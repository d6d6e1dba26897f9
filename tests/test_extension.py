"""`%load_ext aigov` in a real kernel, driven through nbclient: magics, refusals shown short, exact unload."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

POLICY = "version: 1\nmodels:\n  allow: ['gpt-4o-mini']\nuse_cases:\n  churn:\n    users: ['*']\n"


def _run(tmp_path: Path, provider, *sources: str, policy: str = POLICY) -> list:
    notebook = new_notebook(cells=[new_code_cell(s) for s in sources])
    for cell in notebook.cells:
        cell.metadata["tags"] = ["raises-exception"]  # keep going: the test reads every cell's outputs
    (tmp_path / "aigov.yaml").write_text(policy)
    env = {
        **os.environ,
        "JPY_SESSION_NAME": str(tmp_path / "kernel-test.ipynb"),
        "AIGOV_USER": "ada",
        "PROVIDER": provider.openai_base_url,
    }
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE"):
        env.pop(name, None)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    return notebook.cells


def _text(cell) -> str:
    return "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in cell.outputs)


CALL = """
import os, openai
client = openai.OpenAI(base_url=os.environ["PROVIDER"], api_key="x")
def ask(model):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
"""


def test_when_a_notebook_loads_aigov_then_calls_are_governed_and_shown_briefly(tmp_path, provider):
    cells = _run(
        tmp_path,
        provider,
        CALL,
        "%load_ext aigov\n%load_ext aigov",  # twice: harmless
        "print(ask('gpt-4o-mini').choices[0].message.content)",
        "import json, aigov\nlog = aigov.status()['evidence_log']\n"
        "print([json.loads(line)['event'] for line in open(log)][-2:])",
        "ask('gpt-4o')",
        "%aigov status",
        "%aigov use-case churn",
        "%aigov log",
        "import aigov; frame = aigov.decisions(); print(frame[['model', 'decision', 'use_case']].to_dict('records'))",
        "%aigov policy",
        "import httpx2; before = httpx2.Client.__dict__['_send_single_request']\n%unload_ext aigov\n"
        "print(httpx2.Client.__dict__['_send_single_request'] is getattr(before, '__aigov_original__'))",
        "print(ask('gpt-4o').choices[0].message.content)",
    )
    assert "Hello from the stand-in" in _text(cells[2])
    # the call's usage record was queued, and written with its cell's end: on disk before the next cell
    assert _text(cells[3]).strip() == "['ai.call', 'ai.response']"
    del cells[3]
    (error,) = [o for o in cells[3].outputs if o.output_type == "error"]
    assert error.ename == "PolicyViolation"
    assert len(error.traceback) <= 3  # what and why, how to proceed, where recorded: no 60-line traceback
    assert "models.allow" in error.traceback[0] and "To proceed" in error.traceback[1]
    status = _text(cells[4])
    assert "1 allowed, 0 redacted, 1 blocked" in status and "kernel-test.ipynb" in status
    assert "answers:     left as they are (redaction.responses: allow)" in status
    assert "Use case set to 'churn'" in _text(cells[5])
    assert "block" in _text(cells[6]) and "gpt-4o" in _text(cells[6])
    assert "'decision': 'block'" in _text(cells[7])
    assert json.loads(_text(cells[8]).split("\n", 1)[1])["models"]["allow"] == ["gpt-4o-mini"]
    assert _text(cells[9]).strip() == "True"  # unloading put back the very function that was there
    assert "Hello from the stand-in" in _text(cells[10])  # no longer governed
    log = tmp_path / ".aigov" / "evidence" / "kernel-test.jsonl"
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert events.count("extension.load") == 1 and events[-1] == "extension.unload"
    assert events.count("ai.call") == 2


def test_when_the_executed_notebook_is_saved_then_the_refusal_renders_in_its_outputs(tmp_path, provider):
    cells = _run(tmp_path, provider, CALL, "%load_ext aigov", "ask('o3')")
    path = tmp_path / "out.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    saved = nbformat.read(path, as_version=4)
    (error,) = saved.cells[2].outputs
    assert error.evalue.startswith("Model 'o3' is not in the allowed models")


def test_when_the_policy_is_bad_then_load_ext_says_why_in_one_message_and_nothing_is_governed(tmp_path, provider):
    cells = _run(
        tmp_path,
        provider,
        CALL,
        "%load_ext aigov",
        "print(ask('gpt-4o').choices[0].message.content)",
        policy="version: 1\nmodels:\n  alow: ['gpt-4o-mini']\n",
    )
    # IPython shows a magic's UsageError as one message, no traceback; the cell still fails
    (message,) = [o.text for o in cells[1].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert message.startswith("UsageError: \x1b[31maigov did not load: nothing is governed.")  # in red
    assert "aigov.yaml:3: models.alow: unknown key" in message
    assert "run `%load_ext aigov` again" in message
    assert "Traceback" not in message
    assert "Hello from the stand-in" in _text(cells[2])  # not enabled: nothing pretends to govern


def test_when_another_extension_handles_its_own_exceptions_then_aigov_keeps_its_handler_working(tmp_path, monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("AIGOV_EVIDENCE_DIR", str(tmp_path))
    monkeypatch.setenv("AIGOV_NOTEBOOK", str(tmp_path / "x.ipynb"))
    shell = InteractiveShell.instance()
    handled: list[str] = []

    class TheirError(Exception):
        pass

    def their_handler(self, etype, value, tb, tb_offset=None):
        handled.append(str(value))
        return ["handled by them"]

    shell.set_custom_exc((TheirError,), their_handler)
    shell.user_ns["TheirError"] = TheirError
    try:
        shell.run_line_magic("load_ext", "aigov")
        shell.run_cell("raise TheirError('theirs')")
        assert handled == ["theirs"]
        shell.run_line_magic("unload_ext", "aigov")
        shell.run_cell("raise TheirError('still theirs')")
        assert handled == ["theirs", "still theirs"]
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_when_aigov_loads_then_one_line_says_policy_origin_clients_and_detection(tmp_path, provider):
    cells = _run(tmp_path, provider, "import httpx", "%load_ext aigov", "%aigov help", "%aigov frobnicate")
    (line,) = [o.text for o in cells[1].outputs if o.output_type == "stream" and o.name == "stdout"]
    assert len(line.strip().splitlines()) == 1
    assert f"policy: {tmp_path / 'aigov.yaml'} (found from the notebook's folder up)" in line
    assert "clients: httpx, http.client (urllib.request)" in line  # the standard library's is always imported
    assert "(and httpx2, requests" in line and "openai, anthropic, google-genai when imported)" in line
    assert "detection: loading" in line or "detection: ready" in line
    assert not [o for o in cells[1].outputs if o.output_type == "stream" and o.name == "stderr"]  # nothing failed
    helped = _text(cells[2])
    for magic in ("status", "policy", "log", "use-case", "export", "push", "help"):
        assert f"%aigov {magic}" in helped
    (unknown,) = [o.text for o in cells[3].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert unknown.startswith("UsageError: Unknown %aigov command 'frobnicate'. usage: %aigov status")
    assert "Traceback" not in unknown and not [o for o in cells[3].outputs if o.output_type == "error"]


def test_when_the_evidence_cannot_be_written_then_load_says_so_in_red_with_what_to_do(tmp_path, provider):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the evidence folder should be")
    cells = _run(
        tmp_path,
        provider,
        f"import os; os.environ['AIGOV_EVIDENCE_DIR'] = {str(blocked / 'evidence')!r}",
        "%load_ext aigov",
    )
    (warning,) = [o.text for o in cells[1].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert warning.startswith("\x1b[31maigov: ") and "every AI call is refused until it can" in warning
    assert "AIGOV_EVIDENCE_DIR" in warning  # what to do


RELOAD_UNDER_LOAD = """
import json, os, threading, httpx, aigov
outcomes = []
stop, calling = threading.Event(), threading.Event()
def agent():
    with httpx.Client() as client:
        while not stop.is_set():
            try:
                client.post(os.environ["PROVIDER"] + "/chat/completions",
                            json={"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]})
                outcomes.append("sent")
            except aigov.PolicyViolation as refused:
                outcomes.append(refused.rule)
            calling.set()
worker = threading.Thread(target=agent)
worker.start()
assert calling.wait(60)  # the reloads begin while the thread is calling
"""


def test_when_aigov_reloads_while_a_thread_calls_then_no_call_goes_out_in_between(tmp_path, provider):
    cells = _run(
        tmp_path,
        provider,
        "%load_ext aigov",
        RELOAD_UNDER_LOAD,
        "\n".join(["%reload_ext aigov"] * 5),
        "stop.set(); worker.join()\nprint(json.dumps(sorted(set(outcomes))), len(outcomes))",
    )
    kinds, count = _text(cells[3]).split()[0], int(_text(cells[3]).split()[1])
    assert json.loads(kinds) == ["models.allow"] and count > 0
    assert provider.received == []  # not one call in the gaps between unload and load
    records = [json.loads(line) for line in (tmp_path / ".aigov" / "evidence" / "kernel-test.jsonl").open()]
    assert sum(r["event"] == "ai.call" for r in records) == count  # one record per refusal
    assert sum(r["event"] == "extension.load" for r in records) == 6


def test_when_a_reload_finds_a_bad_policy_then_the_policy_in_force_stays(tmp_path, provider):
    cells = _run(
        tmp_path,
        provider,
        CALL,
        "%load_ext aigov",
        "open('aigov.yaml', 'w').write('version: 1\\nmodels:\\n  alow: []\\n')\n%reload_ext aigov",
        "ask('gpt-4o')",
        "%aigov status",
    )
    (message,) = [o.text for o in cells[2].outputs if o.output_type == "stream" and o.name == "stderr"]
    assert "aigov did not reload: the policy in force before stays in force" in message
    (error,) = [o for o in cells[3].outputs if o.output_type == "error"]
    assert error.ename == "PolicyViolation"
    assert "governing this kernel" in _text(cells[4])
    assert provider.received == []
