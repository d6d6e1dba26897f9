"""A stand-in Vertex AI PredictionService over gRPC on loopback: GenerateContent and StreamGenerateContent.

A grpcio server with a generic handler and raw-bytes (de)serializers (protobuf is not needed): it keeps every
request it received (its bytes, and its JSON read by aigov's own reader) and answers with the reply text and
usage, in one message or streamed in pieces. Any other method of any service (`/test.Echo/Say`) echoes its
request: a gRPC call that is not AI.

>>> with StandInPrediction() as server:  # doctest: +SKIP
...     channel = grpc.insecure_channel(server.target)
"""

from __future__ import annotations

from concurrent import futures
from dataclasses import dataclass
from typing import Any

from jupyter_aigov.providers.grpc_messages import request_twin
from jupyter_aigov.providers.protobuf import new_field

SERVICES = ("google.cloud.aiplatform.v1.PredictionService", "google.cloud.aiplatform.v1beta1.PredictionService")
ECHO_METHOD = "/test.Echo/Say"
PROMPT_TOKENS, CANDIDATE_TOKENS = 11, 7


@dataclass
class Received:
    """One request the stand-in received: the method, its bytes, and its JSON (None for a non-AI method)."""

    method: str
    data: bytes
    body: dict[str, Any] | None


def answer_message(text: str, *, usage: bool = True, function_call: str | None = None) -> bytes:
    """A GenerateContentResponse: one candidate with the text (or a function call), and usage metadata."""
    part = new_field(5, new_field(1, function_call).raw).raw if function_call is not None else new_field(1, text).raw
    content = new_field(1, "model").raw + new_field(2, part).raw
    candidate = new_field(1, 0).raw + new_field(2, content).raw
    message = new_field(2, candidate).raw + new_field(11, "stand-in-001").raw
    if usage:
        counts = new_field(1, PROMPT_TOKENS).raw + new_field(2, CANDIDATE_TOKENS).raw
        message += new_field(4, counts + new_field(3, PROMPT_TOKENS + CANDIDATE_TOKENS).raw).raw
    return message


class StandInPrediction:
    """The server: `target` is host:port; `received` what it was sent; `reply_text` what it answers."""

    def __init__(self, reply_text: str = "Hello from the stand-in Vertex AI.") -> None:
        import grpc

        self.reply_text = reply_text
        self.function_call: str | None = None  # answer with a call of this function instead of text
        self.received: list[Received] = []
        self._grpc = grpc
        self._server: Any = None
        self.port = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def clear(self) -> None:
        self.received.clear()
        self.function_call = None

    def __enter__(self) -> StandInPrediction:
        grpc = self._grpc
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        server.add_generic_rpc_handlers((_Handler(self, grpc),))
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.stop(None).wait()
            self._server = None

    # -- the methods --------------------------------------------------------------------------------
    def generate(self, data: bytes, context: Any) -> bytes:
        self._keep("GenerateContent", data)
        return answer_message(self.reply_text, function_call=self.function_call)

    def stream(self, data: bytes, context: Any) -> Any:
        self._keep("StreamGenerateContent", data)
        words = self.reply_text.split(" ")
        for index, word in enumerate(words):
            last = index == len(words) - 1
            yield answer_message(word + ("" if last else " "), usage=last)

    def echo(self, data: bytes, context: Any) -> bytes:
        self.received.append(Received(ECHO_METHOD, data, None))
        return data

    def _keep(self, method: str, data: bytes) -> None:
        self.received.append(Received(method, data, request_twin("vertex", data).body))


class _Handler:
    """grpc.GenericRpcHandler: the PredictionService's two methods, and an echo for any other method."""

    def __init__(self, server: StandInPrediction, grpc: Any) -> None:
        self._server, self._grpc = server, grpc

    def service(self, details: Any) -> Any:
        grpc, server = self._grpc, self._server
        service, _, method = details.method.lstrip("/").partition("/")
        if service in SERVICES and method == "GenerateContent":
            return grpc.unary_unary_rpc_method_handler(server.generate)
        if service in SERVICES and method == "StreamGenerateContent":
            return grpc.unary_stream_rpc_method_handler(server.stream)
        return grpc.unary_unary_rpc_method_handler(server.echo)
