"""What aigov adds to a kernel's HTTP requests: non-AI traffic (as a ratio) and allowed AI calls (ms per call).

    python benchmarks/bench_overhead.py [--rounds 30] [--requests 20] [--ai-calls 40] [--profile-calls 300]

Targets: a non-AI request at most 3% slower with aigov enabled (new connections too, which the backstop's audit
hook looks at); an AI call that passes policy with nothing
to redact at most 0.5 ms added (median). Each is measured in one process, in rounds of one short block of
requests with aigov disabled and one enabled (ABBA order across rounds) so that drift cancels; the servers
run in child processes so that they do not compete with the client for the GIL.

Loopback timings on a shared machine scatter by more than 3%, so the non-AI target is also measured at
the seam: the same client stacks answered from memory (httpx MockTransport, a canned urllib3 pool), best
of several repeats per mode. Their difference is the CPU time aigov adds per request, and divided by the
loopback request time it gives the ratio the loopback figure estimates with noise.

A last phase times the stages of an allowed AI call (recognise, decide, evidence append with fdatasync,
response tap) with perf_counter probes this script installs and removes. Put --evidence-dir on the disk
that would hold the evidence: fdatasync dominates, and a tmpfs makes it free.

Prints tables and writes benchmarks/results/overhead.json.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import gc
import json
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loopback import SERVER_CPU, SMALL_BODY, canned_requests_session, pin, small_server, stand_in_provider

RESULTS = Path(__file__).parent / "results" / "overhead.json"
NON_AI_TARGET = 1.03  # at most 3% slower
AI_TARGET_MS = 0.5  # at most 0.5 ms added per call
UPLOAD = {"name": "part-0001.csv", "rows": 1200, "note": "quarterly figures"}
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Say hello in three words."}]}

Request = Callable[[], object]


# -- clients ---------------------------------------------------------------------------------------
def non_ai_requests(base: str) -> dict[str, Request]:
    """A GET and a small JSON POST to a non-AI path, through httpx, httpx2 and requests."""
    import httpx
    import httpx2
    import requests

    return _non_ai(base, httpx.Client(), httpx2.Client(), requests.Session())


def canned_non_ai_requests() -> dict[str, Request]:
    """The same requests through the same client stacks, answered from memory: the seam alone, no socket."""
    import httpx
    import httpx2

    hx = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, content=SMALL_BODY)))
    hx2 = httpx2.Client(transport=httpx2.MockTransport(lambda _: httpx2.Response(200, content=SMALL_BODY)))
    return _non_ai("http://files.example.test", hx, hx2, canned_requests_session())


def _non_ai(base: str, hx: Any, hx2: Any, rq: Any) -> dict[str, Request]:
    return {
        "httpx GET": lambda: hx.get(f"{base}/page").content,
        "httpx POST /upload": lambda: hx.post(f"{base}/upload", json=UPLOAD).content,
        "httpx2 GET": lambda: hx2.get(f"{base}/page").content,
        "httpx2 POST /upload": lambda: hx2.post(f"{base}/upload", json=UPLOAD).content,
        "requests GET": lambda: rq.get(f"{base}/page").content,
        "requests POST /upload": lambda: rq.post(f"{base}/upload", json=UPLOAD).content,
    }


def backstop_requests(base: str) -> dict[str, Request]:
    """Non-AI traffic that opens a new connection each time: what the backstop's audit hook looks at."""
    import http.client
    import socket

    host, port = base.removeprefix("http://").split(":")

    def connect() -> object:
        with socket.create_connection((host, int(port))):
            return None

    def stdlib_get() -> object:
        connection = http.client.HTTPConnection(host, int(port))
        try:
            connection.request("GET", "/page")
            return connection.getresponse().read()
        finally:
            connection.close()

    return {"socket connect + close": connect, "http.client GET (new connection)": stdlib_get}


def connection_events_cost(rounds: int, number: int) -> dict[str, float]:
    """Best microseconds the audit hooks take for one new connection's events (a name looked up, a connect) with
    aigov off and on: the CPU the backstop (and the tamper watch) add per connection, without a socket's noise."""
    address = ("127.0.0.1", 9)

    def events() -> None:
        sys.audit("socket.getaddrinfo", "127.0.0.1", 9, 0, 1, 0)
        sys.audit("socket.connect", None, address)

    best = {"off": float("inf"), "on": float("inf")}
    for round_ in range(rounds):
        for on in (False, True) if round_ % 2 == 0 else (True, False):
            set_governed(on)
            seconds = min(timeit.repeat(events, number=number, repeat=3)) / number
            mode = "on" if on else "off"
            best[mode] = min(best[mode], seconds * 1e6)
    set_governed(False)
    return {"best_off_us": best["off"], "best_on_us": best["on"], "added_us": best["on"] - best["off"]}


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

    def raw(post: Callable[..., Any], body_key: str) -> Request:
        def call() -> object:
            response = post(url, headers=headers, **{body_key: body})
            assert response.status_code == 200, response.text
            return response.content

        return call

    return {
        "httpx2 POST": raw(hx2.post, "content"),
        "httpx POST": raw(hx.post, "content"),
        "requests POST": raw(rq.post, "data"),
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
    round_ratios = sorted(statistics.median(b) / statistics.median(a) for a, b in zip(off, on, strict=True))
    quartiles = statistics.quantiles(round_ratios, n=4) if len(round_ratios) > 1 else round_ratios * 3
    return {
        "requests_per_mode": sum(map(len, off)),
        "median_off_us": median_off * 1e6,
        "median_on_us": median_on * 1e6,
        "ratio": median_on / median_off,
        "added_us": (median_on - median_off) * 1e6,
        "round_ratio_median": statistics.median(round_ratios),
        "round_ratio_q1": quartiles[0],
        "round_ratio_q3": quartiles[2],
    }


def seam_cost(requests: dict[str, Request], rounds: int, number: int) -> dict[str, dict[str, float]]:
    """Per request kind: best microseconds per request with aigov off and on, and their difference."""
    best: dict[str, dict[str, float]] = {name: {"off": float("inf"), "on": float("inf")} for name in requests}
    for round_ in range(rounds):
        for on in (False, True) if round_ % 2 == 0 else (True, False):
            set_governed(on)
            for name, request in requests.items():
                seconds = min(timeit.repeat(request, number=number, repeat=3)) / number
                mode = "on" if on else "off"
                best[name][mode] = min(best[name][mode], seconds * 1e6)
    set_governed(False)
    return {
        name: {"best_off_us": b["off"], "best_on_us": b["on"], "added_us": b["on"] - b["off"]}
        for name, b in best.items()
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


# (row, indent, probes summed into it); each probe fires a fixed number of times per call
STAGES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("gateway.begin (request side, total)", 0, ("begin",)),
    ("recognise (Catalogue.recognise)", 1, ("recognise",)),
    ("decide (policy checks)", 1, ("decide",)),
    ("record ai.call (durable append)", 1, ("record_call",)),
    ("seal: canonical JSON + sha256", 2, ("seal ai.call",)),
    ("fdatasync", 2, ("sync",)),
    ("flock + unlock", 2, ("lock", "unlock")),
    ("response tap (init + feed + end + close)", 0, ("tap __init__", "tap feed", "tap end", "tap close")),
    (
        "answer framed, usage read (AnswerStream)",
        1,
        ("answer __init__", "answer feed", "answer close", "answer read_usage"),
    ),
    ("queue ai.response (written with the next durable append)", 1, ("finish",)),
    ("seal: canonical JSON + sha256 (response)", 2, ("seal ai.response",)),
)


def install_probes() -> Probes:
    """Probe each stage of an allowed AI call."""
    from jupyter_aigov.evidence import log
    from jupyter_aigov.pipeline import answer, answer_stream, flow
    from jupyter_aigov.providers.catalogue import Catalogue

    probes = Probes()
    probes.wrap(flow.Pipeline, "begin", "begin")
    probes.wrap(Catalogue, "recognise", "recognise")
    probes.wrap(flow, "decide", "decide")
    probes.wrap(flow.Pipeline, "_record_call", "record_call")
    probes.wrap(answer.CallInFlight, "finish", "finish")
    probes.wrap(log, "seal", "", split=lambda record: f"seal {record.get('event')}")
    probes.wrap(log, "sync", "sync")
    probes.wrap(log, "lock", "lock")
    probes.wrap(log, "unlock", "unlock")
    for name in ("__init__", "feed", "end", "close"):
        probes.wrap(answer.ResponseTap, name, f"tap {name}")
    for name in ("__init__", "feed", "close", "read_usage"):
        probes.wrap(answer_stream.AnswerStream, name, f"answer {name}")
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
    """Microseconds per call of each stage: each probe's median times the times it fired per call."""

    def per_call(labels: tuple[str, ...]) -> float:
        found = [seconds[label] for label in labels if seconds.get(label)]
        return sum(statistics.median(times) * len(times) / calls for times in found) * 1e6

    return {row: per_call(labels) for row, _, labels in STAGES}


def cprofile_top(requests: dict[str, Request], calls: int, top: int) -> list[str]:
    """The aigov functions with the most own time over ``calls`` calls of the first client."""
    request = next(iter(requests.values()))
    profiler = cProfile.Profile()
    profiler.runcall(timed_block, request, calls)
    stats = pstats.Stats(profiler)
    rows = []
    for (file, line, function), (_, calls_n, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        if "jupyter_aigov" in file or "rfc8785" in file:
            short = file.split("site-packages/")[-1].split("/main/")[-1]
            rows.append(
                (
                    own,
                    f"{own / calls * 1e6:8.1f} us own {cumulative / calls * 1e6:8.1f} us cum "
                    f"{calls_n // calls:>3}x  {short}:{line}({function})",
                )
            )
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


def seam_ratios(loopback: dict[str, Any], seam: dict[str, Any]) -> dict[str, float]:
    """The loopback ratio implied by the seam: (loopback time off + CPU added at the seam) / loopback off."""
    return {name: 1 + seam[name]["added_us"] / r["median_off_us"] for name, r in loopback.items()}


def print_non_ai(loopback: dict[str, Any], seam: dict[str, Any], implied: dict[str, float]) -> None:
    print(f"\nNon-AI requests (target: on/off <= {NON_AI_TARGET:.2f}); loopback medians, seam best-of")
    print(
        f"{'request':<23}{'off us':>8}{'on us':>8}{'ratio':>7}{'rounds q1-med-q3':>19}"
        f"{'seam +us':>9}{'seam ratio':>11}  met"
    )
    for name, r in loopback.items():
        spread = f"{r['round_ratio_q1']:.3f}-{r['round_ratio_median']:.3f}-{r['round_ratio_q3']:.3f}"
        met = "yes" if implied[name] <= NON_AI_TARGET else "NO"
        print(
            f"{name:<23}{r['median_off_us']:>8.1f}{r['median_on_us']:>8.1f}{r['ratio']:>7.3f}{spread:>19}"
            f"{seam[name]['added_us']:>9.2f}{implied[name]:>11.4f}  {met}"
        )


def print_backstop(results: dict[str, Any], hooks: dict[str, float]) -> None:
    print(f"\nNew non-AI connections under the backstop's audit hook (target: on/off <= {NON_AI_TARGET:.2f})")
    print(f"{'request':<36}{'off us':>9}{'on us':>9}{'ratio':>8}{'rounds q1-q3':>16}  met")
    for name, r in results.items():
        met = "yes" if r["ratio"] <= NON_AI_TARGET else "NO"
        spread = f"{r['round_ratio_q1']:.3f}-{r['round_ratio_q3']:.3f}"
        print(f"{name:<36}{r['median_off_us']:>9.1f}{r['median_on_us']:>9.1f}{r['ratio']:>8.4f}{spread:>16}  {met}")
    met = "yes" if hooks["implied_ratio"] <= NON_AI_TARGET else "NO"
    print(
        f"audit hooks per new connection, best-of: {hooks['best_off_us']:.2f} us off, {hooks['best_on_us']:.2f} us on "
        f"(+{hooks['added_us']:.2f} us); over an http.client GET on a new connection: "
        f"{hooks['implied_ratio']:.4f}  {met}"
    )


def print_ai(results: dict[str, Any]) -> None:
    print(f"\nAllowed AI call, nothing to redact (target: <= {AI_TARGET_MS} ms added)")
    print(f"{'client':<36}{'off ms':>9}{'on ms':>9}{'added ms':>10}  met")
    for name, r in results.items():
        met = "yes" if r["added_us"] / 1000 <= AI_TARGET_MS else "NO"
        print(
            f"{name:<36}{r['median_off_us'] / 1000:>9.3f}{r['median_on_us'] / 1000:>9.3f}"
            f"{r['added_us'] / 1000:>10.3f}  {met}"
        )


def print_breakdown(breakdown: dict[str, Any], measured: dict[str, Any]) -> None:
    clients = [name for name in breakdown if name != "cprofile_top"]
    print("\nWhere an AI call's added time goes (us per call, aigov enabled, probes installed by this script)")
    print(f"{'stage':<48}" + "".join(f"{name.split(' ')[0]:>10}" for name in clients))
    for row, indent, _ in STAGES:
        print(f"{'  ' * indent + row:<48}" + "".join(f"{breakdown[name][row]:>10.1f}" for name in clients))
    print(
        f"{'measured added (A/B above, no probes)':<48}"
        + "".join(f"{measured[name]['added_us']:>10.1f}" for name in clients)
    )
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
    parser.add_argument("--rounds", type=int, default=30, help="rounds of one off and one on block")
    parser.add_argument("--requests", type=int, default=20, help="non-AI requests per block and kind")
    parser.add_argument("--seam-rounds", type=int, default=6, help="off/on rounds of the no-socket measure")
    parser.add_argument("--seam-number", type=int, default=300, help="requests per timing, no-socket measure")
    parser.add_argument("--ai-rounds", type=int, default=10, help="rounds of one off and one on AI block")
    parser.add_argument("--ai-calls", type=int, default=40, help="AI calls per block and client")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests per kind and mode first")
    parser.add_argument("--profile-calls", type=int, default=300, help="AI calls per client when profiling")
    parser.add_argument(
        "--cprofile-top",
        type=int,
        default=0,
        help="also list the N aigov functions with the most own time under cProfile (httpx2 client)",
    )
    parser.add_argument(
        "--evidence-dir",
        type=Path,
        default=None,
        help="where the evidence log goes (default: a temp dir); fsync cost depends on its disk",
    )
    parser.add_argument("--skip-non-ai", action="store_true", help="skip target 1")
    parser.add_argument("--skip-ai", action="store_true", help="skip target 2 and the profile")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin this process to CPU 0 and the servers to "
        "CPU 1 (steadier on an idle machine, worse when others share it)",
    )
    args = parser.parse_args(argv)
    if args.pin:
        pin("0")
        os.environ[SERVER_CPU] = "1"
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
                loopback = alternate(non_ai_requests(base), args.rounds, args.requests, args.warmup)
                backstop = alternate(backstop_requests(base), args.rounds, args.requests, args.warmup)
            seam = seam_cost(canned_non_ai_requests(), args.seam_rounds, args.seam_number)
            implied = seam_ratios(loopback, seam)
            hooks = connection_events_cost(args.seam_rounds, args.seam_number)
            new_connection = backstop["http.client GET (new connection)"]["median_off_us"]
            hooks["implied_ratio"] = 1 + hooks["added_us"] / new_connection
            results["non_ai"] = {"loopback": loopback, "seam": seam, "seam_ratio": implied, "backstop": backstop}
            results["non_ai"]["connection_hooks"] = hooks
            print_non_ai(loopback, seam, implied)
            print_backstop(backstop, hooks)
        if not args.skip_ai:
            with stand_in_provider() as base:
                clients = ai_requests(f"{base}/v1")
                results["ai"] = alternate(clients, args.ai_rounds, args.ai_calls, args.warmup)
                print_ai(results["ai"])
                results["ai_breakdown_us"] = profile_ai(clients, args.profile_calls, args.cprofile_top)
            print_breakdown(results["ai_breakdown_us"], results["ai"])
        results["evidence_records"] = counts = evidence_counts(folder / "evidence")
    if counts.get("ai.call", 0) != counts.get("ai.response", 0) or (args.skip_ai and counts.get("ai.call")):
        raise SystemExit(f"the evidence does not match the calls made: {counts}")
    print(
        f"\nevidence records written: {results['evidence_records']} "
        f"(filesystem: {results['machine']['evidence_filesystem']})"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"results written to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
