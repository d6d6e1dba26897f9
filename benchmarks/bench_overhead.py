"""What aigov adds to a kernel's HTTP requests: non-AI traffic (as a ratio) and allowed AI calls (ms per call).

    python benchmarks/bench_overhead.py [--rounds 10] [--requests 100] [--ai-calls 50] [--profile-calls 300]

Targets: a non-AI request at most 3% slower with aigov enabled; an AI call that passes policy with nothing
to redact at most 0.5 ms added (median). Each is measured in one process, in rounds of one block of
requests with aigov disabled and one enabled (ABBA order across rounds) so that drift cancels. The servers
run in child processes so that they do not compete with the client for the GIL. A last phase times the
stages of the AI pipeline (recognise, decide, evidence append with fsync, response tap) with perf_counter
probes installed by this script only. Prints tables and writes benchmarks/results/overhead.json.

The evidence log's fsync dominates the AI-call cost, so put --evidence-dir on the disk that would hold
the evidence (a tmpfs /tmp makes fsync free and the figure optimistic).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gc
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "overhead.json"
NON_AI_TARGET = 1.03  # at most 3% slower
AI_TARGET_MS = 0.5  # at most 0.5 ms added per call
SMALL_BODY = b'{"ok": true, "items": [1, 2, 3]}'
UPLOAD = {"name": "part-0001.csv", "rows": 1200, "note": "quarterly figures"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in three words."}]}

Request = Callable[[], object]


# -- servers (child processes) ---------------------------------------------------------------------
class _SmallHandler(BaseHTTPRequestHandler):
    """Answers every GET and POST with the same small JSON body, keeping the connection alive."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(SMALL_BODY)))
        self.end_headers()
        self.wfile.write(SMALL_BODY)

    do_GET = do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark server."""


def serve_small() -> None:
    """Serve the small non-AI server on an ephemeral loopback port, printing the port, until killed."""
    pin(os.environ.get("AIGOV_BENCH_SERVER_CPU"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SmallHandler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def pin(cpu: str | None) -> None:
    """Keep this process on one CPU (when given and supported), so client and server do not swap cores."""
    if cpu and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu)})


@contextlib.contextmanager
def child_server(command: list[str], parse: Callable[[str], str]) -> Iterator[str]:
    """Start a server process, yield the base URL it announces on its first line, stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield parse(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)


def serve_provider() -> None:
    """Serve the stand-in AI provider, printing its URL, until killed.

    Its handler sends headers and body in two writes; with Nagle on, the body then waits for the client's
    delayed ACK (~40 ms on Linux), which would hide everything measured here, so Nagle is switched off.
    """
    from jupyter_aigov.testing import StandInProvider, server

    pin(os.environ.get("AIGOV_BENCH_SERVER_CPU"))
    server._Handler.disable_nagle_algorithm = True
    with StandInProvider() as provider:
        print(provider.url, flush=True)
        threading.Event().wait()


def small_server() -> contextlib.AbstractContextManager[str]:
    """The small non-AI server: http://127.0.0.1:PORT."""
    return child_server([sys.executable, __file__, "--serve", "small"], lambda line: f"http://127.0.0.1:{line.strip()}")


def stand_in_provider() -> contextlib.AbstractContextManager[str]:
    """The stand-in AI provider, out of process: its base URL."""
    return child_server([sys.executable, __file__, "--serve", "provider"], str.strip)


# -- clients ---------------------------------------------------------------------------------------
def non_ai_requests(base: str) -> dict[str, Request]:
    """A GET and a small JSON POST to a non-AI path, through httpx, httpx2 and requests."""
    import httpx
    import httpx2
    import requests

    hx, hx2, rq = httpx.Client(), httpx2.Client(), requests.Session()
    return {
        "httpx GET": lambda: hx.get(f"{base}/page").content,
        "httpx POST /upload": lambda: hx.post(f"{base}/upload", json=UPLOAD).content,
        "httpx2 GET": lambda: hx2.get(f"{base}/page").content,
        "httpx2 POST /upload": lambda: hx2.post(f"{base}/upload", json=UPLOAD).content,
        "requests GET": lambda: rq.get(f"{base}/page").content,
        "requests POST /upload": lambda: rq.post(f"{base}/upload", json=UPLOAD).content,
    }


def ai_requests(base_url: str) -> dict[str, Request]:
    """One OpenAI chat completion, as raw POSTs (httpx2, httpx, requests) and through the openai SDK."""
    import httpx
    import httpx2
    import openai
    import requests

    url = f"{base_url}/chat/completions"
    body = json.dumps(CHAT).encode()
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    hx, hx2, rq = httpx.Client(), httpx2.Client(), requests.Session()
    sdk = openai.OpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)

    def raw(post: Callable[..., Any]) -> Request:
        def call() -> object:
            response = post(url, content=body, headers=headers)
            assert response.status_code == 200, response.text
            return response.content

        return call

    def raw_requests() -> object:
        response = rq.post(url, data=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.content

    return {
        "httpx2 POST": raw(hx2.post),
        "httpx POST": raw(hx.post),
        "requests POST": raw_requests,
        "openai SDK chat.completions.create": lambda: sdk.chat.completions.create(**CHAT),
    }


# -- alternating blocks ----------------------------------------------------------------------------
def set_governed(on: bool) -> None:
    """Switch aigov on or off (outside the timed blocks: enable() writes two durable records)."""
    import aigov

    if on:
        aigov.enable()
    else:
        aigov.disable()


def timed_block(request: Request, count: int) -> list[float]:
    """Seconds taken by each of ``count`` requests."""
    clock = time.perf_counter
    times = []
    for _ in range(count):
        started = clock()
        request()
        times.append(clock() - started)
    return times


def alternate(requests: dict[str, Request], rounds: int, count: int, warmup: int) -> dict[str, Any]:
    """Per request kind: seconds per request with aigov off and on, in ABBA-ordered rounds of blocks."""
    for on in (False, True):
        set_governed(on)
        for request in requests.values():
            timed_block(request, warmup)
    samples: dict[str, dict[str, list[list[float]]]] = {name: {"off": [], "on": []} for name in requests}
    for round_ in range(rounds):
        for on in (False, True) if round_ % 2 == 0 else (True, False):
            set_governed(on)
            gc.collect()
            for name, request in requests.items():
                samples[name]["on" if on else "off"].append(timed_block(request, count))
    set_governed(False)
    return {name: summarise(blocks["off"], blocks["on"]) for name, blocks in samples.items()}


def summarise(off: list[list[float]], on: list[list[float]]) -> dict[str, Any]:
    """Median per request in each mode, the ratio and difference, and the spread of per-round ratios."""
    median_off = statistics.median(t for block in off for t in block)
    median_on = statistics.median(t for block in on for t in block)
    round_ratios = [statistics.median(b) / statistics.median(a) for a, b in zip(off, on, strict=True)]
    return {
        "requests_per_mode": sum(map(len, off)),
        "median_off_us": median_off * 1e6,
        "median_on_us": median_on * 1e6,
        "ratio": median_on / median_off,
        "added_us": (median_on - median_off) * 1e6,
        "round_ratio_min": min(round_ratios),
        "round_ratio_max": max(round_ratios),
    }


# -- where the AI call's added time goes -----------------------------------------------------------
class Probes:
    """perf_counter probes wrapped around functions of the pipeline, removed again by restore()."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, attribute: str, label: str, split: Callable[..., str] | None = None) -> None:
        """Time every call of owner.attribute under ``label`` (or under ``split(*args, **kwargs)``)."""
        original = owner.__dict__[attribute] if isinstance(owner, type) else getattr(owner, attribute)
        seconds, clock = self.seconds, time.perf_counter

        @functools.wraps(original)
        def probe(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            try:
                return original(*args, **kwargs)
            finally:
                key = split(*args, **kwargs) if split else label
                seconds.setdefault(key, []).append(clock() - started)

        setattr(owner, attribute, probe)
        self._undo.append(lambda: setattr(owner, attribute, original))

    def restore(self) -> None:
        """Put every probed function back."""
        while self._undo:
            self._undo.pop()()


STAGES = (
    ("gateway.begin (request side, total)", 0),
    ("recognise (Catalogue.recognise)", 1),
    ("decide (policy checks)", 1),
    ("record ai.call (durable append)", 1),
    ("canonical JSON + sha256 (seal)", 2),
    ("fdatasync", 2),
    ("flock + unlock", 2),
    ("response tap (feed + close)", 0),
    ("usage parse (StreamTap)", 1),
    ("record ai.response (append, no fsync)", 1),
    ("canonical JSON + sha256 (seal)#2", 2),
)


def install_probes() -> Probes:
    """Probe each stage of an allowed AI call."""
    from jupyter_aigov import gateway
    from jupyter_aigov.evidence import log
    from jupyter_aigov.intercept import response_tap
    from jupyter_aigov.providers.catalogue import Catalogue

    probes = Probes()
    probes.wrap(gateway.Gateway, "begin", "gateway.begin (request side, total)")
    probes.wrap(Catalogue, "recognise", "recognise (Catalogue.recognise)")
    probes.wrap(gateway, "decide", "decide (policy checks)")
    probes.wrap(gateway.Gateway, "_record_call", "record ai.call (durable append)")
    probes.wrap(gateway.Exchange, "finish", "record ai.response (append, no fsync)")
    probes.wrap(log, "seal", "", split=lambda record: f"seal {record.get('event')}")
    probes.wrap(log, "sync", "fdatasync")
    probes.wrap(log, "lock", "flock")
    probes.wrap(log, "unlock", "unlock")
    for name in ("__init__", "feed", "close"):
        probes.wrap(response_tap.ResponseTap, name, f"tap {name}")
        probes.wrap(response_tap.StreamTap, name, f"streamtap {name}")
    return probes


def profile_ai(requests: dict[str, Request], calls: int, top: int) -> dict[str, Any]:
    """Microseconds per call spent in each stage, per client, with aigov enabled."""
    set_governed(True)
    breakdown: dict[str, Any] = {}
    try:
        for name, request in requests.items():
            timed_block(request, 20)
            probes = install_probes()
            try:
                timed_block(request, calls)
            finally:
                probes.restore()
            breakdown[name] = stage_table(probes.seconds, calls)
        if top:
            breakdown["cprofile_top"] = cprofile_top(requests, calls, top)
    finally:
        set_governed(False)
    return breakdown


def stage_table(seconds: dict[str, list[float]], calls: int) -> dict[str, float]:
    """Median microseconds per call of each stage (stages made of several probes are summed)."""

    def per_call(*labels: str) -> float:
        # each probe fires a fixed number of times per call: its median times that count
        total = 0.0
        for label in labels:
            found = seconds.get(label, [])
            if found:
                total += statistics.median(found) * len(found) / calls
        return total * 1e6

    return {
        "gateway.begin (request side, total)": per_call("gateway.begin (request side, total)"),
        "recognise (Catalogue.recognise)": per_call("recognise (Catalogue.recognise)"),
        "decide (policy checks)": per_call("decide (policy checks)"),
        "record ai.call (durable append)": per_call("record ai.call (durable append)"),
        "canonical JSON + sha256 (seal)": per_call("seal ai.call"),
        "fdatasync": per_call("fdatasync"),
        "flock + unlock": per_call("flock", "unlock"),
        "response tap (feed + close)": per_call("tap __init__", "tap feed", "tap close"),
        "usage parse (StreamTap)": per_call("streamtap __init__", "streamtap feed", "streamtap close"),
        "record ai.response (append, no fsync)": per_call("record ai.response (append, no fsync)"),
        "canonical JSON + sha256 (seal)#2": per_call("seal ai.response"),
    }


def cprofile_top(requests: dict[str, Request], calls: int, top: int) -> list[str]:
    """The aigov functions with the most own time over ``calls`` calls of the first client."""
    request = next(iter(requests.values()))
    profiler = cProfile.Profile()
    profiler.runcall(timed_block, request, calls)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    rows = []
    for (file, line, function), (_, calls_n, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "jupyter_aigov" in file or "rfc8785" in file:
            short = file.split("site-packages/")[-1].split("/main/")[-1]
            rows.append((own, f"{own / calls * 1e6:8.1f} us own {cumulative / calls * 1e6:8.1f} us cum "
                         f"{calls_n // calls:>3}x  {short}:{line}({function})"))
    return [text for _, text in sorted(rows, reverse=True)[:top]]


# -- reporting -------------------------------------------------------------------------------------
def filesystem_of(path: Path) -> str:
    """The file-system type holding ``path`` (from /proc/mounts), or "unknown"."""
    best, kind = "", "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            _, mount, fstype, *_ = line.split()
            if str(path.resolve()).startswith(mount) and len(mount) > len(best):
                best, kind = mount, fstype
    return kind


def print_non_ai(results: dict[str, Any]) -> None:
    print(f"\nNon-AI requests (target: with/without <= {NON_AI_TARGET:.2f})")
    print(f"{'request':<24}{'off us':>9}{'on us':>9}{'ratio':>8}{'round ratios':>17}  met")
    for name, r in results.items():
        spread = f"{r['round_ratio_min']:.3f}-{r['round_ratio_max']:.3f}"
        met = "yes" if r["ratio"] <= NON_AI_TARGET else "NO"
        print(f"{name:<24}{r['median_off_us']:>9.1f}{r['median_on_us']:>9.1f}{r['ratio']:>8.3f}{spread:>17}  {met}")


def print_ai(results: dict[str, Any]) -> None:
    print(f"\nAllowed AI call, nothing to redact (target: <= {AI_TARGET_MS} ms added)")
    print(f"{'client':<36}{'off ms':>9}{'on ms':>9}{'added ms':>10}  met")
    for name, r in results.items():
        met = "yes" if r["added_us"] / 1000 <= AI_TARGET_MS else "NO"
        print(f"{name:<36}{r['median_off_us'] / 1000:>9.3f}{r['median_on_us'] / 1000:>9.3f}"
              f"{r['added_us'] / 1000:>10.3f}  {met}")


def print_breakdown(breakdown: dict[str, Any]) -> None:
    clients = [name for name in breakdown if name != "cprofile_top"]
    print("\nWhere an AI call's added time goes (median us per call, aigov enabled, probes in this script)")
    print(f"{'stage':<44}" + "".join(f"{name.split(' ')[0]:>10}" for name in clients))
    for stage, depth in STAGES:
        label = ("  " * depth + stage).split("#")[0]
        print(f"{label:<44}" + "".join(f"{breakdown[name][stage]:>10.1f}" for name in clients))
    for line in breakdown.get("cprofile_top", []):
        print("  " + line)


def evidence_counts(folder: Path) -> dict[str, int]:
    """How many records of each event the benchmark's evidence logs hold (a check that calls were governed)."""
    counts: dict[str, int] = {}
    for path in folder.glob("*.jsonl"):
        for line in path.read_bytes().splitlines():
            event = json.loads(line)["event"]
            counts[event] = counts.get(event, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> int:
    """Run the non-AI and AI overhead benchmarks and the AI-call profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds of one off and one on block")
    parser.add_argument("--requests", type=int, default=100, help="non-AI requests per block and kind")
    parser.add_argument("--ai-calls", type=int, default=50, help="AI calls per block and client")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per kind and mode first")
    parser.add_argument("--profile-calls", type=int, default=300, help="AI calls per client when profiling")
    parser.add_argument("--cprofile-top", type=int, default=0, help="also list the N aigov functions "
                        "with the most own time under cProfile (httpx2 client)")
    parser.add_argument("--evidence-dir", type=Path, default=None, help="where the evidence log goes "
                        "(default: a temp dir); fsync cost depends on its disk")
    parser.add_argument("--skip-non-ai", action="store_true", help="skip target 1")
    parser.add_argument("--skip-ai", action="store_true", help="skip target 2 and the profile")
    parser.add_argument("--no-pin", action="store_true", help="do not pin client and servers to separate CPUs")
    parser.add_argument("--serve", choices=["small", "provider"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_small() if args.serve == "small" else serve_provider()
        return 0
    if not args.no_pin and (os.cpu_count() or 1) >= 2:
        pin("0")
        os.environ["AIGOV_BENCH_SERVER_CPU"] = "1"
    with tempfile.TemporaryDirectory(dir=args.evidence_dir, prefix="aigov-bench-") as tmp:
        folder = Path(tmp)
        (folder / "aigov.yaml").write_text("version: 1\n")
        os.environ["AIGOV_POLICY"] = str(folder / "aigov.yaml")
        os.environ["AIGOV_EVIDENCE_DIR"] = str(folder / "evidence")
        results: dict[str, Any] = {
            "machine": {
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "evidence_filesystem": filesystem_of(folder),
            },
            "settings": vars(args) | {"evidence_dir": str(args.evidence_dir)},
        }
        if not args.skip_non_ai:
            with small_server() as base:
                results["non_ai"] = alternate(non_ai_requests(base), args.rounds, args.requests, args.warmup)
            print_non_ai(results["non_ai"])
        if not args.skip_ai:
            with stand_in_provider() as base:
                clients = ai_requests(f"{base}/v1")
                results["ai"] = alternate(clients, args.rounds, args.ai_calls, args.warmup)
                print_ai(results["ai"])
                results["ai_breakdown_us"] = profile_ai(clients, args.profile_calls, args.cprofile_top)
            print_breakdown(results["ai_breakdown_us"])
        results["evidence_records"] = evidence_counts(folder / "evidence")
    print(f"\nevidence records written: {results['evidence_records']} "
          f"(filesystem: {results['machine']['evidence_filesystem']})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
