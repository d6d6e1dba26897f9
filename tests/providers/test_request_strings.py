"""Every string of a request body is analysed but the wire format's own words: a table per wire format."""

from __future__ import annotations

from typing import Any

import pytest

from jupyter_aigov.providers import value_at, wire_format
from jupyter_aigov.providers.base import JsonPath
from jupyter_aigov.providers.request_strings import Structure, request_strings

Paths = list[str]

OPENAI_CHAT = {
    "model": "gpt-4o-mini",
    "user": "frank.holt@example.com",
    "metadata": {"owner": "Frank Holt"},
    "messages": [
        {"role": "system", "content": "Be terse."},
        {
            "role": "user",
            "name": "Frank",
            "content": [
                {"type": "text", "text": "hi"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO", "detail": "low"}},
                {"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}},
            ],
        },
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": 1}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "found"},
    ],
    "tools": [
        {
            "type": "function",
            "function": {
                "name": "lookup",
                "description": "Find a customer",
                "parameters": {
                    "type": "object",
                    "properties": {"q": {"type": "string", "description": "who", "enum": ["Frank Holt"]}},
                    "required": ["q"],
                },
            },
        }
    ],
    "tool_choice": "auto",
    "response_format": {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "description": "The answer",
            "schema": {
                "title": "Answer",
                "type": "object",
                "properties": {
                    "email": {"type": "string", "format": "email", "default": "a@b.c", "examples": ["x@y.z"]},
                    "kind": {"anyOf": [{"type": "string", "const": "c"}]},
                },
            },
        },
    },
    "stop": ["END"],
}
OPENAI_RESPONSES = {
    "model": "gpt-4.1",
    "instructions": "Be terse.",
    "safety_identifier": "frank.holt@example.com",
    "input": [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "hi"},
                {"type": "input_image", "image_url": "data:image/png;base64,iVBO", "detail": "auto"},
                {"type": "input_image", "image_url": "https://example.com/frank.png"},
                {"type": "input_file", "filename": "cv.pdf", "file_data": "JVBERi0x"},
            ],
        },
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "t"}],
            "encrypted_content": "gA",
        },
        {"type": "function_call", "call_id": "c1", "name": "lookup", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "c1", "output": "Frank"},
    ],
    "tools": [{"type": "function", "name": "lookup", "description": "Find", "parameters": {"type": "object"}}],
    "text": {"format": {"type": "json_schema", "name": "out", "schema": {"description": "An answer"}}},
    "metadata": {"k": "v"},
    "previous_response_id": "resp_1",
    "include": ["reasoning.encrypted_content"],
}
ANTHROPIC = {
    "model": "claude-sonnet-4-6",
    "metadata": {"user_id": "frank.holt@example.com"},
    "system": [{"type": "text", "text": "Be terse.", "cache_control": {"type": "ephemeral"}}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}},
                {
                    "type": "document",
                    "source": {"type": "text", "media_type": "text/plain", "data": "memo"},
                    "title": "T",
                },
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "EqQB"},
                {"type": "redacted_thinking", "data": "EmwK"},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "Frank"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": [{"type": "text", "text": "found"}]}
            ],
        },
    ],
    "tools": [
        {
            "name": "lookup",
            "description": "Find a customer",
            "input_schema": {"type": "object", "properties": {"q": {"type": "string", "description": "who"}}},
        },
        {"type": "web_search_20250305", "name": "web_search", "user_location": {"type": "approximate", "city": "Oslo"}},
    ],
    "tool_choice": {"type": "tool", "name": "lookup"},
    "stop_sequences": ["END"],
}
GEMINI = {
    "contents": [
        {
            "role": "user",
            "parts": [
                {"text": "hi"},
                {"inlineData": {"mimeType": "image/png", "data": "iVBO"}},
                {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/cv.pdf"}},
            ],
        },
        {
            "role": "model",
            "parts": [{"functionCall": {"name": "lookup", "args": {"q": "Frank"}}, "thoughtSignature": "CiQB"}],
        },
        {"role": "user", "parts": [{"function_response": {"name": "lookup", "response": {"out": "found"}}}]},
    ],
    "systemInstruction": {"parts": [{"text": "Be terse."}]},
    "tools": [
        {
            "functionDeclarations": [
                {
                    "name": "lookup",
                    "description": "Find a customer",
                    "parameters": {"type": "OBJECT", "properties": {"q": {"type": "STRING", "description": "who"}}},
                }
            ]
        }
    ],
    "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["lookup"]}},
    "generationConfig": {
        "responseMimeType": "application/json",
        "response_schema": {"type": "OBJECT", "title": "Answer", "property_ordering": ["a"]},
        "stopSequences": ["END"],
    },
    "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
    "labels": {"owner": "frank"},
}
OLLAMA = {
    "model": "llama3.2",
    "keep_alive": "5m",
    "messages": [
        {"role": "system", "content": "Be terse."},
        {"role": "user", "content": "hi", "images": ["iVBO"]},
        {"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "lookup", "arguments": {"q": "F"}}}]},
        {"role": "tool", "tool_name": "lookup", "content": "found"},
    ],
    "tools": [
        {
            "type": "function",
            "function": {"name": "lookup", "description": "Find", "parameters": {"type": "object", "title": "P"}},
        }
    ],
    "format": {"type": "object", "description": "An answer"},
    "options": {"stop": ["END"], "temperature": 0},
}
BEDROCK_CONVERSE = {
    "system": [{"text": "Be terse."}, {"cachePoint": {"type": "default"}}],
    "messages": [
        {
            "role": "user",
            "content": [
                {"text": "hi"},
                {"image": {"format": "png", "source": {"bytes": "iVBO"}}},
                {"document": {"format": "pdf", "name": "Frank CV", "source": {"bytes": "JVBE"}}},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"reasoningContent": {"reasoningText": {"text": "hmm", "signature": "EqQB"}}},
                {"toolUse": {"toolUseId": "t1", "name": "lookup", "input": {"q": "Frank"}}},
            ],
        },
        {
            "role": "user",
            "content": [{"toolResult": {"toolUseId": "t1", "status": "success", "content": [{"json": {"o": "x"}}]}}],
        },
    ],
    "toolConfig": {
        "tools": [
            {
                "toolSpec": {
                    "name": "lookup",
                    "description": "Find a customer",
                    "inputSchema": {"json": {"type": "object", "properties": {"q": {"description": "who"}}}},
                }
            }
        ],
        "toolChoice": {"tool": {"name": "lookup"}},
    },
    "inferenceConfig": {"stopSequences": ["END"], "maxTokens": 5},
    "requestMetadata": {"owner": "frank"},
    "additionalModelRequestFields": {"top_k": 5, "note": "n"},
    "additionalModelResponseFieldPaths": ["/stop_sequence"],
}
BEDROCK_INVOKE_ANTHROPIC = {
    "anthropic_version": "bedrock-2023-05-31",
    "max_tokens": 5,
    "metadata": {"user_id": "frank"},
    "messages": [{"role": "user", "content": "hi"}],
    "tools": [{"name": "lookup", "description": "Find", "input_schema": {"type": "object"}}],
}
BEDROCK_INVOKE_COHERE = {"texts": ["one"], "input_type": "search_document", "embedding_types": ["float"]}

# (api, operation, body, examined paths, structural paths); paths dotted. Together they are every string.
CASES: list[tuple[str, str, Any, Paths, Paths]] = [
    (
        "openai",
        "chat.completions",
        OPENAI_CHAT,
        [
            "user",
            "metadata.owner",
            "messages.0.content",
            "messages.1.name",
            "messages.1.content.0.text",
            "messages.2.tool_calls.0.function.arguments",
            "messages.3.content",
            "tools.0.function.description",
            "tools.0.function.parameters.properties.q.description",
            "tools.0.function.parameters.properties.q.enum.0",
            "response_format.json_schema.description",
            "response_format.json_schema.schema.title",
            "response_format.json_schema.schema.properties.email.default",
            "response_format.json_schema.schema.properties.email.examples.0",
            "response_format.json_schema.schema.properties.kind.anyOf.0.const",
            "stop.0",
        ],
        [
            "model",
            "messages.0.role",
            "messages.1.role",
            "messages.1.content.0.type",
            "messages.1.content.1.type",
            "messages.1.content.1.image_url.url",
            "messages.1.content.1.image_url.detail",
            "messages.1.content.2.type",
            "messages.1.content.2.input_audio.data",
            "messages.1.content.2.input_audio.format",
            "messages.2.role",
            "messages.2.tool_calls.0.id",
            "messages.2.tool_calls.0.type",
            "messages.2.tool_calls.0.function.name",
            "messages.3.role",
            "messages.3.tool_call_id",
            "tools.0.type",
            "tools.0.function.name",
            "tools.0.function.parameters.type",
            "tools.0.function.parameters.properties.q.type",
            "tools.0.function.parameters.required.0",
            "tool_choice",
            "response_format.type",
            "response_format.json_schema.name",
            "response_format.json_schema.schema.type",
            "response_format.json_schema.schema.properties.email.type",
            "response_format.json_schema.schema.properties.email.format",
            "response_format.json_schema.schema.properties.kind.anyOf.0.type",
        ],
    ),
    (
        "openai",
        "responses",
        OPENAI_RESPONSES,
        [
            "instructions",
            "safety_identifier",
            "input.0.content.0.text",
            "input.0.content.2.image_url",
            "input.0.content.3.filename",
            "input.1.summary.0.text",
            "input.2.arguments",
            "input.3.output",
            "tools.0.description",
            "text.format.schema.description",
            "metadata.k",
        ],
        [
            "model",
            "input.0.role",
            "input.0.content.0.type",
            "input.0.content.1.type",
            "input.0.content.1.image_url",
            "input.0.content.1.detail",
            "input.0.content.2.type",
            "input.0.content.3.type",
            "input.0.content.3.file_data",
            "input.1.type",
            "input.1.id",
            "input.1.summary.0.type",
            "input.1.encrypted_content",
            "input.2.type",
            "input.2.call_id",
            "input.2.name",
            "input.3.type",
            "input.3.call_id",
            "tools.0.type",
            "tools.0.name",
            "tools.0.parameters.type",
            "text.format.type",
            "text.format.name",
            "previous_response_id",
            "include.0",
        ],
    ),
    (
        "anthropic",
        "messages",
        ANTHROPIC,
        [
            "metadata.user_id",
            "system.0.text",
            "messages.0.content.1.source.data",
            "messages.0.content.1.title",
            "messages.1.content.0.thinking",
            "messages.1.content.2.input.q",
            "messages.2.content.0.content.0.text",
            "tools.0.description",
            "tools.0.input_schema.properties.q.description",
            "tools.1.user_location.city",
            "stop_sequences.0",
        ],
        [
            "model",
            "system.0.type",
            "system.0.cache_control.type",
            "messages.0.role",
            "messages.0.content.0.type",
            "messages.0.content.0.source.type",
            "messages.0.content.0.source.media_type",
            "messages.0.content.0.source.data",
            "messages.0.content.1.type",
            "messages.0.content.1.source.type",
            "messages.0.content.1.source.media_type",
            "messages.1.role",
            "messages.1.content.0.type",
            "messages.1.content.0.signature",
            "messages.1.content.1.type",
            "messages.1.content.1.data",
            "messages.1.content.2.type",
            "messages.1.content.2.id",
            "messages.1.content.2.name",
            "messages.2.role",
            "messages.2.content.0.type",
            "messages.2.content.0.tool_use_id",
            "messages.2.content.0.content.0.type",
            "tools.0.name",
            "tools.0.input_schema.type",
            "tools.0.input_schema.properties.q.type",
            "tools.1.type",
            "tools.1.name",
            "tools.1.user_location.type",
            "tool_choice.type",
            "tool_choice.name",
        ],
    ),
    (
        "gemini",
        "generateContent",
        GEMINI,
        [
            "contents.0.parts.0.text",
            "contents.0.parts.2.fileData.fileUri",
            "contents.1.parts.0.functionCall.args.q",
            "contents.2.parts.0.function_response.response.out",
            "systemInstruction.parts.0.text",
            "tools.0.functionDeclarations.0.description",
            "tools.0.functionDeclarations.0.parameters.properties.q.description",
            "generationConfig.response_schema.title",
            "generationConfig.stopSequences.0",
            "labels.owner",
        ],
        [
            "contents.0.role",
            "contents.0.parts.1.inlineData.mimeType",
            "contents.0.parts.1.inlineData.data",
            "contents.0.parts.2.fileData.mimeType",
            "contents.1.role",
            "contents.1.parts.0.functionCall.name",
            "contents.1.parts.0.thoughtSignature",
            "contents.2.role",
            "contents.2.parts.0.function_response.name",
            "tools.0.functionDeclarations.0.name",
            "tools.0.functionDeclarations.0.parameters.type",
            "tools.0.functionDeclarations.0.parameters.properties.q.type",
            "toolConfig.functionCallingConfig.mode",
            "toolConfig.functionCallingConfig.allowedFunctionNames.0",
            "generationConfig.responseMimeType",
            "generationConfig.response_schema.type",
            "generationConfig.response_schema.property_ordering.0",
            "safetySettings.0.category",
            "safetySettings.0.threshold",
        ],
    ),
    (
        "ollama",
        "chat",
        OLLAMA,
        [
            "messages.0.content",
            "messages.1.content",
            "messages.2.tool_calls.0.function.arguments.q",
            "messages.3.content",
            "tools.0.function.description",
            "tools.0.function.parameters.title",
            "format.description",
            "options.stop.0",
        ],
        [
            "model",
            "keep_alive",
            "messages.0.role",
            "messages.1.role",
            "messages.1.images.0",
            "messages.2.role",
            "messages.2.tool_calls.0.function.name",
            "messages.3.role",
            "messages.3.tool_name",
            "tools.0.type",
            "tools.0.function.name",
            "tools.0.function.parameters.type",
            "format.type",
        ],
    ),
    (
        "bedrock",
        "converse",
        BEDROCK_CONVERSE,
        [
            "system.0.text",
            "messages.0.content.0.text",
            "messages.0.content.2.document.name",
            "messages.1.content.0.reasoningContent.reasoningText.text",
            "messages.1.content.1.toolUse.input.q",
            "messages.2.content.0.toolResult.content.0.json.o",
            "toolConfig.tools.0.toolSpec.description",
            "toolConfig.tools.0.toolSpec.inputSchema.json.properties.q.description",
            "inferenceConfig.stopSequences.0",
            "requestMetadata.owner",
            "additionalModelRequestFields.note",
        ],
        [
            "system.1.cachePoint.type",
            "messages.0.role",
            "messages.0.content.1.image.format",
            "messages.0.content.1.image.source.bytes",
            "messages.0.content.2.document.format",
            "messages.0.content.2.document.source.bytes",
            "messages.1.role",
            "messages.1.content.0.reasoningContent.reasoningText.signature",
            "messages.1.content.1.toolUse.toolUseId",
            "messages.1.content.1.toolUse.name",
            "messages.2.role",
            "messages.2.content.0.toolResult.toolUseId",
            "messages.2.content.0.toolResult.status",
            "toolConfig.tools.0.toolSpec.name",
            "toolConfig.tools.0.toolSpec.inputSchema.json.type",
            "toolConfig.toolChoice.tool.name",
            "additionalModelResponseFieldPaths.0",
        ],
    ),
    (
        "bedrock",
        "invoke",
        BEDROCK_INVOKE_ANTHROPIC,
        ["metadata.user_id", "messages.0.content", "tools.0.description"],
        ["anthropic_version", "messages.0.role", "tools.0.name", "tools.0.input_schema.type"],
    ),
    (
        "bedrock",
        "invoke",
        BEDROCK_INVOKE_COHERE,
        ["texts.0"],
        ["input_type", "embedding_types.0"],
    ),
]


def _dotted(path: JsonPath) -> str:
    return ".".join(map(str, path))


def _every_string(value: Any, path: JsonPath = ()) -> list[str]:
    if isinstance(value, str):
        return [_dotted(path)] if value else []  # an empty string says nothing
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _every_string(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _every_string(item, (*path, index))]
    return []


@pytest.mark.parametrize(
    ("api", "operation", "body", "examined", "structural"),
    CASES,
    ids=[f"{case[0]}-{case[1]}-{i}" for i, case in enumerate(CASES)],
)
def test_when_a_body_is_walked_then_every_string_but_the_formats_own_words_is_examined(
    api: str, operation: str, body: Any, examined: Paths, structural: Paths
) -> None:
    parts = wire_format(api).parse_request(operation, {"model": "m"}, body)[2]
    assert [_dotted(part.path) for part in parts] == examined
    assert sorted(examined + structural) == sorted(_every_string(body))
    for part in parts:
        assert value_at(body, part.path) == part.text


def test_when_a_field_is_new_to_the_wire_format_then_its_strings_are_examined() -> None:
    body = {**OPENAI_CHAT, "added_tomorrow": {"note": "Frank Holt", "list": ["frank.holt@example.com"]}}
    paths = [_dotted(part.path) for part in wire_format("openai").parse_request("chat.completions", {}, body)[2]]
    assert paths[-2:] == ["added_tomorrow.note", "added_tomorrow.list.0"]


@pytest.mark.parametrize(
    ("value", "examined"),
    [
        ("data:image/png;base64,iVBO", False),  # a payload
        ("https://example.com/frank.png", True),  # an address may name someone
    ],
)
def test_when_an_image_url_is_a_data_url_then_it_is_not_text(value: str, examined: bool) -> None:
    body = {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": value}}]}]}
    parts = wire_format("openai").parse_request("chat.completions", {}, body)[2]
    assert [part.text for part in parts] == ([value] if examined else [])


def test_when_a_structural_word_sits_in_tool_data_then_it_is_examined_all_the_same() -> None:
    # "role" and "type" are structure in a message, not inside the data a tool sends back
    body = {"messages": [{"role": "tool", "tool_call_id": "c", "content": [{"type": "text", "text": "x"}]}]}
    body["messages"].append({"role": "tool", "tool_call_id": "d", "content": '{"role": "Frank Holt"}'})
    gemini = {"contents": [{"parts": [{"functionResponse": {"name": "f", "response": {"role": "Ann", "type": "B"}}}]}]}
    assert [p.text for p in wire_format("openai").parse_request("chat.completions", {}, body)[2]] == [
        "x",
        '{"role": "Frank Holt"}',
    ]
    assert [p.text for p in wire_format("gemini").parse_request("generateContent", {}, gemini)[2]] == ["Ann", "B"]


def test_when_a_schema_is_declared_then_names_and_keywords_are_structure_and_the_rest_text() -> None:
    shape = Structure(schemas=("schema",))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"Person": {"type": "object", "description": "a person", "properties": {"n": {"pattern": "^F"}}}},
        "items": [{"$ref": "#/$defs/Person"}, {"not": {"const": "Frank"}}],
        "dependentRequired": {"a": ["b"]},
        "x-note": "custom keyword",
    }
    texts = [part.text for part in request_strings({"schema": schema}, shape)]
    assert texts == ["a person", "^F", "Frank", "custom keyword"]


def test_when_a_condition_does_not_hold_then_the_string_is_text() -> None:
    shape = Structure(fields=("source.type",), base64=("source.data if type=base64",))
    assert request_strings({"source": {"type": "base64", "data": "iVBO"}}, shape) == []
    assert [p.text for p in request_strings({"source": {"type": "text", "data": "memo"}}, shape)] == ["memo"]
