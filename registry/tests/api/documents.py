"""Valid documents for the write endpoints, and a helper to store them as a team."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

MODEL: dict[str, Any] = {
    "id": "m-1", "name": "gpt-4o-mini", "provider": "openai", "owner": "ana",
    "intended_purpose": "Summarise support tickets", "risk_tier": "limited",
}  # fmt: skip
ASSESSMENT: dict[str, Any] = {"id": "m-1.nist", "model_id": "m-1", "framework": "nist-ai-rmf", "assessor": "ana"}
SYSTEM: dict[str, Any] = {
    "id": "sys-1", "name": "Churn desk", "purpose": "Predict churn and draft outreach", "owner": "ana",
    "model_ids": ["m-1"], "risk_tier": "limited", "use_cases": ["churn"],
}  # fmt: skip
POLICY = b"version: 1\n"


def seed(client: TestClient, headers: dict[str, str]) -> None:
    """Store one model, assessment, system and default policy for the team of ``headers`` (an admin's)."""
    for path, body in (("/api/v1/models", MODEL), ("/api/v1/assessments", ASSESSMENT), ("/api/v1/systems", SYSTEM)):
        assert client.post(path, json=body, headers=headers).status_code == 201, path
    assert client.put("/api/v1/policy", content=POLICY, headers=headers).status_code == 200
