"""Read and validate a policy file; every mistake is reported with its line, none is skipped or forgiven."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from aigov_core.errors import PolicyError
from aigov_core.policy.document import Policy
from aigov_core.policy.problems import PolicyProblem, describe, from_validation
from aigov_core.policy.yaml_source import read_yaml

SUPPORTED_VERSION = 1
# A policy is a page of YAML (the contract's whole example is 2 KiB). The bound keeps reading one, which takes
# pure-Python YAML about a second per 250 KiB, short wherever it happens: kernel, `aigov policy check`, registry.
MAX_POLICY_BYTES = 256 * 1024


def too_large(size: int | None) -> PolicyProblem:
    """The problem of a policy of `size` bytes (None: not known, as of a body still coming), over MAX_POLICY_BYTES."""
    measured = f"{size:,} bytes, more" if size is not None else "larger"
    message = f"the policy is {measured} than the {MAX_POLICY_BYTES:,} bytes (256 KiB) a policy may be; shorten it"
    return PolicyProblem(0, 0, "", message)


def _validate(text: str) -> tuple[Policy | None, list[PolicyProblem]]:
    """The policy in `text`, or None and every problem found."""
    size = len(text.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        return None, [too_large(size)]
    doc = read_yaml(text)
    if doc.fatal:
        return None, doc.problems
    if doc.empty:
        return None, [PolicyProblem(1, 1, "", "the policy file is empty; it needs at least `version: 1`")]
    if not isinstance(doc.data, Mapping):
        kind = "a list" if isinstance(doc.data, list) else f"the value {doc.data!r}"
        line, column = doc.position(())
        message = f"the top level must be a mapping of policy keys (version, models, ...), found {kind}"
        return None, [PolicyProblem(line, column, "", message)]
    version = doc.data.get("version")
    if type(version) is int and version != SUPPORTED_VERSION:
        # A newer format may use keys this release does not know; listing them would only mislead.
        line, column = doc.position(("version",))
        message = (
            f"unsupported policy version {version}; this release of jupyter-aigov reads version "
            f"{SUPPORTED_VERSION} only (write `version: 1`, or upgrade jupyter-aigov)"
        )
        return None, [PolicyProblem(line, column, "version", message)]
    problems = list(doc.problems)
    policy: Policy | None = None
    try:
        policy = Policy.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(from_validation(exc, doc))
    problems.sort(key=lambda p: (p.line, p.column, p.path))
    return (None if problems else policy), problems


def _decode(data: bytes, source: str) -> str:
    if len(data) > MAX_POLICY_BYTES:
        problem = too_large(len(data))
        raise PolicyError(describe([problem], source), problems=[problem], source=source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problem = PolicyProblem(0, 0, "", f"is not UTF-8 text (byte {exc.start} cannot be decoded)")
        raise PolicyError(describe([problem], source), problems=[problem], source=source) from None


def parse_policy_text(text: str, source: str = "aigov.yaml") -> Policy:
    """Validate policy YAML text; `source` names it in messages. Raises PolicyError listing every mistake."""
    policy, problems = _validate(text)
    if policy is None:
        raise PolicyError(describe(problems, source), problems=problems, source=source)
    return policy.with_source(source)


def parse_policy_bytes(data: bytes, source: str) -> Policy:
    """Validate policy file bytes (UTF-8), e.g. as pulled from a registry."""
    return parse_policy_text(_decode(data, source), source)


def read_policy_bytes(path: Path | str) -> bytes:
    """The bytes of a policy file; PolicyError when it cannot be read or is larger than a policy may be."""
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_POLICY_BYTES + 1)  # a larger file is never read whole
            size = os.fstat(file.fileno()).st_size
    except FileNotFoundError:
        message = f"The policy file {path} does not exist."
    except IsADirectoryError:
        message = f"The policy path {path} is a directory; give the path of an aigov.yaml file."
    except OSError as exc:
        message = f"The policy file {path} cannot be read: {exc.strerror or exc}."
    else:
        if len(data) <= MAX_POLICY_BYTES:
            return data
        problem = too_large(max(size, len(data)))
        raise PolicyError(describe([problem], str(path)), problems=[problem], source=str(path))
    raise PolicyError(message, problems=[PolicyProblem(0, 0, "", message)], source=str(path))


def load_policy(path: Path | str) -> Policy:
    """Read and validate a policy file. Raises PolicyError listing every mistake with its line."""
    return parse_policy_bytes(read_policy_bytes(path), str(path))


def check_policy_file(path: Path | str) -> list[PolicyProblem]:
    """Every problem in a policy file (for `aigov policy check FILE`); an empty list means it is valid."""
    try:
        text = _decode(read_policy_bytes(path), str(path))
    except PolicyError as exc:
        return list(exc.problems)
    return _validate(text)[1]
