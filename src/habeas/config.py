"""Settings from the command line and the environment."""

from __future__ import annotations

import os
from datetime import timedelta
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
ENV_CHECKPOINT_LOG = "HABEAS_CHECKPOINT_LOG"
ENV_TSA_URL = "HABEAS_TSA_URL"
ENV_TSA_CERT = "HABEAS_TSA_CERT"


def signing_key_path(url: str | None = None) -> Path | None:
    """Where the checkpoint signing key lives: $HABEAS_SIGNING_KEY, or nowhere (None).

    Never a default beside the database: whoever can write the database must not also find
    the key that vouches for it (`url` is kept for callers that passed it)."""
    value = os.environ.get(ENV_SIGNING_KEY)
    return Path(value) if value else None


def checkpoint_log_path() -> Path | None:
    """Where `habeas checkpoint` publishes (appends) its checkpoints: $HABEAS_CHECKPOINT_LOG."""
    value = os.environ.get(ENV_CHECKPOINT_LOG)
    return Path(value) if value else None


def timestamp_authority() -> tuple[str | None, Path | None]:
    """An RFC 3161 timestamp authority to countersign published checkpoints, and its
    certificate (PEM) to check the tokens against: $HABEAS_TSA_URL, $HABEAS_TSA_CERT."""
    url, cert = os.environ.get(ENV_TSA_URL), os.environ.get(ENV_TSA_CERT)
    return (url or None), (Path(cert) if cert else None)


ENV_WEB_SECRET = "HABEAS_WEB_SECRET"


def web_secret() -> bytes:
    """The key of the web UI's CSRF and read tokens: $HABEAS_WEB_SECRET (hex), else new at
    each start (`habeas serve` sets one for all its workers): a form from before a restart
    is simply shown again."""
    import secrets

    given = os.environ.get(ENV_WEB_SECRET)
    return bytes.fromhex(given) if given else secrets.token_bytes(32)


ENV_FUTURE_TOLERANCE = "HABEAS_FUTURE_TOLERANCE"
DEFAULT_FUTURE_TOLERANCE = timedelta(minutes=5)


def future_tolerance(explicit: str | None = None) -> timedelta:
    """How far past the register's clock a fact may be dated (clocks of the systems that send
    facts drift): `--future-tolerance` or $HABEAS_FUTURE_TOLERANCE in minutes, default 5. A fact
    dated later has not happened yet and is refused (issue 20)."""
    text = explicit if explicit is not None else os.environ.get(ENV_FUTURE_TOLERANCE)
    if text is None or not text.strip():
        return DEFAULT_FUTURE_TOLERANCE
    try:
        minutes = float(text)
    except ValueError:
        raise ValueError(f"{ENV_FUTURE_TOLERANCE}: {text!r} is no number of minutes") from None
    if not 0 <= minutes <= 24 * 60:
        raise ValueError(f"{ENV_FUTURE_TOLERANCE}: {text!r}: between 0 and 1440 minutes")
    return timedelta(minutes=minutes)


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
