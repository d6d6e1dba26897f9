"""How much Catalogue.recognise() costs per request: non-AI traffic must be nearly free.

Run: .venv/bin/python benchmarks/bench_recognise.py
"""

from __future__ import annotations

import json
import timeit

from jupyter_aigov.providers import get_catalogue

CHAT = json.dumps(
    {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {
                "role": "user",
                "content": "Summarise the quarterly churn figures for the board in three bullets.",
            },
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
    }
).encode()

CASES: list[tuple[str, str, str, dict[str, str] | None, bytes | None]] = [
    ("non-AI: GET a web page", "GET", "https://example.com/docs/index.html?q=1", None, None),
    (
        "non-AI: PUT to S3",
        "PUT",
        "https://bucket.s3.amazonaws.com/data/part-0001.parquet",
        None,
        b"PAR1" * 1000,
    ),
    (
        "non-AI: POST form upload",
        "POST",
        "https://example.com/upload",
        {"content-type": "multipart/form-data"},
        b"x",
    ),
    ("non-AI: POST JSON to /api/chat", "POST", "https://example.com/api/chat", None, b'{"text": "hello"}'),
    ("AI: OpenAI chat (known host)", "POST", "https://api.openai.com/v1/chat/completions", None, CHAT),
    ("AI: vLLM chat (unknown host)", "POST", "http://127.0.0.1:8000/v1/chat/completions", None, CHAT),
    (
        "AI: Bedrock converse (ARN)",
        "POST",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3A"
        "inference-profile%2Fus.anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse",
        None,
        b'{"messages": [{"role": "user", "content": [{"text": "hello"}]}]}',
    ),
]


def main() -> None:
    catalogue = get_catalogue()
    for label, method, url, headers, body in CASES:
        timer = timeit.Timer(lambda: catalogue.recognise(method, url, headers, body))  # noqa: B023
        loops, _ = timer.autorange()
        best = min(timer.repeat(repeat=5, number=loops)) / loops
        print(f"{label:<34} {best * 1e9:>9.0f} ns")


if __name__ == "__main__":
    main()
