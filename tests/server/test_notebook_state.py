"""GET aigov/notebook on a real server: the state of a governed notebook, the ETag, and reading logs incrementally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aigov_core.evidence import utc_now
from aigov_core.evidence.canonical import seal
from jupyter_aigov.decisions_frame import decision_rows
from jupyter_aigov.evidence import EvidenceLog
from jupyter_aigov.policy import discover_policy
from jupyter_aigov.server.notebook_state import NotebookStates

from .conftest import LOG, NOTEBOOK


def expected_counts(log: Path) -> dict[str, int]:
    """The counts, worked out from the log by the package's own reader of decisions."""
    rows = decision_rows(log)
    calls = [row for row in rows if row["event"] == "ai.call"]
    tools = [row for row in rows if row["event"] == "tool.call"]
    errors = [row for row in rows if row["event"] == "gateway.error" and row["decision"] == "block"]
    return {
        "calls": len(calls),
        "allowed": sum(row["decision"] == "allow" for row in calls),
        "redacted": sum(row["decision"] == "redact" for row in calls),
        "blocked": sum(row["decision"] == "block" for row in calls) + len(errors),
        "redactions": sum(sum(row["entities"].values()) for row in calls if row["decision"] == "redact"),
        "tool_calls": len(tools),
        "tool_blocks": sum(row["decision"] == "block" for row in tools),
    }


def test_when_a_governed_notebook_is_asked_about_then_the_state_matches_its_log(
    governed_notebook: Any, state: Any, jp_root_dir: Path
) -> None:
    answer = state(NOTEBOOK)
    log = jp_root_dir / LOG
    records = log.read_bytes().count(b"\n")
    assert answer["path"] == NOTEBOOK
    assert answer["governed"] is True
    assert answer["kernel_extension"] is True  # the gateway is still on: no extension.unload yet
    assert answer["evidence"]["logs"] == [LOG]
    assert answer["evidence"]["records"] == records
    assert answer["evidence"]["last_seq"] == records
    assert answer["counts"] == expected_counts(log)
    assert answer["counts"] == {
        "calls": 5, "allowed": 3, "redacted": 1, "blocked": 1, "redactions": 2, "tool_calls": 2, "tool_blocks": 1,
    }  # fmt: skip
    rows = decision_rows(log)
    assert answer["decisions_total"] == len(rows) == len(answer["decisions"])
    assert [(d["seq"], d["event"], d["decision"]) for d in answer["decisions"]] == [
        (row["seq"], row["event"], row["decision"]) for row in rows
    ]
    tokens = [(d["input_tokens"], d["output_tokens"]) for d in answer["decisions"]]
    assert tokens == [(row["input_tokens"], row["output_tokens"]) for row in rows]
    assert any(d["input_tokens"] for d in answer["decisions"])  # joined from the ai.response records
    assert answer["last_decision"] == answer["decisions"][-1]
    assert answer["last_block"]["event"] == "tool.call" and answer["last_block"]["tool"] == "run_shell"
    assert answer["last_block"]["rule"] == answer["last_block"]["rules"][0] == "tools.deny"
    assert answer["last_block"]["log"] == "churn.jsonl"
    redacted = next(d for d in answer["decisions"] if d["decision"] == "redact")
    assert redacted["entities"] == {"PERSON": 1, "EMAIL_ADDRESS": 1}
    assert "Frank" not in json.dumps(answer)  # evidence never holds the values, nor does its summary
    policy = discover_policy(jp_root_dir / "work")
    assert answer["policy"] == {
        "name": "aigov.yaml", "path": "work/aigov.yaml", "sha256": policy.sha256, "origin": "evidence",
        "use_case": None, "error": None,
    }  # fmt: skip
    assert [model["id"] for model in answer["models"]] == ["openai-gpt-4o-mini"]
    assert answer["models"][0]["approved"] is False and answer["models_error"] is None
    assert answer["registry"] == {"configured": False, "url": None}
    assert answer["former_paths"] == []


def test_when_the_extension_is_unloaded_then_the_kernel_extension_is_off(governed_notebook: Any, state: Any) -> None:
    import aigov

    assert state(NOTEBOOK)["kernel_extension"] is True
    aigov.disable()
    assert state(NOTEBOOK)["kernel_extension"] is False


def test_when_a_notebook_has_no_evidence_then_it_is_not_governed_and_not_an_error(
    in_root: Any, state: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("AIGOV_REGISTRY_URL", "https://registry.example/")
    monkeypatch.setenv("AIGOV_REGISTRY_TOKEN", "secret-token")
    answer = state("work/never-run.ipynb")  # it need not exist either
    assert answer["governed"] is False and answer["kernel_extension"] is False
    assert answer["evidence"] == {"logs": [], "records": 0, "last_seq": None, "last_ts": None}
    assert set(answer["counts"].values()) == {0}
    assert answer["decisions"] == [] and answer["decisions_total"] == 0
    assert answer["last_decision"] is None and answer["last_block"] is None
    assert answer["policy"]["origin"] == "discovered" and answer["policy"]["path"] == "work/aigov.yaml"
    assert answer["models"] == []
    assert answer["registry"] == {"configured": True, "url": "https://registry.example"}
    assert "secret-token" not in json.dumps(answer)
    elsewhere = state("other/never-run.ipynb")  # no aigov.yaml above it inside the test's folders
    assert elsewhere["policy"]["origin"] == "default" and elsewhere["policy"]["name"] == "built-in default"


def test_when_nothing_changed_then_304_and_a_new_record_changes_the_etag(
    governed_notebook: Any, fetch: Any, jp_root_dir: Path
) -> None:
    first = fetch("aigov", "notebook", params={"path": NOTEBOOK})
    etag = first.headers["ETag"]
    again = fetch("aigov", "notebook", params={"path": NOTEBOOK}, headers={"If-None-Match": etag})
    assert again.code == 304 and again.body == b""
    governed_notebook.evidence.record("use_case.set", decision="allow", reason="Use case set to 'churn'.")
    governed_notebook.evidence.flush()
    changed = fetch("aigov", "notebook", params={"path": NOTEBOOK}, headers={"If-None-Match": etag})
    assert changed.code == 200 and changed.headers["ETag"] != etag
    assert json.loads(changed.body)["evidence"]["records"] == json.loads(first.body)["evidence"]["records"] + 1


def call(model: str, decision: str, **fields: Any) -> dict[str, Any]:
    return {"event": "ai.call", "session": "s1", "model": model, "provider": "openai", "decision": decision,
            "rules": [f"models.{decision}"], "reason": "", "entities": {}, "use_case": "churn", **fields}  # fmt: skip


def test_when_records_are_appended_after_a_first_look_then_the_next_look_counts_them(in_root: Path, state: Any) -> None:
    log = EvidenceLog(in_root / LOG)
    log.append({"event": "extension.load", "session": "s1", "decision": "allow", "rules": [], "entities": {}})
    log.append(call("gpt-4o-mini", "allow", call_id="c1"))
    first = state(NOTEBOOK)
    assert first["counts"]["calls"] == 1 and first["evidence"]["records"] == 2
    log.append({"event": "ai.response", "call_id": "c1", "usage": {"input_tokens": 7, "output_tokens": 3}})
    log.append(call("gpt-4o", "block"))
    log.append(call("gpt-4o-mini", "redact", entities={"PERSON": 2, "EMAIL_ADDRESS": 1}))
    log.append(
        {"event": "tool.call", "session": "s1", "tool": "run_shell", "decision": "block", "rules": ["tools.deny"]}
    )
    log.append({"event": "extension.unload", "session": "s1", "decision": "allow"})
    second = state(NOTEBOOK)
    assert second["evidence"]["records"] == 7 and second["evidence"]["last_seq"] == 7
    assert second["counts"] == {
        "calls": 3, "allowed": 1, "redacted": 1, "blocked": 1, "redactions": 3, "tool_calls": 1, "tool_blocks": 1,
    }  # fmt: skip
    assert second["decisions"][0]["input_tokens"] == 7  # a response appended later still reaches its call
    assert second["kernel_extension"] is False
    assert second["policy"]["origin"] == "discovered"  # no policy.load record: the policy found beside it
    fresh = NotebookStates(in_root).state(NotebookStates(in_root).files(NOTEBOOK))  # read whole, from scratch
    assert fresh == second


def test_when_the_last_line_is_still_being_written_then_it_is_counted_once_whole(in_root: Path, state: Any) -> None:
    log = EvidenceLog(in_root / LOG)
    previous = log.append(call("gpt-4o-mini", "allow"))
    _, line = seal({**call("gpt-4o", "block"), "ts": utc_now(), "seq": 2, "prev": previous["hash"]})
    with open(in_root / LOG, "ab") as stream:
        stream.write(line[:40])  # half a line: a writer in the middle of its write
    assert state(NOTEBOOK)["counts"]["calls"] == 1
    with open(in_root / LOG, "ab") as stream:
        stream.write(line[40:])
    answer = state(NOTEBOOK)
    assert answer["counts"]["calls"] == 2 and answer["counts"]["blocked"] == 1
    assert answer["evidence"]["last_seq"] == 2


def test_when_a_log_is_replaced_by_a_shorter_one_then_it_is_read_again(in_root: Path, state: Any) -> None:
    log = EvidenceLog(in_root / LOG)
    log.append_all([call("gpt-4o-mini", "allow") for _ in range(3)])
    assert state(NOTEBOOK)["counts"]["calls"] == 3
    (in_root / LOG).rename(in_root / "work" / ".aigov" / "evidence" / "churn.old")  # moved aside, as users do
    EvidenceLog(in_root / LOG).append(call("gpt-4o", "block"))
    answer = state(NOTEBOOK)
    assert answer["counts"] == {
        "calls": 1, "allowed": 0, "redacted": 0, "blocked": 1, "redactions": 0, "tool_calls": 0, "tool_blocks": 0,
    }  # fmt: skip


def test_when_there_are_more_than_500_decisions_then_the_newest_500_are_sent(in_root: Path, state: Any) -> None:
    EvidenceLog(in_root / LOG).append_all([call("gpt-4o-mini", "allow", n=n) for n in range(620)])
    answer = state(NOTEBOOK)
    assert answer["decisions_total"] == 620 and len(answer["decisions"]) == 500
    assert [d["seq"] for d in answer["decisions"]] == list(range(121, 621))
