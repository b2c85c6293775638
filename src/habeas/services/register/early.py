"""Judging an import's cases while it still reads lines: a case the batch created and has not
stored to for `LET_GO` events is folded and judged by a judging process then; its projection
rows wait in a temporary file and are written at the end, in their turn.

Until 7 December 2026 every case was judged once the last line was in: the importing process
read and appended on one core while the other waited, then waited itself for the pool (a
third of a 100,000-event import). A case of a usual log is done long before the end (in the
simulator's caseload, two thirds of the events belong to cases stored to for the last time
more than 20,000 events before the end); one stored to again after being judged early is
judged again at the end, from its rows read back (`HeldRows.take`).

The rows are written when they would have been (`registry._fold_and_apply_in`, in the order
of the cases' names, through `Judged`, which stands for the pool there): so the projections'
tables get the same rows in the same order (a deadline's id breaks ties in `habeas alerts`).
"""

from __future__ import annotations

import marshal
import os
import pickle
import tempfile
from collections import deque
from concurrent.futures import Future
from itertools import islice

from habeas.domain.case import fold_all
from habeas.ledger import store
from habeas.projections import registry
from habeas.projections.base import CaseProjection, db_time
from habeas.services.held import _write_all
from habeas.services.register.batch import Batch

# A held case with no row in the last this many events is judged early (10 chunks: in the
# simulator's caseload, 5.6% of the events are judged again, against 110% at 2,000).
LET_GO = 20_000
TASK = 1000  # cases per task
IN_FLIGHT = 2  # tasks sent and not yet answered
MIN_TASK = 200  # fewer let go than this: wait for more (a task has a fixed cost)


def judge_each(streams, rows_of, law, projections, time) -> list[tuple[str, tuple | None]]:
    """(stream, (case, [each projection's rows])) of each stream, in order: its rows (`rows_of`)
    folded and judged; None for a stream that is not a case (a facility's visits) or has no rows."""
    judged = []
    for stream in streams:
        rows = rows_of(stream)
        state = fold_all([store.row_to_event(row) for row in rows]) if rows is not None else None
        if state is None or not any(e.case is not None for e in state.timeline):
            judged.append((stream, None))
        else:
            judged.append((stream, (state.case, [p.rows([state], law, time) for p in projections])))
    return judged


def _judge_sent(streams: list[str], sent: bytes, time) -> tuple[list[int], bytes]:
    """In the early judging process: the streams' rows as `marshal` sent them, each judged,
    answered as one pickle per stream (their sizes, and the pickles joined)."""
    law, projections, _ = registry._JUDGING
    found = marshal.loads(sent)
    blobs = [pickle.dumps(judged, 5) for _, judged in judge_each(streams, found.get, law, projections, time)]
    return [len(blob) for blob in blobs], b"".join(blobs)


def _rows_from(counts: dict[str, int], held, found):
    """A stream's rows: those `held` has (as many as `counts` says), or `found`'s (read back:
    {stream: rows}, or the bytes of `store.streams_text`)."""
    if isinstance(found, bytes):
        found = store.rows_of_text(found)

    def rows_of(stream):
        return registry._rows_of(stream, counts[stream], held) if stream in counts else found.get(stream)

    return rows_of


def _judge_rest(streams: list[str], counts: dict[str, int], found, time) -> list[tuple[str, tuple | None]]:
    """In a judging process of `finish`: as `registry._judge_rows`, each stream apart."""
    law, projections, held = registry._JUDGING
    return judge_each(streams, _rows_from(counts, held, found), law, projections, time)


class EarlyJudging:
    """Judges a batch's let-go cases in one process while the batch goes on (`step` after
    each chunk's flush), keeping the answers in a temporary file; `drain` when every line is in."""

    def __init__(self, batch: Batch, workers: int):
        self.batch = batch
        self.workers = workers
        self.let_go = LET_GO
        self.pool = None
        self.pending: deque = deque()
        self.projections = [p for p in batch.projections if isinstance(p, CaseProjection)]
        self.index: dict[str, tuple[int, int]] = {}  # stream: (offset, size) of its pickle in `file`
        self.file = None
        self.end = 0
        # off when a projection cannot be judged apart, or the projections are not where the
        # batch began (`finish` then catches them up whole)
        self.on = (
            batch.conn is not None
            and workers > 0
            and bool(self.projections)
            and all(p.rows and p.write for p in self.projections)
            and registry.in_step(batch.conn, batch._since, batch.projections, batch.law)
        )
        self.time = db_time(batch.conn) if self.on else None

    def step(self) -> None:
        """After a chunk's flush: keep what the judging process answered, and send it the
        cases let go (at most `IN_FLIGHT` tasks waiting)."""
        if not self.on:
            return
        while self.pending and self.pending[0].done():
            self._keep(self.pending.popleft())
        until = self.batch.log.head.position - self.let_go
        while len(self.pending) < IN_FLIGHT and until > 0 and self._send(until):
            pass

    def _send(self, until: int) -> bool:
        # the `MIN_TASK`-th least recently stored case must be let go too
        last = next(islice(self.batch._recent.values(), MIN_TASK - 1, None), None)
        if last is None or last > until:
            return False
        taken = self.batch.let_go(until, TASK)
        if self.pool is None:
            # forked at the first task: it inherits the law and the projections (`judging_pool`)
            self.pool = registry.judging_pool(self.batch.law, self.batch.projections, self.workers)
        future = self.pool.submit(_judge_sent, list(taken), marshal.dumps(taken), self.time)
        future.streams = list(taken)
        self.pending.append(future)
        return True

    def _keep(self, future: Future) -> None:
        sizes, blob = future.result()
        if self.file is None:
            self.file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (closed by `close`)
        _write_all(self.file.fileno(), [blob])
        offset = self.end
        for stream, size in zip(future.streams, sizes, strict=True):
            self.index[stream] = (offset, size)
            offset += size
        self.end = offset

    def judged(self, stream: str):
        """What `stream` was judged early as (None: not a case), if it was and is still held."""
        offset, size = self.index[stream]
        return pickle.loads(os.pread(self.file.fileno(), size, offset))

    def drain(self) -> None:
        """Every line is in: keep what is still being judged; end the early process."""
        while self.pending:
            self._keep(self.pending.popleft())
        self._stop_pool()

    def final_pool(self, pool):
        """What `Batch.finish` judges with: `pool` itself when no case was judged early."""
        return Judged(self, pool) if self.index else pool

    def _stop_pool(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def close(self) -> None:
        self._stop_pool()
        self.pending.clear()
        if self.file is not None:
            self.file.close()
            self.file = None


class Judged:
    """The pool `registry._fold_and_apply_in` judges the last cases with: each chunk's cases
    judged early are read from the early answers, the others judged by `pool` (in this
    process when there is none); its answer is each projection's rows in the chunk's order,
    as `registry._judge_rows` answers."""

    def __init__(self, early: EarlyJudging, pool):
        self.early = early
        self.pool = pool
        self.held = early.batch._held  # `_fold_and_apply_in` sends these streams by name

    def submit(self, _judge, chunk: list[str], counts: dict[str, int], found, time):
        index, held = self.early.index, self.held
        done = {s for s in chunk if s in index and s in held}  # judged early, not stored to since
        rest = [s for s in chunk if s not in done]
        rest_counts = {s: counts[s] for s in rest if s in counts}
        if not rest:
            answer: Future = Future()
            answer.set_result([])
        elif self.pool is not None:
            answer = self.pool.submit(_judge_rest, rest, rest_counts, found, time)
        else:  # too few left for a pool: here
            rows_of = _rows_from(rest_counts, held, found)
            answer = Future()
            answer.set_result(judge_each(rest, rows_of, self.early.batch.law, self.early.projections, time))
        return _Merged(self.early, chunk, done, answer)

    def shutdown(self, cancel_futures: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=cancel_futures)


class _Merged:
    def __init__(self, early: EarlyJudging, chunk: list[str], done: set[str], rest: Future):
        self.early, self.chunk, self.done, self.rest = early, chunk, done, rest

    def result(self) -> tuple[list[str], list[list]]:
        rest = dict(self.rest.result())
        case_ids: list[str] = []
        found: list[list] = [[] for _ in self.early.projections]
        for stream in self.chunk:
            judged = self.early.judged(stream) if stream in self.done else rest.get(stream)
            if judged is None:
                continue
            case, rows = judged
            case_ids.append(case)
            for into, more in zip(found, rows, strict=True):
                into.extend(more)
        return case_ids, found
