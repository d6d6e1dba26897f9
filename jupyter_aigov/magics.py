"""The `%aigov` line magic: status, policy, log, use-case, export, push."""

from __future__ import annotations

import argparse
import json
import shlex
from collections.abc import Callable

from aigov_core.errors import AIGovError, PolicyViolation

from . import governance
from .decisions_frame import decision_rows

USAGE = (
    "usage: %aigov status | policy | log [N] | use-case NAME | export [-o PATH] [--since T] [--until T] "
    "[--use-case U] [--model M] [--no-redact-notebooks] [--key PATH] | push [BUNDLE] | help"
)
HELP = """%aigov: AI governance in this kernel
  %aigov status          what governs this kernel: policy, user, evidence log, calls, detection, clients
  %aigov policy          the policy in force, as JSON
  %aigov log [N]         the last N decisions (20)
  %aigov use-case NAME   declare the use case of the calls that follow (see use_cases: in the policy)
  %aigov export [-o PATH] [--since T] [--until T] [--use-case U] [--model M] [--no-redact-notebooks] [--key PATH]
                         write a signed evidence bundle for an audit
  %aigov push [BUNDLE]   send a bundle (this notebook's, by default) to AIGOV_REGISTRY_URL
  %aigov help            this list
  %unload_ext aigov      stop governing; %reload_ext aigov loads the policy again"""


def _status(argument: str) -> None:
    info = governance.status()
    if not info["enabled"]:
        print("aigov is not enabled: run `%load_ext aigov`.")
        return
    counts = info["calls"]
    print(f"aigov {info['version']} governing this kernel")
    print(f"  policy:      {info['policy']}  (on_error: {info['on_error']})")
    print(f"  user:        {info['user']}    use case: {info['use_case'] or '-'}")
    if info.get("locked"):
        print(f"  locked:      by {info['locked']['by']}: it cannot be unloaded or disabled in this kernel")
    print(f"  notebook:    {info['notebook']}")
    print(f"  evidence:    {info['evidence_log']}")
    print(
        f"  AI calls:    {counts['allow']} allowed, {counts['redact']} redacted, {counts['block']} blocked, "
        f"{counts['error']} aigov errors"
    )
    print(f"  detection:   {info['detection']}")
    answers = {"allow": "left as they are", "redact": "scanned, findings masked", "block": "scanned, findings refused"}
    print(f"  answers:     {answers[info['answers']]} (redaction.responses: {info['answers']})")
    if info["plugins"]:
        loaded = [f"{p['name']} ({p['distribution']} {p['version']})" for p in info["plugins"]]
        print(f"  plugins:     {', '.join(loaded)}")
    print(f"  intercepting: {', '.join(info['intercepting']) or 'no client library imported yet'}")
    for name, failure in info["interception_failures"].items():
        refused = "its AI calls are refused (intercept.unavailable)" if name in info["refusing"] else "UNGUARDED"
        print(f"\x1b[31m  NOT intercepting {name}: {failure}; {refused}. Run `%reload_ext aigov`.\x1b[0m")
    registry = info.get("registry")
    if registry:
        live = registry["live"] or {}
        policy = registry["policy"] or {}
        print(f"  registry:    {registry['url']}  (token {registry['token']})")
        print(f"    policy:    {policy.get('state', '-')}: {policy.get('message', '')}")
        print(
            f"    live:      {live.get('state', '-')}, {live.get('sent', 0)} sent, {live.get('spooled', 0)} spooled"
            + (f"; last error: {live['last_error']}" if live.get("last_error") else "")
        )
    last = info["last_decision"]
    if last:
        print(f"  last:        {last['decision']} {last.get('model')} ({', '.join(last.get('rules', []))})")


def _policy(argument: str) -> None:
    gateway = governance.require_gateway()
    print(f"# policy from {gateway.session.loaded.source}")
    print(json.dumps(gateway.session.loaded.policy.model_dump(mode="json", exclude_defaults=False), indent=2))


def _log(argument: str) -> None:
    gateway = governance.require_gateway()
    gateway.evidence.flush()
    count = int(argument) if argument.strip().isdigit() else 20
    rows = decision_rows(gateway.evidence.log.path)[-count:]
    if not rows:
        print(f"No AI calls recorded yet in {gateway.evidence.log.path}.")
    for row in rows:
        tokens = f" {row['input_tokens']}->{row['output_tokens']} tokens" if row.get("input_tokens") is not None else ""
        print(
            f"#{row['seq']} {row['ts']} {row['decision']:5} {row['provider']}/{row['model']} "
            f"[{', '.join(row['rules'] or [])}]{tokens} {row['reason']}"
        )


def _use_case(argument: str) -> None:
    name = argument.strip()
    if not name:
        raise AIGovError("Name the use case: `%aigov use-case NAME` (declared under use_cases: in the policy).")
    governance.set_use_case(name)
    print(f"Use case set to {name!r}.")


def _export(argument: str) -> None:
    from .bundle.api import export
    from .cli import add_export_options, export_options

    parser = argparse.ArgumentParser(prog="%aigov export", add_help=False, exit_on_error=False)
    add_export_options(parser)
    try:
        args, unknown = parser.parse_known_args(shlex.split(argument))
    except (ValueError, argparse.ArgumentError) as exc:
        raise AIGovError(f"{exc}. {USAGE}") from None
    if unknown:
        raise AIGovError(f"%aigov export does not take {' '.join(unknown)}. {USAGE}")
    print(export(args.output, **export_options(args)))


def _push(argument: str) -> None:
    from .bundle.api import export
    from .registry_client.http import RegistrySettings
    from .registry_client.push import push_bundle

    settings = RegistrySettings.from_env()
    if settings is None:  # before exporting: no bundle is written for nothing
        raise AIGovError("No registry to push to: set AIGOV_REGISTRY_URL (and AIGOV_REGISTRY_TOKEN) in the kernel.")
    named = shlex.split(argument)
    if len(named) > 1:
        raise AIGovError(f"%aigov push takes one bundle at most. {USAGE}")
    if named:
        bundle = named[0]
    else:
        exported = export(None)
        print(exported)
        bundle = str(exported.path)
    print(push_bundle(bundle, settings))


def _help(argument: str) -> None:
    print(HELP)


COMMANDS: dict[str, Callable[[str], None]] = {
    "status": _status,
    "policy": _policy,
    "log": _log,
    "use-case": _use_case,
    "export": _export,
    "push": _push,
    "help": _help,
}


def aigov_magic(line: str) -> None:
    """%aigov status | policy | log [N] | use-case NAME | export | push [BUNDLE] | help"""
    from IPython.core.error import UsageError

    command, _, argument = line.strip().partition(" ")
    handler = COMMANDS.get(command or "status")
    if handler is None:
        # shown as one short message with the usage, not a traceback
        raise UsageError(f"Unknown %aigov command {command!r}. {USAGE} (`%aigov help` describes each)")
    try:
        handler(argument)
    except AIGovError as error:
        if isinstance(error, PolicyViolation):  # a refusal is shown by the extension's own handler
            raise
        raise UsageError(str(error)) from None
