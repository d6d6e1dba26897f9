"""Servers and canned transports for the overhead benchmarks: loopback HTTP in child processes, or none.

python benchmarks/loopback.py small       # a tiny keep-alive JSON server; prints its port
python benchmarks/loopback.py provider    # the stand-in AI provider with Nagle off; prints its URL
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SMALL_BODY = b'{"ok": true, "items": [1, 2, 3]}'
SERVER_CPU = "AIGOV_BENCH_SERVER_CPU"  # set by the parent to pin its servers to one CPU


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


def pin(cpu: str | None) -> None:
    """Keep this process on one CPU (when given and supported)."""
    if cpu and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {int(cpu)})


def serve_small() -> None:
    """Serve the small server on an ephemeral loopback port, printing the port, until killed."""
    pin(os.environ.get(SERVER_CPU))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SmallHandler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


def serve_provider() -> None:
    """Serve the stand-in AI provider, printing its URL, until killed.

    Its handler writes headers and body separately; with Nagle on, the body then waits for the client's
    delayed ACK (~40 ms on Linux), which hides everything measured here, so Nagle is switched off.
    """
    from jupyter_aigov.testing import StandInProvider, server

    pin(os.environ.get(SERVER_CPU))
    server._Handler.disable_nagle_algorithm = True
    with StandInProvider() as provider:
        print(provider.url, flush=True)
        threading.Event().wait()


@contextlib.contextmanager
def _child(kind: str, parse: Callable[[str], str]) -> Iterator[str]:
    process = subprocess.Popen([sys.executable, __file__, kind], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield parse(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)


def small_server() -> contextlib.AbstractContextManager[str]:
    """The small non-AI server in a child process: yields http://127.0.0.1:PORT."""
    return _child("small", lambda line: f"http://127.0.0.1:{line.strip()}")


def stand_in_provider() -> contextlib.AbstractContextManager[str]:
    """The stand-in AI provider in a child process: yields its base URL."""
    return _child("provider", str.strip)


def canned_requests_session() -> Any:
    """A requests Session whose urllib3 pools answer from memory: the whole client stack, no socket."""
    import requests
    import urllib3
    from urllib3.connectionpool import HTTPConnectionPool

    class CannedPool(HTTPConnectionPool):
        def _make_request(self, conn: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            headers = {"Content-Type": "application/json", "Content-Length": str(len(SMALL_BODY))}
            return urllib3.HTTPResponse(
                body=io.BytesIO(SMALL_BODY),
                headers=headers,
                status=200,
                preload_content=kwargs.get("preload_content", True),
                decode_content=kwargs.get("decode_content", True),
                request_method=method,
                request_url=url,
                pool=self,
                connection=kwargs.get("response_conn"),
            )

    adapter = requests.adapters.HTTPAdapter()
    adapter.poolmanager.pool_classes_by_scheme = {"http": CannedPool, "https": CannedPool}
    session = requests.Session()
    session.mount("http://", adapter)
    return session


if __name__ == "__main__":
    {"small": serve_small, "provider": serve_provider}[sys.argv[1]]()
