"""The projections of the register, and how they follow the log.

`ALL` lists every projection; adding one is a module with its `PROJECTION` and a line
here (and its table, in a migration). Three ways to move them, all in the caller's
transaction, under the append lock:

- `after_append`: in the append's own transaction, the cases the batch touched;
- `catch_up`: whatever each projection has not read yet, from its tracked position;
- `rebuild`: empty the tables and read the whole log again.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from time import sleep

from sqlalchemy import Connection, delete, select

from habeas.db import adapters
from habeas.db.schema import events
from habeas.domain.case import CaseState, fold, fold_all
from habeas.law.package import Law
from habeas.ledger import store
from habeas.ledger.positions import read_positions, write_positions
from habeas.projections import cases, deadlines, episodes
from habeas.projections.base import CaseProjection, EventProjection, Projection, db_time, naive_utc

ALL: tuple[Projection, ...] = (cases.PROJECTION, deadlines.PROJECTION, episodes.PROJECTION)
# Cases folded and applied at a time: bounded memory. 500 cost an import judged in the pool
# 0.1-0.2 s more of 5 (100,000 events): three COPYs and a task per chunk.
CHUNK = 1000
# Chunks handed to the pool and not yet written: enough to keep two processes busy. Memory
# grows with CHUNK times this: a 1,000,000-event SQLite import peaked at 240 MB with 500 x 4,
# 271 MB with 1,000 x 4, 255 MB with 1,000 x 2 (as fast as x 4).
IN_FLIGHT = 2
PAGE = 5000  # events read at a time by an event projection


def positions(conn: Connection, projections: Iterable[Projection] = ALL, digest: str | None = None) -> dict[str, int]:
    """How far each projection has read the log (0: never built). Given `digest` (a `Law.digest`),
    a projection judged under another law (or one not known: written before the law was
    recorded) is at 0: none of its rows can be kept."""
    return read_positions(conn, [p.name for p in projections], digest)


def behind(conn: Connection, projections: Iterable[Projection] = ALL, digest: str | None = None) -> dict[str, int]:
    """{name: position} of the projections that have not read the whole log (under the law
    of `digest`, when given)."""
    head = store.read_head(conn).position
    return {name: at for name, at in positions(conn, projections, digest).items() if at < head}


def after_append(
    conn: Connection,
    law: Law,
    touched: Collection[str],
    since: int,
    head: int,
    projections: Sequence[Projection] = ALL,
    progress: Callable[[int, int], None] | None = None,
    pool=None,
    held: Mapping[str, list[tuple]] | None = None,
) -> None:
    """Project what an append stored: `touched` streams, the log from `since` to `head`.

    When every projection had read up to `since`, only the touched cases are folded (by
    `pool`, a `judging_pool`, when one is given); a projection that was behind before the
    append is caught up whole. `held` has the stored rows of streams the append created
    (all of their rows, `services.held.HeldRows`): those are folded from there rather than
    read back, and their projections have no rows to delete."""
    if head == since:
        return
    if not in_step(conn, since, projections, law):
        catch_up(conn, law, projections, progress)
        return
    _fold_and_apply(conn, law, sorted(touched), _of(CaseProjection, projections), progress, pool, held)
    for projection in _of(EventProjection, projections):
        _apply_events(conn, law, projection, since)
    _set_positions(conn, projections, head, law)


def in_step(conn: Connection, since: int, projections: Sequence[Projection] = ALL, law: Law | None = None) -> bool:
    """Whether every projection has read the log up to `since`, and no further (under `law`)."""
    return all(at == since for at in positions(conn, projections, law.digest if law else None).values())


def catch_up(
    conn: Connection,
    law: Law,
    projections: Sequence[Projection] = ALL,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Bring every projection up to the head of the log, under `law` (one judged under
    another law is rebuilt); {name: position it was at}."""
    head = store.read_head(conn).position
    late = {name: at for name, at in positions(conn, projections, law.digest).items() if at < head}
    if not late:
        return {}
    fresh = [p for p in projections if late.get(p.name) == 0]
    if fresh:  # never built: read the whole log once
        rebuild(conn, law, fresh)
    partly = [p for p in projections if late.get(p.name, 0) > 0]
    if partly:
        case_projections = _of(CaseProjection, partly)
        if case_projections:
            # Re-folding a case a projection had already seen is harmless: apply replaces
            # a case's rows by its whole state. So one set of cases serves them all.
            since = min(late[p.name] for p in case_projections)
            streams = conn.execute(select(events.c.stream).where(events.c.position > since).distinct())
            _fold_and_apply(conn, law, sorted(s for (s,) in streams), case_projections, progress)
        for projection in _of(EventProjection, partly):
            _apply_events(conn, law, projection, late[projection.name])
        _set_positions(conn, partly, head, law)
    return late


def rebuild(
    conn: Connection,
    law: Law,
    projections: Sequence[Projection] = ALL,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Empty the projections' tables and read the whole log again; returns the events read."""
    head = store.read_head(conn).position
    for projection in projections:
        for table in reversed(projection.tables):
            conn.execute(delete(table))
    read = head
    case_projections = _of(CaseProjection, projections)
    if case_projections:
        read = _fold_everything(conn, law, case_projections, progress)
    for projection in _of(EventProjection, projections):
        _apply_events(conn, law, projection, 0)
    _set_positions(conn, projections, head, law)
    return read


def _fold_everything(conn: Connection, law: Law, projections, progress) -> int:
    """One ordered scan of the log, stream by stream, applied a chunk of cases at a time."""
    read = 0
    pending: list[CaseState] = []
    state: CaseState | None = None
    rows = conn.exec_driver_sql(
        f"{store.SELECT_ROWS} ORDER BY stream, version",
        execution_options={"stream_results": True, "yield_per": PAGE},
    )
    for row in rows:
        event = store.row_to_event(row)
        if state is not None and state.case != event.stream:
            pending.append(state)
            state = None
        state = fold(state, event)
        read += 1
        if len(pending) >= CHUNK:
            _apply(conn, law, pending, projections)
            pending = []
        if progress and read % 10_000 == 0:
            progress(read)
    if state is not None:
        pending.append(state)
    _apply(conn, law, pending, projections)
    return read


def _fold_and_apply(
    conn: Connection, law: Law, streams: Sequence[str], projections, progress, pool=None, held=None
) -> None:
    if not projections:
        return
    if pool is not None and all(p.rows and p.write for p in projections):
        _fold_and_apply_in(pool, conn, streams, projections, progress, held)
        return
    for start in range(0, len(streams), CHUNK):
        found = _streams_rows(conn, streams[start : start + CHUNK], held)
        states = [fold_all([store.row_to_event(row) for row in rows]) for rows in found.values()]
        _apply(conn, law, states, projections, held)
        if progress:
            progress(min(start + CHUNK, len(streams)), len(streams))


def _streams_rows(conn: Connection, streams: Sequence[str], held) -> dict[str, list[tuple]]:
    """The stored rows of these streams: those `held` has from there, the others read back."""
    if not held:
        return store.streams_rows(conn, streams)
    missing = [s for s in streams if s not in held]
    found = store.streams_rows(conn, missing) if missing else {}
    return {s: held[s] if s in held else found[s] for s in streams if s in held or s in found}


# What a judging process works with: set before the pool's processes are forked (they
# inherit it), so neither the law, the projections nor the held rows are ever pickled.
_JUDGING: tuple[Law, Sequence[CaseProjection], Mapping[str, list[tuple]]] | None = None


def judging_pool(
    law: Law, projections: Sequence[Projection], workers: int, held: Mapping[str, list[tuple]] | None = None
):
    """Processes that fold and judge chunks of cases for `after_append(pool=...)`. Forked, so
    they inherit the law, and `held` (the batch's held rows, complete: it must not change
    until the pool is shut down), whose streams are then sent to them by name; they never
    touch the database (the rows go back to the caller, which writes them in its own
    transaction). The caller shuts the pool down."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _JUDGING
    case_projections = _of(CaseProjection, projections)
    _JUDGING = (law, case_projections, held or {})
    for projection in case_projections:
        # what a projection loads on first use (the statistics' reference YAML: ~0.3 s) is
        # loaded once here, not once in every process
        projection.rows([], law, naive_utc)
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_die_with, initargs=(os.getpid(),)
    )
    pool.held = _JUDGING[2]  # what `_fold_and_apply_in` may send by name
    return pool


def _die_with(parent: int) -> None:
    """In a judging process: end when the importing process ends, however it ends (a kill -9
    leaves no one to shut the pool down, and a worker waiting for work would wait for ever
    with ~200 MB of inherited rows). Linux signals the worker when its parent dies; elsewhere
    a thread watches for the parent to be gone."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) != 0:  # PR_SET_PDEATHSIG
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        sleep(1.0)
    os._exit(1)


def _judge_rows(streams: list[str], held_counts: dict[str, int], found, time) -> tuple[list[str], list[list]]:
    """In a judging process: fold each stream's stored rows, judge it, build every projection's
    rows. `streams` in order; the rows of those in `held_counts` inherited (`judging_pool`),
    of the others in `found`: {stream: rows}, or the bytes of `store.streams_text`."""
    law, projections, held = _JUDGING
    if isinstance(found, bytes):
        found = store.rows_of_text(found)
    states = []
    for stream in streams:
        rows = _rows_of(stream, held_counts[stream], held) if stream in held_counts else found.get(stream)
        if rows is not None:
            states.append(fold_all([store.row_to_event(row) for row in rows]))
    states = [s for s in states if any(e.case is not None for e in s.timeline)]
    return [s.case for s in states], [p.rows(states, law, time) for p in projections]


def _rows_of(name: str, count: int, held) -> list[tuple]:
    rows = held.get(name)
    if rows is None or len(rows) != count:  # held changed after the fork: a caller's bug, never a wrong row
        raise RuntimeError(f"held rows of {name!r} are not those the pool inherited")
    return rows


def _fold_and_apply_in(pool, conn: Connection, streams: Sequence[str], projections, progress, held=None) -> None:
    """As `_fold_and_apply`, the folding and judging done by `pool` while this process reads
    the next chunks and writes the rows of those done, in order. At most a few chunks are in
    flight, so memory stays flat. The held streams the pool inherited are sent by name, the
    others (read back) as the text of a COPY where the adapter sends rows so (PostgreSQL): pickling rows cost this
    process's feeder thread ~5 us a row, and the driver as much to build them."""
    time = db_time(conn)
    pending: deque = deque()
    done = 0
    inherited = held if held and getattr(pool, "held", None) is held else {}
    held = held or {}
    # how many rows a held stream has: told by the holder when it can (`services.held.HeldRows`
    # tells without reading the rows it wrote to its file)
    rows_in = getattr(held, "rows_in", None) or (lambda stream: len(held[stream]))
    as_text = adapters.of(conn).rows_as_text

    def write_oldest() -> None:
        nonlocal done
        size, future = pending.popleft()
        case_ids, found = future.result()
        for projection, rows in zip(projections, found, strict=True):
            projection.write(conn, _replaced(case_ids, held), rows)
        done += size
        if progress:
            progress(done, len(streams))

    for start in range(0, len(streams), CHUNK):
        chunk = streams[start : start + CHUNK]
        counts = {s: rows_in(s) for s in chunk if s in inherited}
        if len(counts) == len(chunk):
            found = {}
        elif as_text:
            found = store.streams_text(conn, [s for s in chunk if s not in counts])
        else:
            found = _streams_rows(conn, [s for s in chunk if s not in counts], held)
        pending.append((len(chunk), pool.submit(_judge_rows, chunk, counts, found, time)))
        if len(pending) > IN_FLIGHT:
            write_oldest()
    while pending:
        write_oldest()


def _apply(conn: Connection, law: Law, states: list[CaseState], projections, held=None) -> None:
    """Hand the cases to each case projection; streams that are not cases (a facility's visits)
    are passed over. A stream is a case when it holds a fact of a case, decided by kind: an older
    database may file visits under `facility:<name>`, which a case may also be called."""
    states = [s for s in states if any(e.case is not None for e in s.timeline)]
    if not states:
        return
    replaced = _replaced([s.case for s in states], held)
    time = db_time(conn)
    for projection in projections:
        if projection.rows and projection.write:
            projection.write(conn, replaced, projection.rows(states, law, time))
        else:
            projection.apply(conn, states, law)


def _replaced(case_ids: Sequence[str], held) -> Sequence[str]:
    """The cases whose old rows a write must delete: not those the batch created (`held`:
    the projections were at the batch's start, when such a case had no events, so no rows)."""
    if not held:
        return case_ids
    return [case for case in case_ids if case not in held]


def _apply_events(conn: Connection, law: Law, projection: EventProjection, after: int) -> None:
    columns = [events.c[name] for name in store.COLUMNS] + [events.c.hash]
    query = select(*columns).where(events.c.kind.in_(sorted(projection.kinds))).order_by(events.c.position)
    while True:
        page = conn.execute(query.where(events.c.position > after).limit(PAGE)).fetchall()
        if not page:
            return
        projection.apply(conn, [store.row_to_event(row) for row in page], law)
        after = page[-1][0]


def _set_positions(conn: Connection, projections: Iterable[Projection], head: int, law: Law) -> None:
    write_positions(conn, [p.name for p in projections], head, law.digest)


def _of(kind: type, projections: Iterable[Projection]) -> list:
    return [p for p in projections if isinstance(p, kind)]
