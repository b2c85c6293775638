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


ENV_WEB_SECRET = "HABEAS_WEB_SECRET"


def web_secret() -> bytes:
    """The key of the web UI's CSRF and read tokens: $HABEAS_WEB_SECRET (hex), else new at
    each start (`habeas serve` sets one for all its workers): a form from before a restart
    is simply shown again."""
    import secrets

    given = os.environ.get(ENV_WEB_SECRET)
    return bytes.fromhex(given) if given else secrets.token_bytes(32)
