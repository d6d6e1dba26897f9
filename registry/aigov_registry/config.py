"""Where the registry keeps its data and how much it accepts: from command-line options, else the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from jupyter_aigov.bundle.archive import ArchiveLimits

ENV_DB = "AIGOV_REGISTRY_DB"
ENV_DATA_DIR = "AIGOV_REGISTRY_DATA_DIR"
ENV_MAX_UPLOAD_MIB = "AIGOV_REGISTRY_MAX_UPLOAD_MIB"
ENV_SIGNERS = "AIGOV_REGISTRY_SIGNERS"
DEFAULT_DB_FILE = Path("aigov-registry") / "registry.sqlite3"
DEFAULT_MAX_UPLOAD_MIB = 512
_MIB = 1 << 20
# Evidence logs compress about tenfold: 64 times the upload limit inflated leaves room, and bounds the work
# one authenticated upload can ask of the verifier.
_INFLATE_FACTOR = 64


class ConfigError(ValueError):
    """A setting cannot be used; the message names the option or variable to change."""


@dataclass(frozen=True)
class Settings:
    """The registry's database, the folder for stored bundles, and the upload limit."""

    database_url: str
    data_dir: Path | None  # None: not configured, which only serving needs
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MIB * _MIB
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
) -> Settings:
    """Settings from the options given, else ``AIGOV_REGISTRY_*`` variables, else an SQLite file here."""
    env = os.environ if env is None else env
    url = _database_url(db or env.get(ENV_DB) or "")
    folder = data_dir or env.get(ENV_DATA_DIR)
    stored = Path(folder).expanduser().resolve() if folder else _beside_database(url)
    mib = max_upload_mib if max_upload_mib is not None else _int(env.get(ENV_MAX_UPLOAD_MIB), ENV_MAX_UPLOAD_MIB)
    if mib is not None and mib <= 0:
        raise ConfigError(f"The upload limit must be a positive number of MiB (got {mib}).")
    limit = (mib or DEFAULT_MAX_UPLOAD_MIB) * _MIB
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


def _int(text: str | None, name: str) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number of MiB (got {text!r}).") from None
