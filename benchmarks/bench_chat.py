"""A 20-turn chat through the gateway: what aigov adds per turn, against plain Presidio re-analysing the history.

Each turn appends a ~400-character notebook-style message (with a name and an email in it) and sends the
whole history through the real openai SDK to the loopback stand-in provider, as a chat client does. The
same chat runs once without aigov and once with it (redaction on, fresh vault and cache); the difference
per turn, median of turns 11-20, is what aigov adds. The baseline is plain Presidio (default recognizers,
the whole spaCy pipeline) analysing the whole history on every turn, as a gateway without a cache would.

    .venv/bin/python benchmarks/bench_chat.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_redaction import TURN_TEXT, plain_presidio

RESULTS = Path(__file__).resolve().parent / "results" / "chat.json"
POLICY = "version: 1\nredaction:\n  entities: {PERSON: redact, EMAIL_ADDRESS: redact, SECRET: block}\n"


def chat(client: Any, turns: int) -> list[float]:
    """Seconds per turn of a chat that resends its whole history each turn."""
    history: list[dict[str, str]] = []
    seconds = []
    for n in range(1, turns + 1):
        history.append({"role": "user", "content": TURN_TEXT.format(n=n)[:400]})
        start = time.perf_counter()
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=history)
        seconds.append(time.perf_counter() - start)
        history.append({"role": "assistant", "content": reply.choices[0].message.content})
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="chats per mode; the median per turn is taken")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="aigov-chat-"))
    (workdir / "aigov.yaml").write_text(POLICY)
    os.environ.update(
        AIGOV_POLICY=str(workdir / "aigov.yaml"),
        AIGOV_EVIDENCE_DIR=str(workdir / "evidence"),
        AIGOV_NOTEBOOK=str(workdir / "chat.ipynb"),
    )
    import openai

    import aigov
    from jupyter_aigov.redaction.transit import engine_for
    from jupyter_aigov.testing import StandInProvider

    presidio = plain_presidio("en_core_web_sm", None)
    with StandInProvider() as provider:
        client = openai.OpenAI(base_url=provider.openai_base_url, api_key="x")
        chat(client, 3)  # warm the SDK and the connection
        off_runs, on_runs = [], []
        for _ in range(args.repeats):
            off_runs.append(chat(client, args.turns))
            gateway = aigov.enable()
            engine = engine_for(gateway.session.effective.redaction)
            engine.wait_ready(120)
            engine.cache.clear()  # every chat starts cold: nothing of it analysed before
            on_runs.append(chat(client, args.turns))
            aigov.disable()
    added = [
        statistics.median(on[n] - off[n] for on, off in zip(on_runs, off_runs, strict=True)) for n in range(args.turns)
    ]
    history: list[str] = []
    presidio_turns = []
    for n in range(1, args.turns + 1):
        history.append(TURN_TEXT.format(n=n)[:400])
        start = time.perf_counter()
        presidio(history)
        presidio_turns.append(time.perf_counter() - start)
    ours_ms = statistics.median(added[10:]) * 1000
    theirs_ms = statistics.median(presidio_turns[10:]) * 1000
    result = {
        "aigov_added_ms_per_turn": round(ours_ms, 3),
        "presidio_whole_history_ms_per_turn": round(theirs_ms, 3),
        "ratio": round(theirs_ms / ours_ms, 1) if ours_ms > 0 else None,
        "turns": args.turns,
        "repeats": args.repeats,
        "reported": "median over turns 11-20 of (with aigov - without), per-turn medians over repeats",
    }
    print("20-turn chat through the gateway (targets: aigov <= 15 ms per turn, >= 20x less than Presidio)")
    for key, value in result.items():
        print(f"  {key:38s} {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
