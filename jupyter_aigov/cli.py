"""The `aigov` command: verify evidence logs, check and publish the policy schema."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def _verify(args: argparse.Namespace) -> int:
    from .evidence import verify_log

    target = Path(args.path)
    if not target.exists():
        print(
            f"aigov verify: {target} does not exist. Give an evidence log (.jsonl) or a folder of them.",
            file=sys.stderr,
        )
        return 2
    logs = sorted(target.rglob("*.jsonl")) if target.is_dir() else [target]
    if not logs:
        print(f"aigov verify: no evidence logs (*.jsonl) under {target}.", file=sys.stderr)
        return 2
    intact = True
    for log in logs:
        result = verify_log(log)
        if result.ok:
            print(f"OK      {log}: {result.records} records, hash chain intact")
        else:
            intact = False
            print(f"FAILED  {log}: {result.fault}")
    return 0 if intact else 1


def _policy_check(args: argparse.Namespace) -> int:
    from .policy import check_policy_file

    path = Path(args.file)
    if not path.is_file():
        print(f"aigov policy check: {path} is not a file.", file=sys.stderr)
        return 2
    problems = check_policy_file(path)
    if not problems:
        print(f"{path}: valid policy")
        return 0
    for problem in problems:
        print(
            f"{path}:{problem.line}: {problem.path}: {problem.message}"
            if problem.path
            else f"{path}:{problem.line}: {problem.message}"
        )
    print(f"{len(problems)} problem(s) in {path}.", file=sys.stderr)
    return 1


def _policy_schema(args: argparse.Namespace) -> int:
    from .policy import policy_schema

    print(json.dumps(policy_schema(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `aigov`."""
    parser = argparse.ArgumentParser(prog="aigov", description="AI governance for notebooks.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check an evidence log's hash chain (exit 0 intact, 1 not)")
    verify.add_argument("path", help="an evidence log (.jsonl) or a folder of them")
    verify.set_defaults(run=_verify)
    policy = commands.add_parser("policy", help="policy files").add_subparsers(dest="policy_command", required=True)
    check = policy.add_parser("check", help="validate a policy file, naming the line of every mistake")
    check.add_argument("file")
    check.set_defaults(run=_policy_check)
    schema = policy.add_parser("schema", help="print the policy file's JSON Schema")
    schema.set_defaults(run=_policy_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
