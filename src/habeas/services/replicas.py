"""Reads from a PostgreSQL streaming replica, and a user's own writes still seen by that user.

What may lag a little is read from the replica (`HABEAS_READ_DATABASE_URL`, `--read-db`):
the public statistics (a closed year's kept cells: `statistics.released`), the case list,
the rows of the alerts and of the detention board. What must not lag stays on the primary,
which alone takes writes:

- every read that decides access or writes a read record: the case file, `who_read`, the
  checks and the records of the case list, `alerts` and the board (the read log is appended
  on the primary, and a revoked assignment must refuse at once: the facts a decision rests
  on are read where the decision is recorded). The lists take their rows from the replica;
  each case shown is decided, and its read recorded, on the primary;
- a year's statistics released for the first time (written on the primary, read from it);
- sessions and sign-in (a session ended stops at once), the heads and checkpoints, verify,
  export, and everything an append reads.

Read-your-writes: after a signed-in user's write commits, the primary's WAL position is kept
in their session (`sessions.remember_writes`). Their next read that may go to the replica
first waits, up to `HABEAS_REPLICA_WAIT`, for the replica's replay position to pass it, and
is answered by the primary otherwise (or when the replica cannot be asked). The public, and
a user who has not written, read the replica as it is.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from habeas import config
from habeas.db import adapters
from habeas.services import setup
from habeas.services.sessions import remember_writes

POLL = 0.01  # seconds between two looks at the replica's replay position


@dataclass
class Reading:
    """Where reads go: the primary, and the replica if there is one."""

    primary: Engine
    replica: Engine | None = None
    wait: float = config.DEFAULT_REPLICA_WAIT

    def public(self) -> Engine:
        """For what anyone may read and may lag a little (the statistics)."""
        return self.replica or self.primary

    def for_user(self, read_after: str | None) -> Engine:
        """For a user's read that may lag, but never behind their own last write
        (`read_after`, from their session): the replica once it has replayed past it,
        else the primary."""
        if self.replica is None or read_after is None or self.replayed(read_after):
            return self.public()
        return self.primary

    def replayed(self, position: str) -> bool:
        """Whether the replica has replayed the primary's WAL up to `position`, waiting for
        it up to `wait` seconds. A replica that cannot be asked has not. A server not in
        recovery (a promoted replica, or the primary itself) holds what it was sent."""
        deadline = time.monotonic() + self.wait
        while True:
            try:
                with self.replica.connect() as conn:
                    if adapters.of(conn).replayed(conn, position):
                        return True
            except SQLAlchemyError:
                return False
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL)

    def remember(self, token: str) -> None:
        """After the user of session `token` wrote: their reads wait for this (a no-op
        without a replica)."""
        if self.replica is not None:
            remember_writes(self.primary, token)


@contextmanager
def open_reading(primary: Engine, read_url: str | None) -> Iterator[Reading]:
    """The reads' routing for an open primary: with `read_url`, a PostgreSQL replica of it
    (DatabaseUrlError for a store that has none: SQLite)."""
    if not read_url:
        yield Reading(primary)
        return
    try:
        spoken = adapters.for_url(read_url)
    except Exception:  # an unreadable URL: open_database names it
        spoken = adapters.of(primary)
    if not adapters.of(primary).replicated or spoken is None or not spoken.replicated:
        raise setup.DatabaseUrlError(
            "a read database (--read-db, HABEAS_READ_DATABASE_URL) is a PostgreSQL streaming replica"
            " of a PostgreSQL primary"
        )
    with setup.open_database(read_url) as replica:
        yield Reading(primary, replica, config.replica_wait())
