"""The only place that knows which database it speaks to.

Everything above `habeas.db` (the logs, the projections, the services) asks the adapter of
its connection (`of(conn)`) to do what the two stores do differently: spell a parameter,
bulk-insert rows, select rows among many values, take a lock, read in one snapshot, spell a
time. `SQLite` and `PostgreSQL` are the two production adapters; what they must do alike is
held by the storage contract test (tests/ledger/test_storage_contract.py), which the
in-memory store (`habeas.ledger.memory`) passes too.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import make_url

from habeas.db.adapters.base import Adapter
from habeas.db.adapters.postgresql import PostgreSQL
from habeas.db.adapters.sqlite import SQLite

ADAPTERS: dict[str, Adapter] = {"sqlite": SQLite(), "postgresql": PostgreSQL()}


def of(conn: Connection | Engine) -> Adapter:
    """The adapter of this connection's (or engine's) database."""
    return ADAPTERS[conn.dialect.name]


def for_url(url: str) -> Adapter | None:
    """The adapter of the database a URL names; None for one habeas does not speak. An
    unreadable URL raises SQLAlchemy's `ArgumentError`."""
    return ADAPTERS.get(make_url(url).get_backend_name())


def database_folder(url: str | None) -> Path | None:
    """The folder of the file a database URL names (SQLite's); None for a server's, or a
    database in memory."""
    if url and url.startswith("sqlite:///") and len(url) > len("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).resolve().parent
    return None


__all__ = ["ADAPTERS", "Adapter", "PostgreSQL", "SQLite", "database_folder", "for_url", "of"]
