"""``aigov-registry``: serve the API, migrate the database, manage teams and tokens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aigov_registry.api.teams import create_team, create_team_token, revoke_token, team_tokens
from aigov_registry.config import ConfigError, Settings, load_settings
from aigov_registry.db import create_registry_engine, session_factory
from aigov_registry.migrate import upgrade
from aigov_registry.models import ROLES

CLI_ACTOR = "cli"  # how the team's history names changes made on the registry's own machine


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; exit 0 when it worked, 1 with what to do when it did not, 2 for wrong usage."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(
            args.db,
            getattr(args, "data_dir", None),
            getattr(args, "max_upload_mib", None),
            signers=getattr(args, "signer", None),
            max_body_mib=getattr(args, "max_body_mib", None),
            max_record_kib=getattr(args, "max_record_kib", None),
        )
        return int(args.run(args, settings))
    except (ConfigError, ValueError) as exc:
        print(f"aigov-registry: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"aigov-registry: the database cannot be used: {exc.__class__.__name__}: {exc}. "
            "Check --db (or AIGOV_REGISTRY_DB) and that the database is reachable.",
            file=sys.stderr,
        )
        return 1


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from aigov_registry.app import create_app

    folder = settings.bundle_folder()  # before migrating: a missing setting is reported without touching the database
    engine = create_registry_engine(settings.database_url)
    revision = upgrade(engine)
    print(
        f"aigov-registry: database {_shown(settings)} at revision {revision}, bundles in {folder}",
        file=sys.stderr,
    )
    uvicorn.run(create_app(settings, engine), host=args.host, port=args.port, log_level=args.log_level)
    return 0


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    revision = upgrade(create_registry_engine(settings.database_url))
    print(f"Database {_shown(settings)} is at revision {revision} (the newest).")
    return 0


def _migrated(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the database, brought to the newest revision first (a command may be the first to use it)."""
    engine = create_registry_engine(settings.database_url)
    upgrade(engine)
    return session_factory(engine)


def _token_create(args: argparse.Namespace, settings: Settings) -> int:
    with _migrated(settings).begin() as session:
        token, _ = create_team_token(session, args.team, args.role, CLI_ACTOR)
    print(token)
    print(
        f"A {args.role} token for team {args.team.strip()!r}. It is shown only this once: keep it secret, "
        "and send it as 'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


def _token_list(args: argparse.Namespace, settings: Settings) -> int:
    with _migrated(settings)() as session:
        tokens = team_tokens(session, args.team)
    if not tokens:
        print("No tokens" + (f" for team {args.team!r}." if args.team else "."), file=sys.stderr)
    for token in tokens:
        revoked = token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "live"
        created = token.created_at.isoformat(timespec="seconds")
        print(f"{token.prefix}\t{token.team}\t{token.role}\t{created}\t{revoked}")
    return 0


def _token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    with _migrated(settings).begin() as session:
        revoked = revoke_token(session, args.prefix, CLI_ACTOR)
    if revoked is None:
        raise ValueError(f"No live token starts {args.prefix!r}; `aigov-registry token list` shows the prefixes.")
    print(f"Revoked the {revoked.role} token {revoked.prefix} of team {revoked.team!r}.", file=sys.stderr)
    return 0


def _team_create(args: argparse.Namespace, settings: Settings) -> int:
    with _migrated(settings).begin() as session:
        team = create_team(session, args.name, CLI_ACTOR)
    print(f"Created team {team.name!r}; give it tokens with `aigov-registry token create --team {team.name} "
          "--role read|submit|admin`.", file=sys.stderr)  # fmt: skip
    return 0


def _shown(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aigov-registry",
        description="The jupyter-aigov registry: serve its API, migrate its database, make tokens.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db", metavar="URL", help="Database URL (default: $AIGOV_REGISTRY_DB, else an SQLite file here)."
    )

    serve = commands.add_parser("serve", parents=[database], help="Run the registry's HTTP API.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--data-dir", help="Where bundles are stored (default: $AIGOV_REGISTRY_DATA_DIR, else beside the SQLite file)."
    )
    serve.add_argument(
        "--max-upload-mib",
        type=int,
        help="The largest bundle accepted, in MiB (default: $AIGOV_REGISTRY_MAX_UPLOAD_MIB, else 512).",
    )
    serve.add_argument(
        "--max-body-mib",
        type=int,
        help="The largest body of any other request, in MiB (default: $AIGOV_REGISTRY_MAX_BODY_MIB, else 16).",
    )
    serve.add_argument(
        "--max-record-kib",
        type=int,
        help="The largest live record accepted, in KiB (default: $AIGOV_REGISTRY_MAX_RECORD_KIB, else 64).",
    )
    serve.add_argument(
        "--signer",
        action="append",
        metavar="FINGERPRINT",
        help="Accept only bundles signed by this key (SHA256:..., as `aigov key` prints it; repeat for several; "
        "default: $AIGOV_REGISTRY_SIGNERS, else any valid signature).",
    )
    serve.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(run=_serve)

    db = commands.add_parser("db", help="Manage the database schema.").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", parents=[database], help="Migrate to the newest schema.").set_defaults(run=_db_upgrade)

    token = commands.add_parser("token", help="Manage API tokens.").add_subparsers(dest="token", required=True)
    create = token.add_parser("create", parents=[database], help="Make a token and print it once.")
    create.add_argument("--team", required=True)
    create.add_argument("--role", required=True, choices=ROLES)
    create.set_defaults(run=_token_create)
    listing = token.add_parser("list", parents=[database], help="List tokens: prefix, team, role, created, revoked.")
    listing.add_argument("--team", help="Only this team's tokens.")
    listing.set_defaults(run=_token_list)
    revoke = token.add_parser("revoke", parents=[database], help="Revoke a token by its prefix.")
    revoke.add_argument("prefix", help="The prefix `token list` shows, e.g. aigr_AbCdEfG.")
    revoke.set_defaults(run=_token_revoke)

    team = commands.add_parser("team", help="Manage teams.").add_subparsers(dest="team", required=True)
    make = team.add_parser("create", parents=[database], help="Make a team (token create also makes one).")
    make.add_argument("name")
    make.set_defaults(run=_team_create)
    return parser


if __name__ == "__main__":
    sys.exit(main())
