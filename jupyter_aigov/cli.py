"""The `aigov` command: export, verify and push evidence bundles, verify logs, check and publish the policy schema."""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _verify(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if not target.exists():
        print(
            f"aigov verify: {target} does not exist. Give an evidence bundle (.zip), an evidence log (.jsonl) or "
            "a folder of logs.",
            file=sys.stderr,
        )
        return 2
    if target.is_file() and (target.suffix == ".zip" or zipfile.is_zipfile(target)):
        return _verify_bundle(target, args.signer)
    if args.signer:
        print("aigov verify: --signer applies to bundles (.zip); an evidence log is not signed.", file=sys.stderr)
        return 2
    return _verify_logs(target)


def _verify_bundle(target: Path, signers: list[str]) -> int:
    from aigov_core.bundle.verify import verify_bundle

    result = verify_bundle(target, signers=signers)
    if result.ok:
        print(f"OK      {target}: {result}")
        for log, records in result.logs.items():
            print(f"        {log}: {records} records, hash chain intact")
        if not result.pinned:
            print(f"        To require this signer: aigov verify {target} --signer {result.signer}")
        return 0
    print(f"FAILED  {target}: {result.fault}")
    return 1


def _verify_logs(target: Path) -> int:
    from aigov_core.evidence import verify_log

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


def _export(args: argparse.Namespace) -> int:
    from .bundle.api import export

    progress = args.progress if args.progress is not None else sys.stderr.isatty()
    print(export(args.output, source=args.target, progress=progress, **export_options(args)))
    return 0


def _push(args: argparse.Namespace) -> int:
    from .registry_client.http import RegistrySettings
    from .registry_client.push import push_bundle

    print(push_bundle(args.bundle, RegistrySettings.from_env(url=args.registry, token=args.token)))
    return 0


def _key(args: argparse.Namespace) -> int:
    import os

    from aigov_core.bundle.signing import signing_key_for

    key, created = signing_key_for(args.key, os.environ)
    print(key.fingerprint)
    where = key.path or "(no file)"
    print(f"{'created' if created else 'key'}: {where}", file=sys.stderr)
    return 0


def _policy_check(args: argparse.Namespace) -> int:
    from aigov_core.policy import check_policy_file

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
    from aigov_core.policy import policy_schema

    print(json.dumps(policy_schema(), indent=2))
    return 0


def add_export_options(parser: argparse.ArgumentParser) -> None:
    """The options of `aigov export` that `%aigov export` takes too."""
    parser.add_argument("-o", "--output", help="the bundle to write (.zip; default: <name>-evidence-<time>.zip here)")
    parser.add_argument("--since", help="keep records from this date or time on (UTC unless it says otherwise)")
    parser.add_argument("--until", help="keep records before this date or time")
    parser.add_argument("--use-case", help="keep records of this use case")
    parser.add_argument("--model", help="keep calls to models matching this glob (model or provider/model)")
    parser.add_argument(
        "--no-redact-notebooks",
        dest="redact_notebooks",
        action="store_false",
        help="include notebooks as they are, without replacing personal data and secrets in them",
    )
    parser.add_argument("--key", help="sign with this Ed25519 private key (PEM) instead of your own")


def export_options(args: argparse.Namespace) -> dict[str, Any]:
    """The filters and choices of an export, from options added by :func:`add_export_options`."""
    return {
        "since": args.since,
        "until": args.until,
        "use_case": args.use_case,
        "model": args.model,
        "redact_notebooks": args.redact_notebooks,
        "key": args.key,
    }


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `aigov`."""
    parser = argparse.ArgumentParser(prog="aigov", description="AI governance for notebooks.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser(
        "verify", help="check an evidence bundle or log: exit 0 intact, 1 not (naming the first fault)"
    )
    verify.add_argument("path", help="an evidence bundle (.zip), an evidence log (.jsonl) or a folder of logs")
    verify.add_argument(
        "--signer",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="require the bundle to be signed by this key (SHA256:...; repeat to accept any of several)",
    )
    verify.set_defaults(run=_verify)
    export = commands.add_parser("export", help="write a signed evidence bundle (a zipped BagIt bag) for an audit")
    export.add_argument("target", help="a notebook (.ipynb), a folder of notebooks, or an evidence log (.jsonl)")
    add_export_options(export)
    export.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: on a terminal)",
    )
    export.set_defaults(run=_export)
    push = commands.add_parser("push", help="upload an evidence bundle to the central registry")
    push.add_argument("bundle", help="an evidence bundle (.zip) written by `aigov export`")
    push.add_argument("--registry", metavar="URL", help="the registry (default: $AIGOV_REGISTRY_URL)")
    push.add_argument("--token", help="a submit token (default: $AIGOV_REGISTRY_TOKEN)")
    push.set_defaults(run=_push)
    key = commands.add_parser(
        "key", help="print the fingerprint of the key bundles are signed with (made on first use)"
    )
    key.add_argument("--key", help="a team key (PEM) instead of your own")
    key.set_defaults(run=_key)
    policy = commands.add_parser("policy", help="policy files").add_subparsers(dest="policy_command", required=True)
    check = policy.add_parser("check", help="validate a policy file, naming the line of every mistake")
    check.add_argument("file")
    check.set_defaults(run=_policy_check)
    schema = policy.add_parser("schema", help="print the policy file's JSON Schema")
    schema.set_defaults(run=_policy_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from aigov_core.errors import AIGovError

    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except AIGovError as exc:  # what the user can act on, without a traceback: bad input, refusals, the registry
        print(f"aigov {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
