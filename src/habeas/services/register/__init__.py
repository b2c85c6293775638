"""The register: the one place facts enter the log.

`Register.submit` takes one event (the API, the web UI, the simulator);
`Register.import_lines` takes a JSONL stream (the importer). Both go through a
`Batch`, in one transaction: check the case and the actor's competence against the
law, chain the event; then fold, judge and project every case the batch touched. A
refused event stores nothing; an import with any refused line stores nothing at all.

The rooms: `batch` records facts in one transaction; `decisions` is what the law decides
of a new fact, `truth` whether it can be true; `importing` reads a JSONL stream into a
batch; `answers` is what the register answers. Every name is imported from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from habeas import config
from habeas.clock import Clock, SystemClock
from habeas.db.engine import TransactionLost, build_indexes, drop_indexes
from habeas.domain.case import CaseState, fold_all
from habeas.domain.events import Actor, Event, Refused, check_limits, parse_event
from habeas.law.package import Law
from habeas.ledger import store
from habeas.ledger.recorder import Recorder, SqlRecorder, Writing
from habeas.projections import registry
from habeas.projections.base import Projection
from habeas.services.register.answers import Outcome, StorageFailed, failed, logger, new_event_id, schema_missing
from habeas.services.register.batch import Batch, Tuning
from habeas.services.register.decisions import corrected_as_stored, correction_problems, decide
from habeas.services.register.importing import (
    Cursor,
    ImportReport,
    LineError,
    chunks,
    fewer_collections,
    import_chunk,
    jsonl_lines,
    processes,
)

__all__ = [
    "Batch",
    "ImportReport",
    "LineError",
    "Outcome",
    "Register",
    "StorageFailed",
    "correction_problems",
    "corrected_as_stored",
    "decide",
    "jsonl_lines",
    "logger",
    "new_event_id",
]

# Import chunking: events decided between two writes. Bounded memory per chunk.
CHUNK = 2000
# Case heads kept in memory during a batch, the least recently touched let go beyond (~330
# bytes each with the case's marks, measured: 12,618 heads 3 MB more than 3,000). A case let
# go and touched again is read again from the log, one query per chunk for all such. About
# 30,000 cases are open at a time at the national rate (bench/README), so 64,000 keeps every
# open one; 200,000 kept every case of a 1,000,000-event import (~126,000: ~42 MB).
CACHE_HEADS = 64_000
# An import that touched at least this many cases judges them in a pool of processes.
POOL_MIN_CASES = 2000
# Rows of the cases a batch created, held in memory to project them without reading them back
# (about 840 bytes each). Beyond this many, the least recently touched held cases' rows are
# written to a temporary file (`services.held`). 100,000 took a 1,000,000-event import's peak
# RSS to 327 MB (target < 300); 50,000 to 311 MB once the law grew (7 December 2026). 25,000:
# peak RSS at 100,000 events 151 MB against 164-166, in the same time (the judging processes
# read the rows written out, not this one).
HOLD_ROWS = 25_000
# A batch of at least this many events, that at least doubles the log, writes its projections
# without their read indexes and builds them once at the end (SQLite; `db.engine.drop_indexes`).
BULK_EVENTS = 50_000


def _tuning() -> Tuning:
    """The settings above as they stand when a batch begins (a test may change them)."""
    return Tuning(CACHE_HEADS, HOLD_ROWS, BULK_EVENTS, drop_indexes, build_indexes)


class Register:
    """The service every driver calls to record facts.

    It keeps them in a `ledger.recorder.Recorder`: a database's (given its engine, or its
    `SqlRecorder`), with the projections written in the same transaction; or one without
    projections or users, such as `ledger.memory.MemoryRecorder`."""

    def __init__(
        self,
        engine: Engine | Recorder,
        law: Law,
        clock: Clock | None = None,
        projections: Sequence[Projection] = registry.ALL,
        judging_processes: int | None = None,
        future_tolerance: timedelta | None = None,
    ):
        self.recorder = engine if isinstance(engine, Recorder) else SqlRecorder(engine)
        self.engine = getattr(self.recorder, "engine", None)  # None: a store without a database
        self.law = law
        self.clock = clock or SystemClock()
        # how far past the clock a fact may be dated ($HABEAS_FUTURE_TOLERANCE, 5 minutes)
        self.future_tolerance = config.future_tolerance() if future_tolerance is None else future_tolerance
        self.projections = projections  # written in the append's transaction
        # A large import's cases are folded and judged by this many processes (forked, on
        # POSIX), while this one reads their events and writes the projections' rows.
        self.judging_processes = judging_processes if judging_processes is not None else processes()
        from habeas.services.acts import ImportActs  # it reads users; the register's module stays light

        self.acts = ImportActs(law)

    def _batch(self, log: Writing, now: datetime, acts=None) -> Batch:
        """`acts`: the policy's judge for the batch (`ImportActs.naming`: of a submit's events
        only); by default every user is read once, as an import needs."""
        return Batch(
            log,
            self.law,
            now,
            self.projections,
            future_tolerance=self.future_tolerance,
            acts=acts or self.acts,
            tuning=_tuning(),
        )

    def case_file(self, case: str) -> CaseState | None:
        """The case as its recorded facts make it (corrections applied), read from the log
        whichever store keeps it (None: no such case). The projections answer faster, where
        a database keeps them (`services.queries`)."""
        return fold_all(self.recorder.stream(case))

    def submit(self, raw: dict | Event, registrar: Actor | None = None) -> Outcome:
        """Record one event (a raw JSON object, or an `Event` parsed by `parse_event`) or raise
        Refused. Re-sending an id is a no-op.

        Raises `StorageFailed` (and logs the details) when the database fails."""
        (answer,) = self.submit_group([(raw, registrar)])
        if isinstance(answer, Refused):
            raise answer
        return answer

    def submit_group(self, items: Sequence[tuple[dict | Event, Actor | None]]) -> list[Outcome | Refused]:
        """Record several independent events in one transaction (one fsync): a group commit.

        An item is a raw JSON object, or an `Event` its caller has parsed (`parse_event`).

        Each keeps its own answer: its Outcome, or the Refused that stores nothing of it
        and nothing less of the others. Raises `StorageFailed` when the database fails,
        and then none is stored."""
        answers: list[Outcome | Refused | None] = [None] * len(items)
        parsed: list[tuple[int, Event, Actor | None]] = []
        for n, (raw, registrar) in enumerate(items):
            if isinstance(raw, Event):  # parsed already by the caller (`parse_event`): not twice
                parsed.append((n, raw, registrar))
                continue
            try:
                check_limits(raw)
                parsed.append((n, parse_event(raw, assign_id=new_event_id), registrar))
            except Refused as refused:
                answers[n] = refused
        if parsed:
            try:
                now = self.clock.now()
                with self.recorder.writing(now, None) as log:
                    acts = self.acts.naming(event for _, event, _ in parsed)  # not every user: those it may ask about
                    self._offer_group(self._batch(log, now, acts), parsed, answers)
            except store.WriteFailed as exc:
                raise failed(None, exc.error) from None
            except (SQLAlchemyError, TransactionLost) as exc:
                if schema_missing(exc):
                    raise
                raise failed(None, exc) from None
        return answers  # type: ignore[return-value]

    @staticmethod
    def _offer_group(batch: Batch, parsed: list[tuple[int, Event, Actor | None]], answers: list) -> None:
        """Offer each parsed event under its own registrar, each answered apart; then project."""
        batch.prefetch([event for _, event, _ in parsed])
        for n, event, registrar in parsed:
            batch.log.acting_for(registrar)
            try:
                answers[n] = batch.offer(event)
            except Refused as refused:
                answers[n] = refused
        batch.finish()
        for n, answer in enumerate(answers):  # a re-sent id answers with the fact as stored
            if isinstance(answer, Outcome) and answer.status == "skipped":
                answers[n] = Outcome("skipped", batch.log.event(answer.event.id) or answer.event)

    def import_lines(
        self,
        lines: Iterable[str],
        registrar: Actor,
        progress: Callable[[int], None] | None = None,
        judging: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import JSONL, all or nothing. Streams the input; memory stays flat in its size.

        `progress(n)` is told the bytes of each chunk read; `judging(done, total)` how many
        of the touched cases have been judged once every line is in.

        A line outside the limits of a line (`domain.events`) or refused by the vocabulary or
        the law is listed in the report. When the database itself fails, the import stops,
        stores nothing and raises `StorageFailed` naming the line being stored (the details
        go to the log, never into the exception: they may quote other lines' data)."""
        report = ImportReport()
        cursor = Cursor()
        now = self.clock.now()
        try:
            with fewer_collections(), self.recorder.writing(now, registrar, streaming=True) as log:
                self._import(self._batch(log, now), lines, report, cursor, progress, judging)
                if report.errors:
                    log.cancel()  # all or nothing: nothing
                    report.stored = 0
        except store.WriteFailed as exc:
            raise failed(cursor.lines.get(exc.event_id, cursor.line), exc.error) from None
        except (SQLAlchemyError, TransactionLost) as exc:
            if schema_missing(exc):
                raise
            raise failed(cursor.line, exc) from None
        return report

    def _import(self, batch: Batch, lines, report: ImportReport, cursor: Cursor, progress, judging) -> None:
        """Offer every line, chunk by chunk; then, if none was refused, judge and project."""
        for chunk in chunks(lines, CHUNK):
            size = import_chunk(batch, chunk, report, cursor)
            # Written even once a line failed (the transaction is rolled back at the
            # end): later lines are then checked against the true state of the log.
            cursor.line = chunk[0][0]
            batch.flush()
            if progress:
                progress(size)
        report.head_position = batch.log.head.position
        report.errors.sort(key=lambda error: error.line)  # a chunk's parse errors came first
        cursor.line = None
        if not report.errors:  # a refused file is rolled back: nothing to judge
            pool = self._judging_pool(batch)
            try:
                batch.finish(judging, pool)
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)

    def _judging_pool(self, batch: Batch):
        """Processes to judge a large import's cases in (none for a small one, or on one core).
        Forked now, every line in: they inherit the batch's held rows."""
        if self.judging_processes < 2 or len(batch._touched) < POOL_MIN_CASES:
            return None
        return registry.judging_pool(self.law, self.projections, self.judging_processes, batch._held)
