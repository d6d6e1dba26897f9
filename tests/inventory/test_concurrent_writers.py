"""Several processes (kernels) writing one inventory at once: every change lands whole, none is lost."""

from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import date
from pathlib import Path

from aigov_core.evidence import verify_log
from jupyter_aigov.inventory.assessment import assess
from jupyter_aigov.inventory.registration import register_model
from jupyter_aigov.inventory.store import Inventory

WRITERS = 4
MODELS_EACH = 6
SHARED = {
    "name": "gpt-4o-mini",
    "provider": "openai",
    "owner": "ds-team",
    "intended_purpose": "Shared by every writer.",
    "risk_tier": "limited",
}


def write_many(root: str, writer: int, start: multiprocessing.synchronize.Event) -> None:  # type: ignore[name-defined]
    inventory = Inventory(Path(root))
    start.wait(30)  # every writer begins together, to collide as much as possible
    for number in range(MODELS_EACH):
        register_model(
            inventory,
            {**SHARED, "name": f"model-{writer}-{number}", "owner": f"writer-{writer}"},
            f"user-{writer}",
        )
        # every writer also updates the shared registration and its assessment
        register_model(inventory, {"id": "openai-gpt-4o-mini", "limitations": f"w{writer} n{number}"}, f"user-{writer}")
        assess(
            inventory,
            "openai-gpt-4o-mini",
            {
                "framework": "nist-ai-rmf",
                "assessor": "ana",
                "answers": {"MAP 1.1": {"remarks": f"w{writer} n{number}"}},
            },
            f"user-{writer}",
            date(2026, 11, 24),
        )
    inventory.close()


def test_when_processes_write_at_once_then_every_change_lands_whole_and_the_log_verifies(tmp_path):
    root = tmp_path / "inventory"
    inventory = Inventory(root)
    register_model(inventory, SHARED, "ana")
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=write_many, args=(str(root), n, start)) for n in range(WRITERS)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
    assert [worker.exitcode for worker in workers] == [0] * WRITERS

    models = {model.id: model for model in inventory.models()}
    assert len(models) == 1 + WRITERS * MODELS_EACH
    shared = models["openai-gpt-4o-mini"]
    assert shared.revision == 1 + WRITERS * MODELS_EACH  # each update built on the one before: none lost
    (assessment,) = inventory.assessments("openai-gpt-4o-mini")
    assert assessment.revision == WRITERS * MODELS_EACH
    records = [json.loads(line) for line in (root / "changes.jsonl").read_text().splitlines()]
    assert len(records) == 1 + 3 * WRITERS * MODELS_EACH
    revisions = [r["revision"] for r in records if r["id"] == "openai-gpt-4o-mini" and r["kind"] == "model"]
    assert revisions == list(range(1, 2 + WRITERS * MODELS_EACH))  # in order, no gaps, no repeats
    assert verify_log(root / "changes.jsonl").ok
    assert not [p for p in root.rglob("*.tmp")]  # no temporary file left behind


def test_when_threads_of_one_kernel_write_at_once_then_none_is_lost(tmp_path):
    inventory = Inventory(tmp_path / "inventory")
    register_model(inventory, SHARED, "ana")

    def update(number: int) -> None:
        register_model(inventory, {"id": "openai-gpt-4o-mini", "limitations": f"thread {number}"}, "ana")

    threads = [threading.Thread(target=update, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert inventory.model("openai-gpt-4o-mini").revision == 9
    assert verify_log(inventory.changes.path).ok
