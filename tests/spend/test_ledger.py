"""The budget ledger: real SQLite files, real processes at once, restarts, day boundaries, damaged files."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from aigov_core.errors import AIGovError, BudgetExceeded, LedgerError
from aigov_core.policy.document import BudgetsSection
from jupyter_aigov.spend.ledger import BudgetLedger

MIDNIGHT = 1_767_225_600.0  # 2026-01-01T00:00:00Z
NOON = MIDNIGHT + 12 * 3600
UNLIMITED = BudgetsSection()


@pytest.fixture
def ledger(tmp_path: Path) -> BudgetLedger:
    return BudgetLedger(tmp_path / "evidence" / "budgets.sqlite3")


def reserve(ledger: BudgetLedger, limits: BudgetsSection = UNLIMITED, **overrides: Any) -> Any:
    """Reserve one call for ada in session s1 at noon, unless told otherwise."""
    call: dict[str, Any] = {
        "session": "s1",
        "user": "ada",
        "use_case": "churn",
        "estimated_tokens": 100,
        "estimated_usd": 0.25,
        "now": NOON,
    }
    call.update(overrides)
    return ledger.reserve(limits=limits, **call)


def test_when_calls_are_reserved_and_settled_then_spent_counts_the_actual_usage(ledger: BudgetLedger) -> None:
    first = reserve(ledger)
    reserve(ledger, estimated_tokens=40, estimated_usd=0.125)
    ledger.settle(first, input_tokens=300, output_tokens=50, usd=0.5)

    assert ledger.spent("s1", "ada", "churn", now=NOON) == {
        "tokens_per_session": 350 + 40,
        "usd_per_day": 0.5 + 0.125,
        "usd_per_day_per_use_case": 0.5 + 0.125,
        "requests_per_minute": 2,
    }


def test_when_a_settled_figure_is_unknown_then_the_estimate_stays(ledger: BudgetLedger) -> None:
    tokens_unknown, usd_unknown = reserve(ledger), reserve(ledger, session="s2")
    ledger.settle(tokens_unknown, None, None, 0.5)
    ledger.settle(usd_unknown, 10, None, None)

    assert ledger.spent("s1", "ada", "churn", now=NOON)["tokens_per_session"] == 100
    assert ledger.spent("s2", "ada", "churn", now=NOON)["tokens_per_session"] == 10
    assert ledger.spent("s1", "ada", "churn", now=NOON)["usd_per_day"] == 0.5 + 0.25


def test_when_the_file_was_moved_aside_then_an_older_reservation_settles_nothing_in_the_new_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "budgets.sqlite3"
    with BudgetLedger(path) as before:
        held = reserve(before)
    path.rename(tmp_path / "budgets.sqlite3.damaged")
    after = BudgetLedger(path)
    other = reserve(after, now=NOON + 5)
    after.settle(held, 5000, 5000, 9.0)

    assert other.id == held.id  # the same row number, another call
    assert after.spent("s1", "ada", "churn", now=NOON + 5)["tokens_per_session"] == 100


def test_when_a_reservation_is_never_settled_then_its_estimate_counts_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    reserve(BudgetLedger(path), estimated_tokens=700, estimated_usd=1.5)  # the kernel dies during the call

    assert BudgetLedger(path).spent("s1", "ada", "churn", now=NOON + 1)["tokens_per_session"] == 700
    assert BudgetLedger(path).spent("s9", "ada", "churn", now=NOON + 1)["usd_per_day"] == 1.5


@pytest.mark.parametrize(
    ("budget", "limits", "spend", "attempt", "spent"),
    [
        ("tokens_per_session", BudgetsSection(tokens_per_session=1000), {"estimated_tokens": 950}, {}, 950),
        ("usd_per_day", BudgetsSection(usd_per_day=1.0), {"estimated_usd": 0.875}, {}, 0.875),
        ("usd_per_day_per_use_case", BudgetsSection(usd_per_day_per_use_case=1.0), {"estimated_usd": 0.875}, {}, 0.875),
        ("requests_per_minute", BudgetsSection(requests_per_minute=1), {}, {"now": NOON + 59}, 1),
    ],
)
def test_when_a_call_would_go_over_a_budget_then_it_is_refused_and_not_recorded(
    ledger: BudgetLedger,
    budget: str,
    limits: BudgetsSection,
    spend: dict[str, Any],
    attempt: dict[str, Any],
    spent: float,
) -> None:
    reserve(ledger, limits, **spend)
    before = ledger.spent("s1", "ada", "churn", now=NOON + 59)

    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, **attempt)

    breach = refused.value
    assert (breach.budget, breach.limit, breach.spent) == (budget, getattr(limits, budget), spent)
    assert f"budgets.{budget}" in breach.hint
    assert breach.reason in str(breach) and breach.hint in str(breach)
    assert isinstance(breach, AIGovError)
    assert ledger.spent("s1", "ada", "churn", now=NOON + 59) == before


def test_when_a_call_fits_exactly_then_it_is_allowed(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(tokens_per_session=200, usd_per_day=0.5, requests_per_minute=2)
    reserve(ledger, limits)
    reserve(ledger, limits)

    with pytest.raises(BudgetExceeded):
        reserve(ledger, limits, estimated_tokens=0, estimated_usd=0.0)


def test_when_several_budgets_would_break_then_the_one_waiting_cannot_fix_is_named(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(usd_per_day=1.0, requests_per_minute=1)
    reserve(ledger, limits, estimated_usd=1.0)

    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits)

    assert refused.value.budget == "usd_per_day"
    assert refused.value.retry_after == pytest.approx(12 * 3600)
    assert "in 12 h 00 min" in refused.value.hint


def test_when_the_minute_slides_then_requests_free_up_as_the_oldest_leave_the_window(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(requests_per_minute=3)
    for offset in (0, 10, 20):
        reserve(ledger, limits, now=NOON + offset)

    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, now=NOON + 30)
    assert refused.value.retry_after == pytest.approx(30)
    assert "wait 30 s" in refused.value.hint

    reserve(ledger, limits, now=NOON + 60.5)  # the call at NOON has left the window
    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, now=NOON + 61)
    assert refused.value.retry_after == pytest.approx(9)


def test_when_the_requests_limit_counts_then_it_counts_the_user_across_sessions_not_others(
    ledger: BudgetLedger,
) -> None:
    limits = BudgetsSection(requests_per_minute=2)
    reserve(ledger, limits, session="kernel-a")
    reserve(ledger, limits, session="kernel-b")
    reserve(ledger, limits, user="grace")

    with pytest.raises(BudgetExceeded):
        reserve(ledger, limits, session="kernel-c")


def test_when_the_utc_day_changes_then_daily_dollars_start_again_but_session_tokens_do_not(
    ledger: BudgetLedger,
) -> None:
    limits = BudgetsSection(usd_per_day=1.0, usd_per_day_per_use_case=1.0, tokens_per_session=250)
    evening = MIDNIGHT + 86400 - 60  # 23:59:00 UTC
    reserve(ledger, limits, estimated_usd=0.875, now=evening)

    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, estimated_usd=0.25, now=evening + 30)
    assert refused.value.retry_after == pytest.approx(30)

    reserve(ledger, limits, estimated_usd=0.25, now=evening + 61)  # 00:00:01 the next day
    assert ledger.spent("s1", "ada", "churn", now=evening + 61) == {
        "tokens_per_session": 200,
        "usd_per_day": 0.25,
        "usd_per_day_per_use_case": 0.25,
        "requests_per_minute": 1,
    }
    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, now=evening + 62)
    assert refused.value.budget == "tokens_per_session"
    assert refused.value.retry_after is None


def test_when_a_call_settles_after_midnight_then_it_counts_on_the_day_it_was_reserved(ledger: BudgetLedger) -> None:
    held = reserve(ledger, now=MIDNIGHT - 1, estimated_usd=0.125)
    ledger.settle(held, 10, 10, 0.5)

    assert ledger.spent("s1", "ada", "churn", now=MIDNIGHT - 1)["usd_per_day"] == 0.5
    assert ledger.spent("s1", "ada", "churn", now=MIDNIGHT)["usd_per_day"] == 0.0


def test_when_a_use_case_spends_then_every_user_of_it_shares_the_budget(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(usd_per_day_per_use_case=1.0)
    reserve(ledger, limits, user="grace", estimated_usd=0.75)
    reserve(ledger, limits, use_case=None, estimated_usd=5.0)  # no use case declared: no use case budget

    with pytest.raises(BudgetExceeded) as refused:
        reserve(ledger, limits, user="ada", estimated_usd=0.5)
    assert "'churn'" in refused.value.reason
    reserve(ledger, limits, use_case="forecast", estimated_usd=0.5)
    assert ledger.spent("s1", "ada", None, now=NOON)["usd_per_day_per_use_case"] is None


def test_when_a_model_has_no_price_then_it_counts_tokens_and_requests_but_no_dollars(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(usd_per_day=1.0)
    held = reserve(ledger, limits, estimated_usd=None)
    ledger.settle(held, 10, 5, None)

    assert ledger.spent("s1", "ada", "churn", now=NOON) == {
        "tokens_per_session": 15,
        "usd_per_day": 0.0,
        "usd_per_day_per_use_case": 0.0,
        "requests_per_minute": 1,
    }


def test_when_days_pass_then_old_calls_are_pruned_but_the_running_session_keeps_its_total(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    reserve(BudgetLedger(path), session="long-lived")
    reserve(BudgetLedger(path), session="closed")

    later = BudgetLedger(path)
    reserve(later, session="long-lived", now=NOON + 30 * 86400)

    assert later.spent("long-lived", "ada", "churn", now=NOON + 30 * 86400)["tokens_per_session"] == 200
    assert later.spent("closed", "ada", "churn", now=NOON + 30 * 86400)["tokens_per_session"] == 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == 1


def test_when_threads_share_one_ledger_then_the_limit_holds(ledger: BudgetLedger) -> None:
    limits = BudgetsSection(requests_per_minute=30)
    granted: list[int] = []

    def work() -> None:
        for _ in range(10):
            try:
                held = reserve(ledger, limits)
            except BudgetExceeded:
                continue
            ledger.settle(held, 1, 1, 0.0)
            granted.append(1)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 30


def test_when_a_forked_child_reserves_then_it_uses_a_connection_of_its_own(ledger: BudgetLedger) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("needs fork")
    reserve(ledger)
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 when its reservation and settlement landed
        try:
            ledger.settle(reserve(ledger, session="child"), 5, 5, 0.125)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    reserve(ledger)
    assert ledger.spent("child", "ada", "churn", now=NOON)["tokens_per_session"] == 10
    assert ledger.spent("s1", "ada", "churn", now=NOON)["requests_per_minute"] == 3


RESERVER = """
import json, sys, time
from pathlib import Path
from aigov_core.policy.document import BudgetsSection
from aigov_core.errors import BudgetExceeded
from jupyter_aigov.spend.ledger import BudgetLedger
path, go, name, count, limits, usd, now = sys.argv[1:]
ledger = BudgetLedger(path)
limits = BudgetsSection(**json.loads(limits))
(Path(go).parent / f"ready-{name}").touch()
while not Path(go).exists():
    time.sleep(0.001)
granted = []
for i in range(int(count)):
    try:
        held = ledger.reserve(limits=limits, session=name, user="ada", use_case="churn", estimated_tokens=100,
                              estimated_usd=float(usd), now=float(now))
    except BudgetExceeded as breach:
        granted.append(breach.budget)
        continue
    ledger.settle(held, 80, 20, float(usd))
    granted.append("granted")
print(json.dumps(granted))
"""


def run_kernels(tmp_path: Path, names: list[str], count: int, limits: dict[str, Any], usd: float) -> list[list[str]]:
    """Start one process per name, let them all reserve ``count`` calls at once, return what each was told."""
    path, go = tmp_path / "budgets.sqlite3", tmp_path / "go"
    arguments = [str(path), str(go)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", RESERVER, *arguments, name, str(count), json.dumps(limits), str(usd), str(NOON)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(names) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # all start at once, so that they really contend for the ledger
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * len(names)
    return [json.loads(output) for output in outputs]


@pytest.mark.parametrize(
    ("limits", "usd", "budget"),
    [
        ({"requests_per_minute": 200}, 0.0, "requests_per_minute"),
        ({"usd_per_day": 25.0}, 0.125, "usd_per_day"),  # binary fractions: the sums are exact
    ],
)
def test_when_kernels_reserve_at_once_then_exactly_the_limit_is_granted(
    tmp_path: Path, limits: dict[str, Any], usd: float, budget: str
) -> None:
    # 100 calls each: enough that they overlap (with 25, a kernel often finishes before the next one starts)
    told = run_kernels(tmp_path, [f"kernel-{k}" for k in range(4)], 100, limits, usd)

    outcomes = [outcome for kernel in told for outcome in kernel]
    assert outcomes.count("granted") == 200
    assert outcomes.count(budget) == 200
    assert sum(kernel.count("granted") > 0 for kernel in told) > 1  # they contended, not ran one after another
    spent = BudgetLedger(tmp_path / "budgets.sqlite3").spent("kernel-0", "ada", "churn", now=NOON)
    assert spent["usd_per_day"] == 200 * usd


def test_when_a_kernel_restarts_then_the_days_spending_still_counts(tmp_path: Path) -> None:
    limits = {"usd_per_day": 1.0}
    (first,) = run_kernels(tmp_path, ["before-restart"], 8, limits, 0.125)
    (tmp_path / "go").unlink()
    (second,) = run_kernels(tmp_path, ["after-restart"], 1, limits, 0.125)

    assert first == ["granted"] * 8
    assert second == ["usd_per_day"]


def test_when_the_file_is_not_a_database_then_opening_says_which_file_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    path.write_bytes(b"these are not the budgets you are looking for\n" * 200)

    with pytest.raises(LedgerError) as failed:
        BudgetLedger(path)

    assert str(path) in str(failed.value)
    assert f"mv {path} {path}.damaged" in str(failed.value)
    assert path.read_bytes() == b"these are not the budgets you are looking for\n" * 200  # never reset


def test_when_pages_of_the_ledger_are_damaged_then_reserving_fails_and_the_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    with BudgetLedger(path) as ledger:
        for i in range(300):
            reserve(ledger, session=f"s{i}", user=f"user-{i}")
    # everything into the main file, so that damaging the file is damaging the ledger
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the first
    path.write_bytes(bytes(data))

    with pytest.raises(LedgerError) as failed:
        reserve(BudgetLedger(path), BudgetsSection(tokens_per_session=10**6))

    assert "is damaged" in str(failed.value)
    assert str(path) in str(failed.value)
    assert path.read_bytes() == bytes(data)


def test_when_the_file_is_another_programs_database_then_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE recipes (name TEXT)")

    with pytest.raises(LedgerError, match="is not an aigov budget ledger"):
        BudgetLedger(path)


def test_when_a_newer_aigov_wrote_the_ledger_then_this_one_asks_for_an_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "budgets.sqlite3"
    BudgetLedger(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 2")

    with pytest.raises(LedgerError, match="newer jupyter-aigov"):
        BudgetLedger(path)


def test_when_another_process_holds_the_ledger_then_the_error_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "budgets.sqlite3"
    ledger = BudgetLedger(path)
    monkeypatch.setattr("jupyter_aigov.spend.ledger.BUSY_TIMEOUT_S", 0.05)
    ledger.close()
    ledger = BudgetLedger(path)  # reopened with the short wait
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerError, match="stayed locked by another process"):
            reserve(ledger)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    reserve(ledger)


OPENER = """
import sys, time
from pathlib import Path
from jupyter_aigov.spend.ledger import BudgetLedger
folder, me, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for n in range(rounds):
    (folder / f"ready-{n}-{me}").touch()
    while not (folder / f"go-{n}").exists():
        time.sleep(0.001)
    BudgetLedger(folder / f"budgets-{n}.sqlite3").close()
"""


def test_when_kernels_open_a_new_ledger_at_the_same_moment_then_every_one_opens_it(tmp_path: Path) -> None:
    # switching a new file to WAL is answered BUSY at once while another opener holds a lock (no busy handler):
    # before the ledger waited for it itself, about one round in ten failed here
    kernels, rounds = 6, 25
    processes = [
        subprocess.Popen([sys.executable, "-c", OPENER, str(tmp_path), str(k), str(rounds)], stderr=subprocess.PIPE)
        for k in range(kernels)
    ]
    for n in range(rounds):
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob(f"ready-{n}-*"))) < kernels and time.monotonic() < deadline:
            if any(process.poll() not in (None, 0) for process in processes):
                break
            time.sleep(0.002)
        (tmp_path / f"go-{n}").touch()
    errors = [process.communicate(timeout=120)[1].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * kernels, "\n".join(errors)[-3000:]
    assert sorted(path.name for path in tmp_path.glob("budgets-*.sqlite3")) == sorted(
        f"budgets-{n}.sqlite3" for n in range(rounds)
    )
