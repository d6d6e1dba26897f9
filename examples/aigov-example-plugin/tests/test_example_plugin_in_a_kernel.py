"""The example plugin in a real kernel: `%load_ext aigov` under a policy listing it, driven through nbclient."""

from __future__ import annotations

import os
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

POLICY = "version: 1\nplugins: [example]\nredaction:\n  entities: {EMPLOYEE_ID: redact}\n"
CALL = """
import os, openai
client = openai.OpenAI(base_url=os.environ["PROVIDER"], api_key="x", max_retries=0)
def ask(text):
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content
"""


def run(tmp_path: Path, provider, policy: str, *sources: str) -> list[str]:
    """Each cell's text output (and error), the cells run in a new kernel in `tmp_path`."""
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    for cell in notebook.cells:
        cell.metadata["tags"] = ["raises-exception"]  # keep going: every cell's outputs are read
    (tmp_path / "aigov.yaml").write_text(policy)
    env = {**os.environ, "JPY_SESSION_NAME": str(tmp_path / "k.ipynb"), "PROVIDER": provider.openai_base_url}
    for name in ("AIGOV_POLICY", "AIGOV_EVIDENCE_DIR", "AIGOV_NOTEBOOK", "AIGOV_USE_CASE", "AIGOV_EXAMPLE_SINK"):
        env.pop(name, None)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute(env=env)
    return [
        "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") or o.get("evalue", "") for o in c.outputs)
        for c in notebook.cells
    ]


def test_when_a_kernel_loads_aigov_with_the_plugin_then_its_entity_check_and_name_are_at_work(tmp_path, provider):
    loaded, status, redacted, refused = run(
        tmp_path,
        provider,
        POLICY,
        "%load_ext aigov\n" + CALL,
        "%aigov status",
        "print(ask('Thank EMP-204816 for the review'))",
        "ask('Any news of Project Nightjar?')",
    )
    assert "aigov" in loaded and "governs this kernel" in loaded
    assert "plugins:     example (aigov-example-plugin " in status
    assert "EMP-204816" in redacted
    assert "<EMPLOYEE_ID_1>" in provider.received[-1].json["messages"][0]["content"]
    assert "rule plugin.example.codename" in refused
    assert len(provider.received) == 1


def test_when_the_policy_lists_a_plugin_not_installed_then_aigov_does_not_load_and_says_what_to_do(tmp_path, provider):
    (loaded,) = run(tmp_path, provider, "version: 1\nplugins: [example, ghost]\n", "%load_ext aigov")
    assert "aigov did not load: nothing is governed" in loaded
    assert "lists the plugin 'ghost', but no installed distribution provides it" in loaded
    assert "installed plugins: example" in loaded
