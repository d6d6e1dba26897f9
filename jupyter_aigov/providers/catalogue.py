"""Recognise AI calls among a kernel's outbound HTTP requests, by the data in catalogue.yaml."""

from __future__ import annotations

import functools
import gzip
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from jupyter_aigov.providers import (
    anthropic,
    bedrock,
    gemini,
    gemini_live,
    grpc_messages,
    ollama,
    openai,
    openai_realtime,
)
from jupyter_aigov.providers.base import AIRequest, WireFormat, header_value, string_leaves

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")

WIRE_FORMATS: Mapping[str, WireFormat] = {
    "openai": openai,
    "anthropic": anthropic,
    "gemini": gemini,
    "bedrock": bedrock,
    "ollama": ollama,
    "openai-realtime": openai_realtime,
    "gemini-live": gemini_live,
}

ExtraProvider = tuple[str, str, str]  # (name, base_url, api), as declared in a policy's `providers:`
Body = bytes | bytearray | memoryview | str

_TEMPLATE_TOKEN = re.compile(r"\*\*|\{(\w+)(\+?)\}")


@dataclass(frozen=True)
class Operation:
    """One operation of a wire format: the URL paths it is served at and what its body must hold."""

    api: str
    name: str
    pattern: re.Pattern[str]
    requires: tuple[str, ...]
    template: str  # as written in the catalogue, e.g. "**/models/{model}:generateContent"


@dataclass(frozen=True)
class SocketEndpoint:
    """An AI endpoint reached over a websocket: where its model is named, at connect or in its first message."""

    api: str
    name: str
    pattern: re.Pattern[str]
    model_query: tuple[str, ...]  # query parameters naming the model, the first present wins
    model_in_first_message: bool


SOCKET_SCHEMES = ("ws", "wss")
UNKNOWN_SOCKET = "websocket"  # the operation of a websocket to an AI host that no endpoint describes


@dataclass(frozen=True)
class PathSplit:
    """A call's URL path cut where its template's leading `**` ends: base URL prefix, then operation."""

    prefix: str  # what `**` matched: "/v1", "/v1beta", "/v1/projects/p/locations/l/publishers/google", ""
    operation: str  # the rest: "/chat/completions", "/models/gemini-2.0-flash:generateContent"
    model: tuple[int, int] | None  # operation[start:end] is the {model} segment, when the path names the model


def compile_template(template: str) -> re.Pattern[str]:
    """A path template ("**/models/{model}:generateContent") as a regex with named groups."""
    regex, pos = [], 0
    for match in _TEMPLATE_TOKEN.finditer(template):
        regex.append(re.escape(template[pos : match.start()]))
        if match.group(0) == "**":
            regex.append(".*")
        else:
            regex.append(f"(?P<{match.group(1)}>{'.+' if match.group(2) else '[^/]+'})")
        pos = match.end()
    regex.append(re.escape(template[pos:]))
    return re.compile("".join(regex))


@functools.cache
def _split_pattern(template: str) -> re.Pattern[str]:
    """A template's regex with what its leading `**` matches captured as the group "prefix"."""
    if template.startswith("**"):
        return re.compile("(?P<prefix>.*)" + compile_template(template[2:]).pattern)
    return re.compile("(?P<prefix>)" + compile_template(template).pattern)


class Catalogue:
    """The known AI providers and wire formats; `recognise()` tells which requests are AI calls."""

    def __init__(self, data: Mapping[str, Any], formats: Mapping[str, WireFormat] = WIRE_FORMATS) -> None:
        self.data = data
        self.formats = formats  # the module (or object) reading each api's bodies
        self.operations: dict[str, list[Operation]] = {}
        # Operations by the last path segment (or ":verb") they end in, per api, in catalogue order:
        # a request is only ever matched against the few templates that could fit it.
        self._by_ending: dict[str, dict[str, list[Operation]]] = {}
        for api, spec in data["apis"].items():
            if api not in formats:
                raise ValueError(f"catalogue api {api!r} has no wire-format module; known: {sorted(formats)}")
            self.operations[api] = []
            for op in spec["operations"]:
                for template in op["paths"]:
                    last = template.rsplit("/", 1)[-1]
                    ending = last if "{" not in last else last.rsplit("}", 1)[-1]
                    if "{" in last and not (ending.startswith(":") and len(ending) > 1):
                        raise ValueError(f"catalogue path {template!r} must end in a literal segment or ':verb'")
                    operation = Operation(
                        api, op["name"], compile_template(template), tuple(op.get("requires", ())), template
                    )
                    self.operations[api].append(operation)
                    self._by_ending.setdefault(ending, {}).setdefault(api, []).append(operation)
        self.providers: dict[str, tuple[str, ...]] = {}
        self._hosts: dict[str, str] = {}
        globs: list[str] = []
        self._glob_providers: list[str] = []
        for provider, spec in data["providers"].items():
            self.providers[provider] = tuple(spec["apis"])
            for host in spec["hosts"]:
                host = host.lower()
                if "*" in host:
                    glob = re.escape(host).replace(r"\*", "[a-z0-9.-]+")
                    globs.append(f"(?P<g{len(globs)}>{glob})")
                    self._glob_providers.append(provider)
                else:
                    self._hosts[host] = provider
        # One alternation for every glob: one regex run per unknown host, not one per glob.
        self._host_glob = re.compile("|".join(globs)) if globs else None
        self.refused_sockets = tuple(
            (api, compile_template(template))
            for api, templates in (data.get("refused_websockets") or {}).items()
            for template in templates
        )
        self.sockets: list[SocketEndpoint] = []
        for api, spec in (data.get("websockets") or {}).items():
            if api not in formats:
                raise ValueError(f"catalogue websocket api {api!r} has no wire-format module; known: {sorted(formats)}")
            for endpoint in spec["endpoints"]:
                for template in endpoint["paths"]:
                    self.sockets.append(
                        SocketEndpoint(
                            api,
                            endpoint["name"],
                            compile_template(template),
                            tuple(endpoint.get("model_query", ())),
                            bool(endpoint.get("model_in_first_message", False)),
                        )
                    )
        self.grpc_methods: dict[str, GrpcMethod] = {}
        for path, spec in (data.get("grpc") or {}).items():
            method = GrpcMethod(spec["api"], spec["operation"], spec["messages"])
            if method.api not in formats or method.messages not in grpc_messages.FAMILIES:
                raise ValueError(f"catalogue grpc method {path!r} names an unknown api or message family")
            self.grpc_methods[path] = method

    @classmethod
    def from_file(cls, path: str | Path) -> Catalogue:
        """Load a catalogue from a YAML file shaped like the built-in catalogue.yaml."""
        return cls(yaml.safe_load(Path(path).read_text(encoding="utf-8")))

    def extended(self, entries: Mapping[str, Any], formats: Mapping[str, WireFormat]) -> Catalogue:
        """This catalogue with more apis (read by `formats`) and providers, shaped like catalogue.yaml.

        Entries only add: an api, provider or host the catalogue has already is a ValueError.
        """
        apis, providers = dict(entries.get("apis") or {}), dict(entries.get("providers") or {})
        sockets = dict(entries.get("websockets") or {})
        unknown = sorted(set(entries) - {"apis", "providers", "websockets"})
        clashes = [
            *(f"api {name!r}" for name in {*apis, *formats} if name in self.formats),
            *(f"provider {name!r}" for name in providers if name in self.providers),
            *(f"websocket api {name!r}" for name in sockets if name in (self.data.get("websockets") or {})),
            *(
                f"host {host!r}"
                for spec in providers.values()
                for host in spec["hosts"]
                if host.lower() in self._hosts or (self._host_glob and self._host_glob.fullmatch(host.lower()))
            ),
        ]
        if unknown or clashes:
            said = f"unknown keys {', '.join(unknown)}" if unknown else f"already known: {', '.join(clashes)}"
            raise ValueError(f"catalogue entries can only add apis and providers ({said})")
        data = {
            **self.data,
            "apis": {**self.data["apis"], **apis},
            "providers": {**self.data["providers"], **providers},
            "websockets": {**(self.data.get("websockets") or {}), **sockets},
        }
        return Catalogue(data, {**self.formats, **formats})

    def wire_format(self, api: str) -> WireFormat:
        """The module (or object) reading one of this catalogue's wire formats."""
        return self.formats[api]

    @property
    def apis(self) -> tuple[str, ...]:
        """The wire formats, in the order tried on unknown hosts (valid providers[].api values)."""
        return tuple(self.operations)

    def might_be_ai(self, method: str, url: str) -> bool:
        """The cheap pre-filter: a POST whose last path segment an AI operation ends in, or to an AI host;
        a websocket to an AI endpoint or host; a gRPC call (grpc://target/package.Service/Method) to a
        method the catalogue names."""
        if url[:2].lower() == "ws" and is_socket_url(url):
            return self.recognise_socket(url) is not None
        if url.startswith(GRPC_SCHEME):
            return urlsplit(url).path in self.grpc_methods
        return self._candidates(method, url) is not None

    def socket_endpoint(self, url: str) -> SocketEndpoint | None:
        """The websocket endpoint a ws:// or wss:// URL's path is, if the catalogue describes it."""
        path = urlsplit(url).path.rstrip("/")
        for endpoint in self.sockets:
            if endpoint.pattern.fullmatch(path) or ("%" in path and endpoint.pattern.fullmatch(unquote(path))):
                return endpoint
        return None

    def recognise_socket(self, url: str, extra_providers: Iterable[ExtraProvider] = ()) -> AIRequest | None:
        """The AI session a websocket URL opens, or None; its model when the URL names it.

        A websocket to an AI host whose path no endpoint describes, or to a path of `refused_websockets` on any
        host, is an AI call of operation "websocket" (aigov cannot read it: it is refused). An endpoint's path
        is recognised on any host, as on HTTP.

        >>> get_catalogue().recognise_socket("wss://api.openai.com/v1/realtime?model=gpt-realtime").model
        'gpt-realtime'
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        as_http = ("https" if parts.scheme.lower() == "wss" else "http") + url[len(parts.scheme) :]
        provider, apis = self._provider(as_http, parts.hostname or "", port, extra_providers)
        endpoint = self.socket_endpoint(url)
        if endpoint is None:
            path = parts.path.rstrip("/")
            api = next((api for api, pattern in self.refused_sockets if pattern.fullmatch(path)), None)
            if provider is None and api is None:
                return None
            api = api or apis[0]
            return AIRequest(provider or f"{api}-compatible", api, UNKNOWN_SOCKET, None, True, None)
        query = dict(parse_qsl(parts.query))
        model = next((query[key] for key in endpoint.model_query if query.get(key)), None)
        return AIRequest(provider or f"{endpoint.api}-compatible", endpoint.api, endpoint.name, model, True, None)

    def split_path(self, api: str, operation: str, path: str) -> PathSplit | None:
        """Where the path of a call recognised as `operation` of `api` splits into the prefix its template's
        `**` matched and the operation part; None for "other" operations, which no template describes.

        >>> get_catalogue().split_path("gemini", "generateContent", "/v1beta/models/gemini-2.0-flash:generateContent")
        PathSplit(prefix='/v1beta', operation='/models/gemini-2.0-flash:generateContent', model=(8, 24))
        """
        path = path.rstrip("/")
        for op in self.operations.get(api, ()):
            if op.name != operation:
                continue
            pattern = _split_pattern(op.template)
            # as recognise() matched it: the path as sent, else percent-escapes decoded
            match = pattern.fullmatch(path) or ("%" in path and pattern.fullmatch(unquote(path))) or None
            if match is None:
                continue
            start = match.end("prefix")
            model = match.span("model") if "model" in pattern.groupindex else None
            return PathSplit(
                match.string[:start], match.string[start:], (model[0] - start, model[1] - start) if model else None
            )
        return None

    def _candidates(self, method: str, url: str) -> dict[str, list[Operation]] | None:
        """The operations (per api) a request could be, from its method and last path segment alone;
        an empty mapping for any other POST to a known AI host, which is decided all the same."""
        if method != "POST" and method.upper() != "POST":
            return None
        # what the server routes on: no fragment, no query, no trailing slash, percent-escapes decoded
        path = url.partition("#")[0].partition("?")[0].rstrip("/")
        last = path[path.rfind("/") + 1 :]
        if "%" in last:
            last = unquote(last)
        found = self._by_ending.get(last)
        if found is None and (colon := last.rfind(":")) >= 0:
            found = self._by_ending.get(last[colon:])
        if found is None and self._known_host(url):
            return _ANY_OPERATION
        return found

    def _known_host(self, url: str) -> bool:
        try:
            parts = urlsplit(url)
            return self.provider_for_host(parts.hostname or "", parts.port) is not None
        except ValueError:
            return False

    def provider_for_host(self, host: str, port: int | None = None) -> str | None:
        """The provider serving a host (and port), or None when the host is not in the catalogue."""
        host = host.lower()
        if port is not None:
            key = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            if key in self._hosts:
                return self._hosts[key]
        if host in self._hosts:
            return self._hosts[host]
        match = self._host_glob.fullmatch(host) if self._host_glob else None
        if match is None or match.lastgroup is None:
            return None
        return self._glob_providers[int(match.lastgroup[1:])]

    def recognise(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: Body | None = None,
        extra_providers: Iterable[ExtraProvider] = (),
    ) -> AIRequest | None:
        """The AI call this request is, or None; cheap for the non-AI traffic that is most of it.

        >>> get_catalogue().recognise("POST", "http://127.0.0.1:8000/v1/chat/completions", None,
        ...     b'{"model": "m", "messages": [{"role": "user", "content": "hi"}]}').provider
        'openai-compatible'
        """
        if url[:2].lower() == "ws" and is_socket_url(url):
            return self.recognise_socket(url, extra_providers)
        if url.startswith(GRPC_SCHEME):
            return self._recognise_grpc(url, body, extra_providers)
        candidates = self._candidates(method, url)
        if candidates is None:
            return None
        if body is not None and not isinstance(body, bytes):
            body = body.encode() if isinstance(body, str) else bytes(body)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        provider, apis = self._provider(url, parts.hostname or "", port, extra_providers)
        known = provider is not None
        # a key an operation needs can be looked for in the raw bytes when they are plain UTF-8
        plain = body if body and not header_value(headers, "content-encoding") and b"\x00" not in body[:4] else None
        parsed: Any = _UNPARSED
        path = parts.path.rstrip("/")
        for api in apis:
            for op in candidates.get(api, ()):
                match = op.pattern.fullmatch(path) or ("%" in path and op.pattern.fullmatch(unquote(path))) or None
                if match is None:
                    continue
                if not known and body is None:
                    # an AI-shaped path with a body we cannot read (a streamed upload): decided, model unknown
                    return AIRequest(f"{api}-compatible", api, op.name, None, False, None)
                # (not when the JSON escapes characters: "\u006dodel" is "model" once parsed)
                if (
                    not known
                    and plain
                    and b"\\u" not in plain
                    and not all(f'"{key}"'.encode() in plain for key in op.requires)
                ):
                    continue  # a key it needs is not even in the bytes: no need to parse them
                if parsed is _UNPARSED:
                    parsed = _parse_json(headers, body)
                if not known and not (isinstance(parsed, dict) and all(k in parsed for k in op.requires)):
                    continue
                params = {k: unquote(v) for k, v in match.groupdict().items() if v is not None}
                json_body = parsed if isinstance(parsed, dict) else None
                model, stream, text_parts, tools = self.formats[api].parse_request(op.name, params, json_body)
                return AIRequest(
                    provider=provider or f"{api}-compatible",
                    api=api,
                    operation=op.name,
                    model=model,
                    stream=stream,
                    body=json_body,
                    text_parts=text_parts,
                    tools=tools,
                )
        if known and provider is not None:
            return _other_operation(provider, apis[0], _parse_json(headers, body) if parsed is _UNPARSED else parsed)
        return None

    def _recognise_grpc(
        self, url: str, body: Body | None, extra_providers: Iterable[ExtraProvider]
    ) -> AIRequest | None:
        """A gRPC call to a method the catalogue names, decided as its REST twin; None for any other method.

        The twin's JSON is read from the request message; a message that cannot be read leaves the body None
        (the pipeline refuses it when the policy must read it).
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return None
        method = self.grpc_methods.get(parts.path)
        if method is None:
            return None
        target = parts.netloc.lower()
        provider = next(
            (name for name, base_url, api in extra_providers if api == method.api and _authority(base_url) == target),
            None,
        ) or self.provider_for_host(parts.hostname or "", port)
        stream = method.operation.startswith("stream")
        named = provider or f"{method.api}-compatible"
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            twin = grpc_messages.request_twin(method.messages, bytes(body)) if body is not None else None
        except ValueError:
            twin = None
        if twin is None:
            return AIRequest(named, method.api, method.operation, None, stream, None)
        resource = twin.body.get("model")
        params: dict[str, str] = {}
        for op in self.operations[method.api]:
            found = op.pattern.fullmatch(f"/{resource}:{method.operation}") if op.name == method.operation else None
            if found is not None:
                params = {k: v for k, v in found.groupdict().items() if v is not None}
                break
        model, stream, text_parts, tools = self.formats[method.api].parse_request(method.operation, params, twin.body)
        if model is None and isinstance(resource, str) and resource:
            model = resource
        return AIRequest(
            provider=named,
            api=method.api,
            operation=method.operation,
            model=model,
            stream=stream,
            body=twin.body,
            text_parts=text_parts,
            tools=tools,
            messages=grpc_messages.Codec(method.messages, twin),
        )

    def _provider(
        self, url: str, host: str, port: int | None, extra_providers: Iterable[ExtraProvider]
    ) -> tuple[str | None, tuple[str, ...]]:
        """Who serves the URL (a policy-declared provider first) and the wire formats to try."""
        for name, base_url, api in extra_providers:
            if api not in self.formats:
                raise ValueError(
                    f"policy provider {name!r} declares api {api!r}; use one of {', '.join(self.formats)} "
                    "in the policy's providers[].api"
                )
            base = str(base_url).rstrip("/")  # str(): a policy may hold a URL object
            if url[: len(base)].lower() == base.lower() and url[len(base) : len(base) + 1] in ("", "/", "?"):
                return name, (api,)
        provider = self.provider_for_host(host, port)
        if provider is None:
            return None, self.apis
        return provider, self.providers[provider]


_UNPARSED = object()
GRPC_SCHEME = "grpc://"  # how a layer names a gRPC call: grpc://host:port/package.Service/Method


@dataclass(frozen=True)
class GrpcMethod:
    """A gRPC method that is an AI call: the wire format and operation of its REST twin, the messages it carries."""

    api: str
    operation: str
    messages: str


def _authority(base_url: str) -> str:
    """host:port of a policy provider's base_url (the port its scheme implies when none is written)."""
    try:
        parts = urlsplit(str(base_url))
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return ""
    host = parts.hostname or ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def is_socket_url(url: str) -> bool:
    """Whether a URL is a websocket's (ws:// or wss://)."""
    return url.partition("://")[0].lower() in SOCKET_SCHEMES


_ANY_OPERATION: dict[str, list[Operation]] = {}


def _other_operation(provider: str, api: str, parsed: Any) -> AIRequest:
    """A POST to a known AI host that no catalogue operation describes (batches, files, threads...):
    decided all the same, with whatever model its body names, and every string in it as text."""
    body = parsed if isinstance(parsed, dict) else None
    model = body.get("model") if body is not None else None
    return AIRequest(
        provider=provider,
        api=api,
        operation="other",
        model=model if isinstance(model, str) else None,
        stream=bool(body.get("stream")) if body is not None else False,
        body=body,
        text_parts=string_leaves(body, (), None) if body is not None else [],
    )


def _parse_json(headers: Mapping[str, str] | None, body: bytes | None) -> Any:
    """The request body as JSON, or None when it is empty, compressed oddly or not JSON."""
    if not body:
        return None
    encoding = header_value(headers, "content-encoding").lower()
    try:
        raw = gzip.decompress(body) if encoding == "gzip" else zlib.decompress(body) if encoding == "deflate" else body
        return json.loads(raw)
    except (ValueError, OSError, zlib.error, EOFError):
        return None


@functools.cache
def get_catalogue() -> Catalogue:
    """The built-in catalogue, loaded once."""
    return Catalogue.from_file(CATALOGUE_FILE)


_ADDED_FORMATS: dict[str, WireFormat] = {}  # plugins' wire formats, by api name


def add_wire_formats(formats: Mapping[str, WireFormat]) -> None:
    """Make plugins' wire formats known to `wire_format` (a catalogue that recognises their calls holds them too)."""
    _ADDED_FORMATS.update(formats)


def wire_format(api: str) -> WireFormat:
    """The module that reads one wire format ("openai", "anthropic", "gemini", "bedrock", "ollama", a plugin's)."""
    found = WIRE_FORMATS.get(api)
    return found if found is not None else _ADDED_FORMATS[api]
