"""The cost of redaction.responses per streamed chunk, and how long text is held back before it goes out.

An OpenAI chat stream, one SSE event per word as providers send them, goes through the real pipeline's
ResponseTap (a call begun by `Pipeline.begin` under the policy below, so the judge is the real one on the
default spaCy model), chunk by chunk, timed around each `feed`. Modes alternate in ABBA rounds: `allow`
(answers left alone: the tap passes bytes through) and `redact` (every chunk framed, its text joined and held
to the sentence end, each sentence analysed). The detection cache is cleared before each stream, so every
sentence is analysed cold; each round's sentences are also new to it.

Reported per mode: mean µs per chunk (sentence analyses spread over the chunks), median and p99; the added
mean per chunk; ms per analysed sentence; and the hold-back: how many chunks and characters a word waits
before it reaches the caller (median, max).

    .venv/bin/python benchmarks/bench_answer_scan.py [--rounds 6] [--sentences 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "answer_scan.json"
POLICY = """version: 1
redaction:
  responses: {mode}
  entities: {{PERSON: redact, EMAIL_ADDRESS: redact, PHONE_NUMBER: redact, SECRET: block, CREDIT_CARD: block}}
"""
# Sentences of the kind a model writes back to a data scientist; {n} makes each round's text new.
SENTENCES = (
    "The churn model in run {n} reaches an AUC of 0.87 on the validation split.",
    "You can group the frame by region and month with df.groupby(['region', 'month']).",
    "Write to maria.gonzalez{n}@example.com if the export for cohort {n} fails again.",
    "Dropping the rows with missing tenure removes about {n} percent of the customers.",
    "The key sk-proj-4fT9aQ2LmZ8xW1cV7bN3kJ6hG{n:04d}dS0pR2 from your notebook should be rotated.",
    "A gradient boosted model with 300 trees and depth {n} is a reasonable start.",
    "Call the support line at +1 415 555 01{n:02d} to have the quota raised.",
    "Plot the residuals against the fitted values to check for heteroscedasticity.",
    "Maria Gonzalez owns the feature store table churn_features_v{n}.",
    "Then compute the lift in each decile and compare it with last quarter.",
)


def _event(content: str) -> bytes:
    choice = {"index": 0, "delta": {"content": content}, "finish_reason": None}
    event = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [choice]}
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def stream_of(round_no: int, sentences: int) -> list[bytes]:
    """One SSE event per word of `sentences` sentences, then the finish event and [DONE]."""
    text = " ".join(SENTENCES[i % len(SENTENCES)].format(n=round_no * 100 + i) for i in range(sentences))
    words = [w + " " for w in text.split(" ")]
    events = [_event(w) for w in words]
    stop = {"index": 0, "delta": {}, "finish_reason": "stop"}
    finish = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "choices": [stop]}
    return [*events, b"data: " + json.dumps(finish).encode() + b"\n\n", b"data: [DONE]\n\n"]


def _text_of(data: bytes) -> int:
    """Characters of delta text in SSE bytes."""
    count = 0
    for block in data.split(b"\n\n"):
        if block.startswith(b"data: {"):
            for choice in json.loads(block[6:]).get("choices", []):
                count += len(choice.get("delta", {}).get("content") or "")
    return count


def one_stream(gateway: Any, events: list[bytes]) -> dict[str, Any]:
    from jupyter_aigov.pipeline import OutboundRequest
    from jupyter_aigov.redaction.transit import detection_for

    _, engine = detection_for(gateway.session.effective.redaction)
    if engine is not None:
        engine.cache.clear()
    body = json.dumps({"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": "Help"}]})
    call = gateway.pipeline.begin(
        OutboundRequest("httpx", "POST", "https://api.openai.com/v1/chat/completions", {}, body.encode())
    )
    tap = call.tap(200, {"content-type": "text/event-stream"})
    scanner = tap._scanner  # a benchmark looks inside: how much text it holds
    times, waits, held_chars = [], [], []
    sent_at: list[tuple[int, int]] = []  # (chunk index, cumulative chars) as they came in
    came = 0
    for index, event in enumerate(events):
        came += _text_of(event)
        sent_at.append((index, came))
        started = time.perf_counter()
        tap.feed(event)
        times.append((time.perf_counter() - started) * 1e6)
        # what is held is the tail of the text as it came (unmasked): the rest has gone out
        released = came - (scanner.held_chars if scanner is not None else 0)
        held_chars.append(came - released)
        waits += [index - i for i, chars in sent_at if chars <= released]
        sent_at = [(i, chars) for i, chars in sent_at if chars > released]
    tap.end()
    tap.close()
    return {"us": times, "waits": waits, "held_chars": held_chars, "analyses": engine.analyses if engine else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6, help="ABBA rounds (each: one stream per mode)")
    parser.add_argument("--sentences", type=int, default=40, help="sentences per streamed answer")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="aigov-answer-scan-"))
    os.environ.update(AIGOV_EVIDENCE_DIR=str(workdir / "evidence"), AIGOV_NOTEBOOK=str(workdir / "scan.ipynb"))
    import aigov

    figures: dict[str, dict[str, list[float]]] = {m: {"us": [], "waits": [], "held": []} for m in ("allow", "redact")}
    analysed_sentences = 0

    def run(mode: str, round_no: int, keep: bool) -> None:
        nonlocal analysed_sentences
        (workdir / f"{mode}.yaml").write_text(POLICY.format(mode=mode))
        os.environ["AIGOV_POLICY"] = str(workdir / f"{mode}.yaml")
        gateway = aigov.enable()
        try:
            before = _analyses(gateway)
            got = one_stream(gateway, stream_of(round_no, args.sentences))
            if keep:
                figures[mode]["us"] += got["us"]
                figures[mode]["waits"] += got["waits"]
                figures[mode]["held"] += got["held_chars"]
                if mode == "redact":
                    analysed_sentences += _analyses(gateway) - before
        finally:
            aigov.disable()

    run("redact", 0, keep=False)  # warm-up: the engine loads, imports settle
    run("allow", 0, keep=False)
    for n in range(1, args.rounds + 1):
        for mode in ("allow", "redact") if n % 2 else ("redact", "allow"):
            run(mode, n, keep=True)

    def summary(mode: str) -> dict[str, float]:
        us = figures[mode]["us"]
        return {
            "chunks": len(us),
            "mean_us_per_chunk": round(statistics.fmean(us), 1),
            "median_us_per_chunk": round(statistics.median(us), 1),
            "p99_us_per_chunk": round(statistics.quantiles(us, n=100)[-1], 1),
            "median_chunks_a_word_waits": statistics.median(figures[mode]["waits"] or [0]),
            "max_chunks_a_word_waits": max(figures[mode]["waits"] or [0]),
            "median_chars_held": statistics.median(figures[mode]["held"]),
            "max_chars_held": max(figures[mode]["held"]),
        }

    allow, redact = summary("allow"), summary("redact")
    scan_ms = sum(figures["redact"]["us"]) / 1000
    result = {
        "allow": allow,
        "redact": redact,
        "added_mean_us_per_chunk": round(redact["mean_us_per_chunk"] - allow["mean_us_per_chunk"], 1),
        "analysed_texts": analysed_sentences,
        "ms_per_analysed_text": round(scan_ms / max(1, analysed_sentences), 2),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


def _analyses(gateway: Any) -> int:
    from jupyter_aigov.redaction.transit import detection_for

    _, engine = detection_for(gateway.session.effective.redaction)
    return int(engine.analyses) if engine is not None else 0


if __name__ == "__main__":
    main()
