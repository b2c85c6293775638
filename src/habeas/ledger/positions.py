"""How far each projection has read the log, kept in `projection_positions` (by name, with
the digest of the law it was judged under)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, select

from habeas.db import adapters
from habeas.db.adapters.base import run
from habeas.db.schema import projection_positions


def read_positions(conn: Connection, names: Sequence[str], digest: str | None = None) -> dict[str, int]:
    """The position of each name (0: never built). Given `digest`, one judged under another
    law (or under one not recorded) is at 0: none of its rows can be kept."""
    found = dict.fromkeys(names, 0)
    if not names:
        return found
    marks = adapters.of(conn).marks(len(names))
    query = f"SELECT name, position, law FROM projection_positions WHERE name IN ({marks})"
    for name, position, judged_under in run(conn, query, tuple(names)).fetchall():
        found[name] = position if digest is None or judged_under == digest else 0
    return found


def write_positions(conn: Connection, names: Sequence[str], head: int, digest: str) -> None:
    """These names have read the log up to `head`, under the law of `digest`."""
    if not names:
        return
    adapter = adapters.of(conn)
    update = adapter.sql(
        f"UPDATE projection_positions SET position = ?, law = ? WHERE name IN ({adapter.marks(len(names))})"
    )
    updated = run(conn, update, (head, digest, *names))
    if updated.rowcount < len(names):
        p = projection_positions.c
        present = {name for (name,) in conn.execute(select(p.name).where(p.name.in_(names)))}
        conn.execute(
            projection_positions.insert(),
            [{"name": n, "position": head, "law": digest} for n in names if n not in present],
        )
