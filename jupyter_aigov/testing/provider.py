"""Run the stand-in AI provider from the command line until interrupted: see main()."""

from __future__ import annotations

import argparse
import contextlib
import threading

from jupyter_aigov.testing.exchange import DEFAULT_REPLY_TEXT
from jupyter_aigov.testing.server import StandInProvider

__all__ = ["StandInProvider", "main"]


def main(argv: list[str] | None = None) -> None:
    """Serve until interrupted, printing the base URL of each SDK."""
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_aigov.testing.provider",
        description="Serve a loopback stand-in AI provider until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--reply-text", default=DEFAULT_REPLY_TEXT, help="answer template with {provider} and {prompt}")
    args = parser.parse_args(argv)
    with StandInProvider(args.port, args.reply_text) as provider:
        print(f"Stand-in AI provider serving on {provider.url}")
        for name, url in [
            ("OpenAI base_url", provider.openai_base_url),
            ("Azure OpenAI azure_endpoint", provider.azure_endpoint),
            ("Anthropic base_url", provider.anthropic_base_url),
            ("Gemini HttpOptions base_url", provider.gemini_base_url),
            ("Bedrock endpoint_url", provider.bedrock_endpoint_url),
            ("Ollama host", provider.ollama_base_url),
        ]:
            print(f"  {name:<28} {url}")
        print("Press Ctrl-C to stop.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
