"""Walk a table in id order a page at a time: the chained side logs (reads, accounts) are
verified from their first row to their last without holding them all in memory."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, Table, select


def by_id(conn: Connection, table: Table, after: int = 0, batch: int = 5_000) -> Iterator:
    """Every row of `table` whose id is above `after`, in id order, `batch` rows a query."""
    query = select(table).order_by(table.c.id)
    last = after
    while True:
        page = conn.execute(query.where(table.c.id > last).limit(batch)).fetchall()
        if not page:
            return
        yield from page
        last = page[-1].id
