"""An example aigov plugin for a company, Acme: each hook of jupyter_aigov/plugins/hookspecs.py, once.

- `EMPLOYEE_ID` (Acme's employee ids, EMP-123456) can be named under redaction.entities;
- a prompt that names one of Acme's confidential project codenames is refused (rule plugin.example.codename);
- every evidence record is appended to the JSON-lines file AIGOV_EXAMPLE_SINK names (an exporter's stand-in);
- Acme's in-house LLM gateway (llm.acme.example) and its own wire format, `acme`, are AI calls.

Loaded by a policy that lists it: `plugins: [example]`.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

import aigov
from aigov_example_plugin import acme_format

ENTITY = "EMPLOYEE_ID"
CODENAME_RULE = "plugin.example.codename"
CODENAMES = re.compile(r"(?i)\bproject\s+(bluebird|nightjar|kestrel)\b")
SINK_ENV = "AIGOV_EXAMPLE_SINK"


@aigov.hookimpl
def aigov_recognizers() -> list[Any]:
    """Acme's employee ids: EMP- and six digits, surer beside a word such as "employee"."""
    from presidio_analyzer import Pattern, PatternRecognizer

    pattern = Pattern("acme employee id", r"\bEMP-\d{6}\b", 0.85)
    context = ["employee", "staff", "colleague", "badge"]
    return [PatternRecognizer(ENTITY, name="AcmeEmployeeIdRecognizer", patterns=[pattern], context=context)]


@aigov.hookimpl
def aigov_check(call: Any) -> aigov.Verdict | None:
    """Refuse a prompt that names a confidential project (the reason never quotes the prompt)."""
    if any(CODENAMES.search(part.text) for part in call.text_parts):
        return aigov.Verdict.block(
            CODENAME_RULE,
            "The prompt names one of Acme's confidential project codenames.",
            "leave the codename out of the prompt (say 'the project'), or ask the security team for an approved model.",
        )
    return None


@aigov.hookimpl
def aigov_records_written(records: list[dict[str, Any]]) -> None:
    """Append every record to the file AIGOV_EXAMPLE_SINK names; nothing when it is unset."""
    path = os.environ.get(SINK_ENV)
    if not path:
        return
    with open(path, "a", encoding="utf-8") as sink:
        sink.writelines(json.dumps(record, sort_keys=True) + "\n" for record in records)


@aigov.hookimpl
def aigov_wire_formats() -> dict[str, Any]:
    """Acme's own completion API, read by acme_format.py."""
    return {"acme": acme_format}


@aigov.hookimpl
def aigov_catalogue() -> dict[str, Any]:
    """Where the `acme` format is served, and Acme's gateway, which speaks it and OpenAI's."""
    return {
        "apis": {
            "acme": {
                "operations": [{"name": "complete", "paths": ["**/acme/v1/complete"], "requires": ["model", "prompt"]}]
            }
        },
        "providers": {"acme-llm": {"hosts": ["llm.acme.example"], "apis": ["acme", "openai"]}},
    }
