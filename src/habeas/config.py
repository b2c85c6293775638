"""Settings from the command line and the environment."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DATABASE_URL = "HABEAS_DATABASE_URL"
ENV_JURISDICTION = "HABEAS_JURISDICTION"
DEFAULT_URL = "sqlite:///habeas.db"  # a SQLite file in the working folder


def database_url(explicit: str | None = None) -> str:
    """--db wins, then HABEAS_DATABASE_URL, then a SQLite file in the working folder."""
    return explicit or os.environ.get(ENV_DATABASE_URL) or DEFAULT_URL


class SettingError(ValueError):
    """A setting from the environment that habeas cannot use (the message names it)."""


ENV_LOCK_TIMEOUT = "HABEAS_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0


def lock_timeout() -> float:
    """Seconds a writer waits for another writer's lock before it gives up, storing nothing
    ($HABEAS_LOCK_TIMEOUT, default 30). A value that is not a positive number is an error."""
    text = os.environ.get(ENV_LOCK_TIMEOUT)
    if text is None or not text.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 86_400:
        raise SettingError(f"{ENV_LOCK_TIMEOUT}={text!r}: give the seconds to wait, a number above 0 (at most 86400)")
    return seconds


def jurisdiction() -> str:
    return os.environ.get(ENV_JURISDICTION, "kz")


ENV_SIGNING_KEY = "HABEAS_SIGNING_KEY"


def signing_key_path(url: str) -> Path:
    """Where the checkpoint signing key lives, outside the database: $HABEAS_SIGNING_KEY, or
    beside a SQLite database file (`<file>.signing-key`), or `habeas-signing.key` here."""
    if os.environ.get(ENV_SIGNING_KEY):
        return Path(os.environ[ENV_SIGNING_KEY])
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return Path(url.removeprefix("sqlite:///") + ".signing-key")
    return Path("habeas-signing.key")


ENV_READ_DATABASE_URL = "HABEAS_READ_DATABASE_URL"


def read_database_url(explicit: str | None = None) -> str | None:
    """A PostgreSQL streaming replica for the reads that may lag a little (statistics, lists,
    the board): --read-db wins, then HABEAS_READ_DATABASE_URL; none means the primary."""
    return explicit or os.environ.get(ENV_READ_DATABASE_URL) or None


ENV_REPLICA_WAIT = "HABEAS_REPLICA_WAIT"
DEFAULT_REPLICA_WAIT = 0.5


def replica_wait() -> float:
    """Seconds a user's read waits for the replica to replay their last write before it is
    answered by the primary instead ($HABEAS_REPLICA_WAIT, default 0.5; 0: never wait)."""
    text = os.environ.get(ENV_REPLICA_WAIT)
    if text is None or not text.strip():
        return DEFAULT_REPLICA_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 60:
        raise SettingError(f"{ENV_REPLICA_WAIT}={text!r}: give the seconds to wait, a number from 0 to 60")
    return seconds
