"""The policy's JSON Schema: shipped file in sync, documented, and agreeing with the loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import jupyter_aigov.policy as policy_package
from aigov_core.policy import SCHEMA_ID, policy_schema, schema_text
from aigov_core.policy.schema import SCHEMA_FILE

EXAMPLE = Path(__file__).parent / "data" / "contract_example.yaml"
DEFAULT = Path(policy_package.__file__).with_name("default.yaml")


def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(policy_schema(), format_checker=jsonschema.FormatChecker())


def test_when_the_models_change_then_the_shipped_schema_file_must_be_regenerated() -> None:
    # Regenerate with:
    # python -c "from aigov_core.policy.schema import write_schema_file; write_schema_file()"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == policy_schema()


def test_when_the_schema_is_generated_then_it_is_draft_2020_12_with_an_id() -> None:
    schema = policy_schema()

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"]


def _properties(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            found.append((f"{where}/{name}", sub))
        for key, sub in node.items():
            found.extend(_properties(sub, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            found.extend(_properties(sub, f"{where}/{index}"))
    return found


def test_when_the_schema_is_read_then_every_field_has_a_description() -> None:
    undocumented = [where for where, prop in _properties(policy_schema()) if not prop.get("description")]

    assert undocumented == []


@pytest.mark.parametrize("path", [EXAMPLE, DEFAULT], ids=["contract-example", "built-in-default"])
def test_when_a_valid_policy_is_checked_against_the_schema_then_it_passes(path: Path) -> None:
    _validator().validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "document",
    [
        {"on_error": "block"},
        {"version": 1, "models": {"alow": []}},
        {"version": 1, "on_error": "ignore"},
        {"version": 1, "redaction": {"entities": {"person": "redact"}}},
        {"version": 1, "tools": {"arguments": [{"tool": "t", "path": "p"}]}},
        {"version": 1, "providers": [{"name": "x", "base_url": "ftp://x"}]},
        {"version": 1, "use_cases": {"x": {"description": "no users"}}},
        {"version": 1, "redaction": {"patterns": [{"name": "p", "regex": "EMP-[0-9]+"}]}},
        {"version": 1, "redaction": {"patterns": [{"name": "p", "regex": "x" * 501, "entity": "E"}]}},
        {"version": 1, "redaction": {"deny_terms": {"codename": ["Bluebird"]}}},
    ],
)
def test_when_an_invalid_policy_is_checked_against_the_schema_then_it_fails(document: dict[str, Any]) -> None:
    assert list(_validator().iter_errors(document))


def test_when_the_package_is_imported_then_all_names_exist() -> None:
    assert all(hasattr(policy_package, name) for name in policy_package.__all__)
