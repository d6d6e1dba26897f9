"""Names inside a bundle: unsafe paths named, and no two entries landing on one file on macOS or Windows."""

from __future__ import annotations

import pytest

from aigov_core.bundle.bag_names import NameRegistry, name_problem


@pytest.mark.parametrize("name", ["bagit.txt", "data/evidence.jsonl", "data/r\u00e9sum\u00e9.txt", "a/b/c/.hidden"])
def test_when_a_name_is_a_relative_posix_path_then_it_has_no_problem(name: str) -> None:
    assert name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "is empty"),
        ("/etc/passwd", "is an absolute path"),
        ("\\evil.txt", "is an absolute path"),
        ("C:evil.txt", "starts with a Windows drive letter"),
        ("data\\evil.txt", "contains a backslash"),
        ("data/evil\x00.txt", "contains the control character U+0000"),
        ("data/evil\x85.txt", "contains the control character U+0085"),
        ("data/../../evil.txt", "has a '..' component"),
        ("./evil.txt", "has a '.' component"),
        ("data//evil.txt", "has an empty path component"),
        ("data/", "has an empty path component"),
    ],
)
def test_when_a_name_is_unsafe_then_the_problem_says_why(name: str, problem: str) -> None:
    found = name_problem(name)
    assert found is not None
    assert found.startswith(problem)


@pytest.mark.parametrize(
    ("first", "second", "folder", "problem"),
    [
        ("data/a.txt", "data/a.txt", False, "appears twice"),
        ("data/README.txt", "data/readme.txt", False, "collides with 'data/README.txt'"),
        ("data/\u00e9t\u00e9.txt", "data/e\u0301te\u0301.txt", False, "collides with"),
        ("DATA/x.txt", "data/x.txt", False, "collides with 'DATA/x.txt'"),
        ("data/x", "data/x/y.txt", False, "lies under 'data/x', which is a file"),
        ("data/x/y.txt", "data/X", False, "is a file, but 'data/x' is also a folder"),
        ("data/x", "data/X", True, "is a folder, but 'data/x' is a file"),
        ("data/x/y.txt", "data/x", True, None),
    ],
)
def test_when_a_second_name_is_added_then_a_collision_is_named(
    first: str, second: str, folder: bool, problem: str | None
) -> None:
    names = NameRegistry()
    assert names.add(first) is None
    found = names.add(second, folder=folder)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_when_a_folder_entry_repeats_then_it_appears_twice() -> None:
    names = NameRegistry()
    assert names.add("data", folder=True) is None
    assert names.add("data", folder=True) == "appears twice"
    assert names.add("data/a.txt") is None
