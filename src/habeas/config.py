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
