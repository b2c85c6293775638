"""SQLite: the embedded store (one file, WAL). Appends are serialised by the write lock its
writers take at BEGIN IMMEDIATE (`habeas.db.engine`), so no lock is taken here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from habeas.db.adapters.base import Adapter, run

IN_CHUNK = 900  # values of one `IN (?, …)`, within the driver's parameter limit


class SQLite(Adapter):
    name = "sqlite"
    # readers keep their snapshot, with its indexes (WAL): a bulk write may drop them
    drops_indexes_for_bulk = True

    def among(self, column: str, values: list) -> Iterator[tuple[str, tuple]]:
        for start in range(0, len(values), IN_CHUNK):
            chunk = values[start : start + IN_CHUNK]
            yield f"{column} IN ({self.marks(len(chunk))})", tuple(chunk)

    def insert_rows(self, conn: Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """One executemany."""
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        statement = f"INSERT INTO {table} ({names}) VALUES ({self.marks(len(columns))})"
        cursor = conn.connection.driver_connection.cursor()
        error = conn.dialect.dbapi.Error
        try:
            cursor.executemany(statement, rows)
        except error as exc:
            raise DBAPIError.instance(statement, list(rows), exc, error) from exc
        finally:
            cursor.close()

    def transaction_alive(self, conn: Connection) -> bool:
        return conn.connection.driver_connection.in_transaction

    def time_writer(self):
        return spelt_time

    def read_log_head(self, conn: Connection, key: int) -> tuple[int, str | None]:
        # the writer's transaction already holds the write lock (BEGIN IMMEDIATE)
        row = run(conn, "SELECT position, hash FROM read_head WHERE id = 1").fetchone()
        return (0, None) if row is None else (row[0], row[1])

    def write_read_log(self, conn: Connection, columns: Sequence[str], rows: Sequence[tuple], start: int) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        insert = f"INSERT INTO reads ({names}) VALUES ({self.marks(len(columns))})"
        if len(rows) == 1:
            run(conn, insert, rows[0])
        else:
            conn.exec_driver_sql(insert, list(rows))
        position, digest = rows[-1][0], rows[-1][-1]
        if start == 0:
            run(conn, "INSERT INTO read_head (id, position, hash) VALUES (1, ?, ?)", (position, digest))
        else:
            run(conn, "UPDATE read_head SET position = ?, hash = ? WHERE id = 1", (position, digest))


# A case's rows spell the same few moments again and again (a finding's start is its
# event's time, a due time is shared by the deadline and episode rows): each spelt once.
# Keyed by the moment's value: equal aware times are the same instant, spelt alike.
_SPELT: dict[datetime, str] = {}
SPELT_MAX = 200_000


def spelt_time(moment: datetime | None) -> str | None:
    """The text SQLAlchemy's `DateTime` stores on SQLite (`YYYY-MM-DD HH:MM:SS.ffffff`), of
    the naive UTC time of `moment` (an aware time, or a naive one taken as UTC)."""
    if moment is None:
        return None
    try:
        return _SPELT[moment]
    except KeyError:
        pass
    offset = moment.utcoffset()
    naive = moment.replace(tzinfo=None)
    spelt = (naive - offset if offset else naive).isoformat(" ", "microseconds")
    if len(_SPELT) >= SPELT_MAX:
        _SPELT.clear()
    _SPELT[moment] = spelt
    return spelt
