"""The example plugin at work: aigov.enable() under a policy listing it, real clients, a loopback provider."""

from __future__ import annotations

import json
import zipfile
from importlib.metadata import version

import httpx
import openai
import pytest

import aigov

POLICY = """
version: 1
plugins: [example]
redaction:
  entities:
    EMPLOYEE_ID: redact
    SECRET: block
"""


def chat(provider, text: str) -> str:
    client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x", max_retries=0)
    answer = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": text}])
    return answer.choices[0].message.content or ""


def test_when_a_prompt_holds_an_employee_id_then_the_provider_gets_a_placeholder_and_the_caller_the_id(
    governed, provider
):
    governed(POLICY)
    answer = chat(provider, "Summarise the review of EMP-204816 for me")
    sent = provider.received[-1].json["messages"][0]["content"]
    assert "EMP-204816" not in sent
    assert "<EMPLOYEE_ID_1>" in sent
    assert "EMP-204816" in answer  # the stand-in echoes the prompt; the value is put back for the caller
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["entities"]) == ("redact", {"EMPLOYEE_ID": 1})


def test_when_a_prompt_names_a_confidential_project_then_the_plugin_check_refuses_it(governed, provider):
    governed(POLICY)
    with pytest.raises(aigov.PolicyViolation) as refused:
        chat(provider, "Draft the launch plan for Project Bluebird")
    assert refused.value.rule == "plugin.example.codename"
    assert "leave the codename out" in str(refused.value)
    assert provider.received == []
    (call,) = governed.records("ai.call")
    assert (call["decision"], call["rules"]) == ("block", ["plugin.example.codename"])
    assert "Bluebird" not in json.dumps(governed.records())


def test_when_records_are_written_then_the_sink_sees_every_one_of_them(governed, provider):
    governed(POLICY)
    chat(provider, "Hello")
    with pytest.raises(aigov.PolicyViolation):
        chat(provider, "Status of Project Kestrel?")
    aigov.set_use_case(None)
    aigov.disable()
    logged = [json.loads(line) for line in governed.log.read_text().splitlines()]
    exported = [json.loads(line) for line in governed.sink.read_text().splitlines()]
    assert exported == logged
    assert [r["event"] for r in exported][:2] == ["extension.load", "policy.load"]
    assert "extension.unload" in [r["event"] for r in exported]


def test_when_the_policy_loads_then_its_record_names_the_plugin_and_its_version(governed):
    governed(POLICY)
    (load,) = governed.records("policy.load")
    assert load["plugins"] == [
        {"name": "example", "distribution": "aigov-example-plugin", "version": version("aigov-example-plugin")}
    ]
    assert aigov.status()["plugins"] == load["plugins"]


def test_when_a_call_speaks_the_plugins_wire_format_then_it_is_governed_like_any_ai_call(governed, provider):
    governed(POLICY)
    body = {"model": "acme-large", "prompt": "Write to EMP-100200 about the offsite", "context": ["EMP-300400 joins"]}
    httpx.post(f"{provider.url}/acme/v1/complete", json=body)  # the stand-in does not serve it: a 404 answer
    sent = provider.received[-1].json
    assert (sent["prompt"], sent["context"]) == (
        "Write to <EMPLOYEE_ID_1> about the offsite",
        ["<EMPLOYEE_ID_2> joins"],
    )
    (call,) = governed.records("ai.call")
    assert (call["api"], call["operation"], call["provider"], call["model"]) == (
        "acme",
        "complete",
        "acme-compatible",
        "acme-large",
    )
    assert call["entities"] == {"EMPLOYEE_ID": 2}


def test_when_acmes_gateway_is_called_then_the_catalogue_knows_it(governed):
    gateway = governed(POLICY)
    body = b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}'
    request = gateway.pipeline.catalogue.recognise("POST", "https://llm.acme.example/v1/chat/completions", None, body)
    assert (request.provider, request.api) == ("acme-llm", "openai")
    request = gateway.pipeline.catalogue.recognise(
        "POST", "https://llm.acme.example/acme/v1/complete", None, b'{"model": "m"}'
    )
    assert (request.provider, request.api, request.operation) == ("acme-llm", "acme", "complete")


def test_when_the_bundle_is_exported_then_employee_ids_in_the_notebook_are_redacted_too(governed, provider, tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    governed(POLICY)
    chat(provider, "Hello")
    notebook = new_notebook(cells=[new_code_cell("review('EMP-204816')", execution_count=1)])
    (tmp_path / "analysis.ipynb").write_text(nbformat.writes(notebook))
    bundle = aigov.export_bundle(tmp_path / "audit.zip", progress=False)
    with zipfile.ZipFile(bundle) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("data/notebooks/analysis.ipynb")]
        exported = archive.read(name)
    assert b"EMP-204816" not in exported
    assert b"<EMPLOYEE_ID_1>" in exported
