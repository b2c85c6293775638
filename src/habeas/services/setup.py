"""Opening the register's database: the engine for a URL, its schema, clear errors.

Drivers never build an engine or touch SQLAlchemy themselves: they ask here, and get
`DatabaseUrlError`, `NoSchema` or `Unavailable` rather than a driver's exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from habeas import config
from habeas.db.engine import DatabaseUrlError, TransactionLost, failure, make_engine, migrate, writer
from habeas.ledger import accounts, reads

__all__ = [
    "DATABASE_ERRORS",
    "DatabaseUrlError",
    "NoSchema",
    "Unavailable",
    "explain",
    "reason_for",
    "open_database",
    "prepare",
]

# What a driver catches to answer "the database is unavailable" (503) instead of failing:
# the database's own errors, and a transaction it ended on its own.
DATABASE_ERRORS: tuple[type[BaseException], ...] = (SQLAlchemyError, TransactionLost)  # drivers add `Unavailable`

EXPLANATIONS = {
    "full": "the disk (or the temporary space) of the database is full",
    "locked": "another writer held the database's lock longer than the lock timeout (HABEAS_LOCK_TIMEOUT)",
    "read_only": "the database is read-only",
    "lost": "the database ended the transaction on its own",
    "failed": "the database failed",
}


def reason_for(exc: BaseException) -> str:
    """`explain` for any failure a driver catches as "unavailable" (DATABASE_ERRORS,
    `Unavailable`, the register's `StorageFailed`)."""
    reason = getattr(exc, "reason", None)
    if reason in EXPLANATIONS:  # StorageFailed has classified it already
        return EXPLANATIONS[reason]
    if isinstance(exc, Unavailable):
        return str(exc)
    return explain(exc)


def explain(exc: BaseException) -> str:
    """The operator's words for a database failure (never what the database said: that may
    quote stored data)."""
    return EXPLANATIONS[failure(exc)]


class NoSchema(Exception):
    """The database has no habeas tables yet (`habeas init` creates them)."""


class Unavailable(Exception):
    """The database cannot be used: not reachable, locked, refused."""


@contextmanager
def open_database(url: str) -> Iterator[Engine]:
    """An engine for `url` while the block runs; database errors come out as NoSchema or
    Unavailable. Raises DatabaseUrlError for a URL habeas cannot use."""
    engine = make_engine(url, config.lock_timeout())
    try:
        yield engine
    except OperationalError as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            raise NoSchema() from None
        if failure(exc) != "failed":
            raise Unavailable(explain(exc)) from None
        raise Unavailable(str(exc.orig)) from None
    except TransactionLost as exc:
        raise Unavailable(str(exc)) from None
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
