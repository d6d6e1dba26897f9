"""The JSON Schema (draft 2020-12) of the policy file, generated from the pydantic models.

The shipped copy, schema.json beside this module, is regenerated with
`python -c "from aigov_core.policy.schema import write_schema_file; write_schema_file()"`;
a test fails when it drifts from the models.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aigov_core.policy.document import Policy

SCHEMA_ID = "urn:jupyter-aigov:schema:policy:v1"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_FILE = Path(__file__).with_name("schema.json")


@cache
def _generated() -> str:
    schema = Policy.model_json_schema(mode="validation")
    return json.dumps({"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}, indent=2, sort_keys=False)


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of aigov.yaml (a fresh copy each call, safe to modify)."""
    schema: dict[str, Any] = json.loads(_generated())
    return schema


def schema_text() -> str:
    """The JSON Schema as the text written to schema.json (what `aigov policy schema` prints)."""
    return _generated() + "\n"


def write_schema_file(path: Path = SCHEMA_FILE) -> Path:
    """Regenerate the shipped schema.json; returns its path."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
