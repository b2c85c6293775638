"""Opening the register's database: the engine for a URL, its schema, clear errors.

Drivers never build an engine or touch SQLAlchemy themselves: they ask here, and get
`DatabaseUrlError`, `NoSchema` or `Unavailable` rather than a driver's exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from habeas.db.engine import DatabaseUrlError, make_engine, migrate, writer
from habeas.ledger import accounts, reads

__all__ = ["DatabaseUrlError", "NoSchema", "Unavailable", "open_database", "prepare"]


class NoSchema(Exception):
    """The database has no habeas tables yet (`habeas init` creates them)."""


class Unavailable(Exception):
    """The database cannot be used: not reachable, locked, refused."""


@contextmanager
def open_database(url: str) -> Iterator[Engine]:
    """An engine for `url` while the block runs; database errors come out as NoSchema or
    Unavailable. Raises DatabaseUrlError for a URL habeas cannot use."""
    engine = make_engine(url)
    try:
        yield engine
    except OperationalError as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            raise NoSchema() from None
        raise Unavailable(str(exc.orig)) from None
    except ProgrammingError as exc:
        if "does not exist" in str(exc):
            raise NoSchema() from None
        raise
    finally:
        engine.dispose()


def prepare(engine: Engine) -> str:
    """Create or migrate the schema to the newest revision (safe to run twice); returns it.
    Reads stored before the read log was chained are chained then, and users and sessions
    stored before the account log existed are adopted into it."""
    revision = migrate(engine)
    with writer(engine).begin() as conn:
        reads.adopt(conn)
        accounts.adopt(conn, datetime.now(UTC))
    return revision
