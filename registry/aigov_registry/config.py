"""Where the registry keeps its data and how much it accepts: from command-line options, else the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from aigov_core.bundle.archive import ArchiveLimits

ENV_DB = "AIGOV_REGISTRY_DB"
ENV_DATA_DIR = "AIGOV_REGISTRY_DATA_DIR"
ENV_MAX_UPLOAD_MIB = "AIGOV_REGISTRY_MAX_UPLOAD_MIB"
ENV_MAX_BODY_MIB = "AIGOV_REGISTRY_MAX_BODY_MIB"
ENV_MAX_RECORD_KIB = "AIGOV_REGISTRY_MAX_RECORD_KIB"
ENV_SIGNERS = "AIGOV_REGISTRY_SIGNERS"
DEFAULT_DB_FILE = Path("aigov-registry") / "registry.sqlite3"
DEFAULT_MAX_UPLOAD_MIB = 512
# Every other request is JSON or a form: 5,000 live records (the most one request may hold) of a few hundred
# bytes each come to a couple of MiB, so 16 MiB leaves room without letting one request take the memory.
DEFAULT_MAX_BODY_MIB = 16
# A record holds names and counts, never prompt or response text: a few hundred bytes as the kernel writes it.
DEFAULT_MAX_RECORD_KIB = 64
_KIB = 1 << 10
_MIB = 1 << 20
# Evidence logs compress about tenfold: 64 times the upload limit inflated leaves room, and bounds the work
# one authenticated upload can ask of the verifier.
_INFLATE_FACTOR = 64


class ConfigError(ValueError):
    """A setting cannot be used; the message names the option or variable to change."""


@dataclass(frozen=True)
class Settings:
    """The registry's database, the folder for stored bundles, and how large a request may be."""

    database_url: str
    data_dir: Path | None  # None: not configured, which only serving needs
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MIB * _MIB  # a bundle upload's body
    max_body_bytes: int = DEFAULT_MAX_BODY_MIB * _MIB  # the body of any other request
    max_record_bytes: int = DEFAULT_MAX_RECORD_KIB * _KIB  # one live record, as canonical JSON
    signers: tuple[str, ...] = ()  # when given, a bundle must be signed by one of these keys (SHA256:...)

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is an SQLite file."""
        return make_url(self.database_url).get_backend_name() == "sqlite"

    def bundle_folder(self) -> Path:
        """Where bundles are stored; ConfigError when neither configured nor derivable from an SQLite file."""
        if self.data_dir is None:
            raise ConfigError(
                "Stored bundles need a folder: give --data-dir or set "
                f"{ENV_DATA_DIR} (every serve process of one database must see the same folder)."
            )
        return self.data_dir

    def archive_limits(self) -> ArchiveLimits:
        """How much an uploaded bundle may declare before the verifier refuses it unread."""
        total = self.max_upload_bytes * _INFLATE_FACTOR
        return ArchiveLimits(max_entry_bytes=total, max_total_bytes=total)


def load_settings(
    db: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    max_upload_mib: int | None = None,
    env: Mapping[str, str] | None = None,
    signers: Sequence[str] | None = None,
    max_body_mib: int | None = None,
    max_record_kib: int | None = None,
) -> Settings:
    """Settings from the options given, else ``AIGOV_REGISTRY_*`` variables, else an SQLite file here."""
    env = os.environ if env is None else env
    url = _database_url(db or env.get(ENV_DB) or "")
    folder = data_dir or env.get(ENV_DATA_DIR)
    stored = Path(folder).expanduser().resolve() if folder else _beside_database(url)
    limit = _size(max_upload_mib, env, ENV_MAX_UPLOAD_MIB, "upload limit", DEFAULT_MAX_UPLOAD_MIB, "MiB") * _MIB
    body = _size(max_body_mib, env, ENV_MAX_BODY_MIB, "request body limit", DEFAULT_MAX_BODY_MIB, "MiB") * _MIB
    record = _size(max_record_kib, env, ENV_MAX_RECORD_KIB, "record limit", DEFAULT_MAX_RECORD_KIB, "KiB") * _KIB
    pinned = tuple(signers) if signers else tuple(env.get(ENV_SIGNERS, "").replace(",", " ").split())
    for fingerprint in pinned:
        if not fingerprint.startswith("SHA256:"):
            raise ConfigError(
                f"{fingerprint!r} is not a key fingerprint: give them as `aigov key` prints them (SHA256:...), "
                f"with --signer or {ENV_SIGNERS}."
            )
    return Settings(
        database_url=url.render_as_string(hide_password=False),
        data_dir=stored,
        max_upload_bytes=limit,
        max_body_bytes=body,
        max_record_bytes=record,
        signers=pinned,
    )


def _database_url(text: str) -> URL:
    if not text:
        return URL.create("sqlite", database=str(DEFAULT_DB_FILE.resolve()))
    try:
        url = make_url(text)
    except ArgumentError:
        raise ConfigError(
            f"{text!r} is not a database URL. Give one like sqlite:///registry.sqlite3 or "
            f"postgresql+psycopg://user@host/db (with --db or {ENV_DB})."
        ) from None
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # A relative file would move with the working folder of whichever process opens it.
        url = url.set(database=str(Path(url.database).expanduser().resolve()))
    return url


def _beside_database(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    database = Path(url.database)
    return database.parent / f"{database.stem}-bundles"


def _size(given: int | None, env: Mapping[str, str], name: str, what: str, default: int, unit: str) -> int:
    """A limit from its option, else its variable, else its default; ConfigError unless a positive number."""
    if given is None:
        text = env.get(name)
        if not text:
            return default
        try:
            given = int(text)
        except ValueError:
            raise ConfigError(f"{name} must be a whole number of {unit} (got {text!r}).") from None
    if given <= 0:
        raise ConfigError(f"The {what} must be a positive number of {unit} (got {given}).")
    return given
