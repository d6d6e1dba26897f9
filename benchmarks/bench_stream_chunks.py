"""The delay each streamed chunk gets from aigov: tool-call gate and placeholder restoring in the path.

A loopback SSE server (in this process, so both ends read one clock) sends an OpenAI chat stream of text
chunks, 5 ms apart, then a tool call in pieces, and records when each chunk left. The real openai SDK reads
the stream and records when each chunk arrived. Latency per chunk = arrival - departure. Rounds alternate
ungoverned and governed (ABBA); governed runs under a policy with tool rules, tools offered in the request
and a name redacted from the prompt, so both the gate and the restorer handle every chunk.

Reported: median latency per text chunk in each mode, and the difference (target: under 1 ms added).

    .venv/bin/python benchmarks/bench_stream_chunks.py [--rounds 8] [--chunks 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "stream_chunks.json"
POLICY = """version: 1
redaction:
  entities: {PERSON: redact, EMAIL_ADDRESS: redact}
tools:
  allow: ["get_weather", "run_sql"]
  arguments:
    - {tool: run_sql, path: query, deny_pattern: "(?i)\\\\bdrop\\\\b"}
"""
TOOLS = [
    {"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {}}}}
    for n in ("get_weather", "run_sql")
]
PROMPT = "Write a note to Maria Gonzalez about the churn model, then look up the weather in Paris."


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    event = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(event).encode() + b"\n\n"


def stream_events(chunks: int) -> list[bytes]:
    """Text chunks (one naming the placeholder, to be restored), then a tool call in three pieces."""
    events = [_chunk({"role": "assistant", "content": ""})]
    events += [_chunk({"content": f"word{i} " if i % 10 else "<PERSON_1> "}) for i in range(chunks)]
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    events.append(_chunk({"tool_calls": [call]}))
    for piece in ('{"ci', 'ty": "Pa', 'ris"}'):
        events.append(_chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}))
    events.append(_chunk({}, "tool_calls"))
    return [*events, b"data: [DONE]\n\n"]


class SSEServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, events: list[bytes], gap: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.events, self.gap = events, gap
        self.sent: list[float] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client closing its kept-alive connection at exit is not an error here


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SSEServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        sent: list[float] = []
        self.server.sent = sent  # filled as the events leave: read once the client has them all
        for event in self.server.events:
            time.sleep(self.server.gap)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
            sent.append(time.perf_counter())
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def one_stream(client: Any, server: SSEServer) -> list[float]:
    """Milliseconds from departure to arrival of each text chunk of one streamed answer."""
    arrived: list[tuple[float, Any]] = []
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": PROMPT}], tools=TOOLS, stream=True
    )
    for chunk in stream:
        arrived.append((time.perf_counter(), chunk))
    text_chunks = [t for t, c in arrived if c.choices and c.choices[0].delta.content]
    # events 1..chunks are the text chunks (event 0, the role, carries an empty content)
    departures = server.sent[1 : 1 + len(text_chunks)]
    return [(a - d) * 1000 for a, d in zip(text_chunks, departures, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=8, help="ABBA rounds (each: one stream per mode)")
    parser.add_argument("--chunks", type=int, default=60, help="text chunks per stream")
    parser.add_argument("--gap-ms", type=float, default=5.0, help="milliseconds between chunks")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="aigov-chunks-"))
    (workdir / "aigov.yaml").write_text(POLICY)
    os.environ.update(
        AIGOV_POLICY=str(workdir / "aigov.yaml"),
        AIGOV_EVIDENCE_DIR=str(workdir / "evidence"),
        AIGOV_NOTEBOOK=str(workdir / "stream.ipynb"),
    )
    import openai

    import aigov

    server = SSEServer(stream_events(args.chunks), args.gap_ms / 1000)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{server.server_address[1]}/v1", api_key="x")

    latencies: dict[str, list[float]] = {"ungoverned": [], "governed": []}

    def run(mode: str) -> None:
        if mode == "governed":
            gateway = aigov.enable()
            gateway.pipeline.vault.placeholder_for("PERSON", "Maria Gonzalez")  # what the prompt's redaction issues
        latencies[mode] += one_stream(client, server)
        if mode == "governed":
            aigov.disable()

    run("ungoverned")  # warm-up: connections, imports, the redaction engine
    run("governed")
    latencies = {"ungoverned": [], "governed": []}
    for n in range(args.rounds):
        order = ("ungoverned", "governed") if n % 2 == 0 else ("governed", "ungoverned")
        for mode in order:
            run(mode)
    server.shutdown()

    base = statistics.median(latencies["ungoverned"])
    governed = statistics.median(latencies["governed"])
    result = {
        "chunks_per_mode": len(latencies["governed"]),
        "median_ms_ungoverned": round(base, 4),
        "median_ms_governed": round(governed, 4),
        "median_added_ms_per_chunk": round(governed - base, 4),
        "p90_ms_ungoverned": round(statistics.quantiles(latencies["ungoverned"], n=10)[-1], 4),
        "p90_ms_governed": round(statistics.quantiles(latencies["governed"], n=10)[-1], 4),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
