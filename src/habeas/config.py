"""Settings from the command line and the environment."""

from __future__ import annotations

import os

ENV_DATABASE_URL = "HABEAS_DATABASE_URL"
ENV_JURISDICTION = "HABEAS_JURISDICTION"
DEFAULT_URL = "sqlite:///habeas.db"  # a SQLite file in the working folder


def database_url(explicit: str | None = None) -> str:
    """--db wins, then HABEAS_DATABASE_URL, then a SQLite file in the working folder."""
    return explicit or os.environ.get(ENV_DATABASE_URL) or DEFAULT_URL


def jurisdiction() -> str:
    return os.environ.get(ENV_JURISDICTION, "kz")
