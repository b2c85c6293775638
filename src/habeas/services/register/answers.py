"""What the register answers: an `Outcome` for each fact offered, or `StorageFailed` when the
database (not the input) failed, with what the database said kept out of the message."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import uuid4

from sqlalchemy.exc import OperationalError, ProgrammingError

from habeas.db.engine import failure
from habeas.domain.events import Event
from habeas.services import setup

# What a database said when it failed may quote any row of the batch (other cases' data):
# it goes to this logger, and to the operator's log file when one is configured (the CLI's
# --log-file), never into a message. Without a handler it goes nowhere, not to stderr.
logger = logging.getLogger("habeas.register")
logging.getLogger("habeas").addHandler(logging.NullHandler())


def new_event_id() -> str:
    return f"ev-{uuid4().hex}"


@dataclass
class Outcome:
    """What happened to one submitted event."""

    status: str  # "stored" | "skipped"
    event: Event


class StorageFailed(Exception):
    """The database failed while storing: not the input's fault, and nothing was stored.

    Carries only the line (None outside an import, or while judging), the class of the
    database's error and what kind of failure it is (`db.engine.failure`: full, locked,
    read_only, lost, failed); what the database said is logged (`logger`), never carried here."""

    def __init__(self, line: int | None, error: BaseException):
        self.line = line
        self.error_class = type(error).__name__
        self.reason = failure(error)
        said = f"database: {self.error_class}"
        if self.reason != "failed":
            said += f": {setup.EXPLANATIONS[self.reason]}"
        super().__init__(f"{f'line {line}: ' if line else ''}{said}")


def schema_missing(exc: BaseException) -> bool:
    """A database without the habeas tables: the driver says "run habeas init", as it always did."""
    return isinstance(exc, OperationalError | ProgrammingError) and any(
        words in str(exc.orig) for words in ("no such table", "does not exist")
    )


def failed(line: int | None, exc: BaseException) -> StorageFailed:
    """Log what the database said; return the message-safe exception to raise instead."""
    where = f"line {line} of an import" if line else "a write"
    logger.error("database error at %s: %s", where, type(exc).__name__, exc_info=exc)
    return StorageFailed(line, exc)
