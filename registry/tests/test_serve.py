"""``aigov-registry serve`` as deployed: real processes, real HTTP, several servers sharing one database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from jupyter_aigov.testing.processes import free_port, stop

from .postgres import fresh_schema
from .projects import Project

COMMAND = str(Path(sys.executable).parent / "aigov-registry")
START_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Server:
    """A running ``serve`` process and its base URL."""

    process: subprocess.Popen[bytes]
    url: str


def _launch(database: str, folder: Path, *extra: str) -> Server:
    port = free_port()
    log = open(folder / f"serve-{port}.log", "wb")  # noqa: SIM115 (the process writes to it until it stops)
    process = subprocess.Popen(
        [COMMAND, "serve", "--db", database, "--port", str(port), "--log-level", "warning", *extra],
        stdout=log, stderr=subprocess.STDOUT, env={k: v for k, v in os.environ.items() if not k.startswith("AIGOV_")},
    )  # fmt: skip
    return Server(process, f"http://127.0.0.1:{port}")


def _wait_ready(server: Server, folder: Path) -> Server:
    port = server.url.rsplit(":", 1)[1]
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"serve exited: {(folder / f'serve-{port}.log').read_text()}")
        try:
            # Any answer will do (401 without a token): the process is up and routing requests.
            if httpx.get(f"{server.url}/api/v1/bundles", timeout=1).status_code < 500:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.process.kill()
    raise AssertionError(f"serve did not answer within {START_TIMEOUT_S} s")


def _start(database: str, folder: Path, *extra: str) -> Server:
    return _wait_ready(_launch(database, folder, *extra), folder)


def _stop(server: Server) -> None:
    stop(server.process, timeout_s=10)


def _token(database: str, team: str, role: str) -> dict[str, str]:
    done = subprocess.run(
        [COMMAND, "token", "create", "--team", team, "--role", role, "--db", database],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {done.stdout.strip()}"}


@dataclass(frozen=True)
class Servers:
    """Two servers on one database, and the folder that holds it and the stored bundles."""

    first: Server
    second: Server
    database: str
    folder: Path


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Two serve processes on one new SQLite file (the first migrates it), with 1 MiB upload and body limits."""
    folder = tmp_path_factory.mktemp("served")
    database = f"sqlite:///{folder / 'registry.sqlite3'}"
    limits = ("--max-upload-mib", "1", "--max-body-mib", "1")
    first = _start(database, folder, *limits)
    try:
        second = _start(database, folder, *limits)
        try:
            yield Servers(first, second, database, folder)
        finally:
            _stop(second)
    finally:
        _stop(first)


def _post(url: str, body: bytes | Iterator[bytes], headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{url}/api/v1/bundles", content=body, headers={**headers, "Content-Type": "application/zip"}, timeout=60
    )


def test_when_a_bundle_is_sent_to_one_server_then_the_other_serves_it(
    servers: Servers, project: Project, tmp_path: Path
):
    first, second, database = servers.first, servers.second, servers.database
    project.record(25)
    project.register()
    bundle = project.export(tmp_path / "audit.zip").read_bytes()
    submit = _token(database, "served-a", "submit")

    created = _post(first.url, bundle, submit)
    again = _post(second.url, bundle, submit)

    assert (created.status_code, again.status_code) == (201, 200), created.text
    assert again.json()["id"] == created.json()["id"]
    decisions = httpx.get(f"{second.url}/api/v1/decisions", params={"limit": 1000}, headers=submit).json()["items"]
    assert len(decisions) == 25 and {d["bundle_id"] for d in decisions} == {created.json()["id"]}
    models = httpx.get(f"{first.url}/api/v1/models", headers=_token(database, "served-a", "read")).json()["items"]
    assert [model["document"]["name"] for model in models] == ["gpt-4o-mini"]


def test_when_the_same_bundle_races_into_both_servers_then_it_is_stored_once(
    servers: Servers, project: Project, tmp_path: Path
):
    first, second, database = servers.first, servers.second, servers.database
    project.record(300)
    bundle = project.export(tmp_path / "audit.zip").read_bytes()
    submit = _token(database, "served-race", "submit")

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda n: _post((first, second)[n % 2].url, bundle, submit), range(6)))

    assert sorted(answer.status_code for answer in answers) == [200] * 5 + [201], [a.text for a in answers]
    assert len({answer.json()["id"] for answer in answers}) == 1
    listed = httpx.get(f"{first.url}/api/v1/bundles", headers=submit).json()["items"]
    assert len(listed) == 1 and listed[0]["records_new"] == 300
    sha = listed[0]["sha256"]
    stored = servers.folder / "registry-bundles" / "bundles" / sha[:2] / f"{sha}.zip"
    assert stored.read_bytes() == bundle  # the losers' failed transactions left the winner's file in place
    assert not list((servers.folder / "registry-bundles" / "incoming").iterdir())


@pytest.mark.parametrize("declared", [True, False], ids=["with Content-Length", "chunked"])
def test_when_an_upload_is_over_the_limit_then_the_server_answers_413(servers: Servers, declared: bool):
    first, database = servers.first, servers.database
    submit = _token(database, "served-big", "submit")
    big = b"\0" * (3 << 20)

    answer = _post(
        first.url, big if declared else iter([big[i : i + 65536] for i in range(0, len(big), 65536)]), submit
    )

    assert answer.status_code == 413 and "1 MiB" in answer.json()["detail"]
    listed = httpx.get(f"{first.url}/api/v1/bundles", headers=submit).json()["items"]
    assert listed == []


@pytest.mark.parametrize("declared", [True, False], ids=["with Content-Length", "chunked"])
def test_when_a_records_body_is_over_the_limit_then_the_server_answers_413_naming_it(servers: Servers, declared: bool):
    submit = _token(servers.database, "served-records", "submit")
    big = b'{"log": "churn.jsonl", "records": [{"reason": "' + b"x" * (3 << 20) + b'"}]}'

    answer = httpx.post(
        f"{servers.first.url}/api/v1/records",
        content=big if declared else iter([big[i : i + 65536] for i in range(0, len(big), 65536)]),
        headers={**submit, "Content-Type": "application/json"},
        timeout=60,
    )

    assert answer.status_code == 413 and "(1 MiB)" in answer.json()["detail"]
    assert "--max-body-mib" in answer.json()["detail"]


def test_when_the_openapi_document_is_read_then_it_describes_the_raw_zip_upload_and_bearer_auth(
    servers: Servers,
):
    spec = httpx.get(f"{servers.first.url}/openapi.json").json()

    upload = spec["paths"]["/api/v1/bundles"]["post"]
    assert "application/zip" in upload["requestBody"]["content"]
    assert {"/api/v1/decisions", "/api/v1/models/{model_id}", "/api/v1/assessments"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


@dataclass(frozen=True)
class Fleet:
    """Several servers on one PostgreSQL database."""

    servers: list[Server]
    database: str


@pytest.fixture
def postgres_servers(postgres_url: str, tmp_path: Path) -> Iterator[Fleet]:
    """Three serve processes started at once on one new PostgreSQL schema: they race to migrate it."""
    folder = tmp_path / "served"
    folder.mkdir()
    with fresh_schema(postgres_url) as database:
        launched = [_launch(database, folder, "--data-dir", str(folder / "bundles")) for _ in range(3)]
        try:
            yield Fleet([_wait_ready(server, folder) for server in launched], database)
        finally:
            for server in launched:
                _stop(server)


def test_when_three_servers_share_one_postgresql_then_concurrent_uploads_are_all_served_by_any(
    postgres_servers: Fleet, aigov_env: dict[str, str], tmp_path: Path
):
    (first, second, third), database = postgres_servers.servers, postgres_servers.database
    bundles: list[bytes] = []
    for n in range(4):
        project = Project(tmp_path / f"project-{n}", aigov_env)
        project.record(100 * (n + 1), log=f"notebook-{n}")
        bundles.append(project.export(tmp_path / f"audit-{n}.zip").read_bytes())
        if n == 0:  # and a later export of the same growing log: its first 100 records overlap
            project.record(50, log="notebook-0")
            bundles.append(project.export(tmp_path / "audit-0-later.zip").read_bytes())
    submit = _token(database, "served-pg", "submit")

    with ThreadPoolExecutor(max_workers=len(bundles)) as pool:
        answers = list(pool.map(lambda n: _post((first, second)[n % 2].url, bundles[n], submit), range(len(bundles))))

    assert [answer.status_code for answer in answers] == [201] * len(bundles), [a.text for a in answers]
    listed = httpx.get(f"{third.url}/api/v1/bundles", headers=submit).json()["items"]
    assert sorted(item["id"] for item in listed) == sorted(answer.json()["id"] for answer in answers)
    seen: list[dict[str, object]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{third.url}/api/v1/decisions", params=params, headers=submit).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 150 + 200 + 300 + 400  # each record once, though two bundles carried the first 100
    assert len({(item["log"], item["seq"]) for item in seen}) == len(seen)


def test_when_an_admin_puts_an_alias_bomb_as_policy_then_it_is_refused_and_other_teams_are_still_served(
    servers: Servers,
):
    # nine lines, each listing the one before nine times: 387 million values once written out
    bomb = "version: 1\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 9)
    )
    admin = _token(servers.database, "served-bomb", "admin")
    other = _token(servers.database, "served-other", "read")

    # a regression would hang: the generous timeout makes it fail instead
    answer = httpx.put(
        f"{servers.first.url}/api/v1/policy",
        content=bomb.encode(),
        headers={**admin, "Content-Type": "application/yaml"},
        timeout=60,
    )

    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert "policy[default]:2: the policy uses YAML aliases (&x / *x)" in detail and "write the values out" in detail
    assert httpx.get(f"{servers.first.url}/api/v1/policy", headers=admin, timeout=60).status_code == 404
    assert httpx.get(f"{servers.first.url}/api/v1/bundles", headers=other, timeout=60).status_code == 200
