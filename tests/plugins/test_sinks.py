"""Plugins' record sinks: they see every record written; one that raises gets the records again, never loses them."""

from __future__ import annotations

import sys

import httpx2

from jupyter_aigov.plugins import sinks

CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]}
POLICY = "version: 1\nredaction: {entities: {}}\nplugins: [sink]\n"
SINK = """
import aigov

seen = []
failures = {failures}

@aigov.hookimpl
def aigov_records_written(records):
    global failures
    if failures:
        failures -= 1
        raise OSError("the exporter is down; it had " + records[-1]["event"])
    seen.extend(records)
"""


def test_when_records_are_written_then_the_sink_sees_each_once_in_order(install, governed, provider):
    module = install("sink", SINK.format(failures=0))
    governed(POLICY)
    httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT)
    logged = governed.records()
    assert sys.modules[module].seen == logged
    assert [r["event"] for r in logged] == ["extension.load", "policy.load", "ai.call", "ai.response"]


def test_when_a_sink_raises_then_calls_go_on_and_it_gets_the_records_again_with_the_next(install, governed, provider):
    module = install("sink", SINK.format(failures=2))
    gateway = governed(POLICY)
    assert httpx2.post(provider.openai_base_url + "/chat/completions", json=CHAT).status_code == 200
    gateway.evidence.record("use_case.set", decision="allow")  # the next write: the sink takes everything held
    logged = governed.records()
    (failed,) = [r for r in logged if r["event"] == "plugins.sink_failed"]
    assert (failed["plugin"], failed["error"], failed["held_from_seq"]) == ("sink", "OSError", 1)
    assert "exporter is down" not in failed["reason"]
    assert sys.modules[module].seen == logged


def test_when_a_sink_keeps_failing_then_past_its_bound_the_oldest_records_go_and_that_is_said_once(monkeypatch):
    monkeypatch.setattr(sinks, "MAX_HELD", 3)
    said: list[dict[str, object]] = []

    def down(records):
        raise ConnectionError

    feed = sinks.SinkFeed([("down", down)], lambda event, **fields: said.append({"event": event, **fields}))
    for seq in range(1, 7):
        feed([{"seq": seq}])
    assert [(s["held"], s["held_from_seq"]) for s in said] == [(1, 1), (3, 2)]
    assert "Records up to #1 are no longer held for it" in str(said[1]["reason"])
    taken: list[dict[str, object]] = []
    feed._sinks = (("down", lambda records: taken.extend(records)),)
    feed([{"seq": 7}])
    assert taken == [{"seq": 4}, {"seq": 5}, {"seq": 6}, {"seq": 7}]
