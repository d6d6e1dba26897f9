"""The registry's recognizers: none may take a Presidio recognizer's class name."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

import jupyter_aigov.redaction.recognizers  # noqa: F401  (defines every aigov recognizer class)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_when_aigov_defines_a_recognizer_then_its_class_name_is_not_a_presidio_one() -> None:
    # Presidio finds its predefined recognizers by class name among all subclasses, in set order: a
    # namesake is picked at random and the registry fails to load (every AI call is then refused).
    owners: dict[str, set[str]] = {}
    for cls in _subclasses(EntityRecognizer):
        owners.setdefault(cls.__name__, set()).add(cls.__module__.split(".")[0])
    shared = sorted(name for name, packages in owners.items() if len(packages) > 1)
    assert shared == []
