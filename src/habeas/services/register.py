"""The register: the one place facts enter the log.

`Register.submit` takes one event (the API, the web UI, the simulator);
`Register.import_lines` takes a JSONL stream (the importer). Both go through a
`Batch`, in one transaction: check the case and the actor's competence against the
law, chain the event; then fold, judge and project every case the batch touched. A
refused event stores nothing; an import with any refused line stores nothing at all.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

import msgspec
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from habeas import config
from habeas.clock import Clock, SystemClock
from habeas.db.engine import (
    TransactionLost,
    appender,
    build_indexes,
    drop_indexes,
    failure,
    lock_for_append,
    read_indexes,
)
from habeas.domain.case import CaseHead, CaseState, corrected, fold_all
from habeas.domain.events import (
    Actor,
    Event,
    Problem,
    Refused,
    check_limits,
    decode_line,
    parse_event,
    parse_time,
    validate_data,
)
from habeas.domain.fast_parse import parse_line
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS
from habeas.law import plausibility
from habeas.law.competence import competence_problems
from habeas.law.package import Law
from habeas.law.stages import stages_of
from habeas.ledger import store
from habeas.projections import registry
from habeas.projections.base import Projection
from habeas.services import setup
from habeas.services.held import HeldRows

# Import chunking: events decided between two writes. Bounded memory per chunk.
CHUNK = 2000
# Case heads kept in memory during a batch (a few dozen bytes each).
CACHE_HEADS = 200_000
# An import that touched at least this many cases judges them in a pool of processes.
POOL_MIN_CASES = 2000
# Rows of the cases a batch created, held in memory to project them without reading them back
# (about 840 bytes each). Beyond this many, the least recently touched held cases' rows are
# written to a temporary file (`services.held`). 100,000 took a 1,000,000-event import's peak
# RSS to 327 MB (target < 300).
HOLD_ROWS = 50_000
# A batch of at least this many events, that at least doubles the log, writes its projections
# without their read indexes and builds them once at the end (SQLite; `db.engine.drop_indexes`).
BULK_EVENTS = 50_000


# While an import runs, the cyclic garbage collector runs this seldom: an import allocates
# millions of objects that are not garbage (held rows, case states, findings), and each
# collection walks them all (~15% of an import's time at Python's default of 700).
GC_THRESHOLD = (50_000, 20, 100)
_gc_lock = threading.Lock()
_gc_imports = 0
_gc_saved: tuple[int, ...] = gc.get_threshold()


@contextmanager
def _fewer_collections():
    """Raise the collector's thresholds for the duration (restored when the last import ends)."""
    global _gc_imports, _gc_saved
    with _gc_lock:
        if _gc_imports == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(*GC_THRESHOLD)
        _gc_imports += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_imports -= 1
            if _gc_imports == 0:
                gc.set_threshold(*_gc_saved)


def _processes() -> int:
    """Judging processes by default: one per core, at most 2; none where fork is not offered."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(2, os.cpu_count() or 1)


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


def _schema_missing(exc: BaseException) -> bool:
    """A database without the habeas tables: the driver says "run habeas init", as it always did."""
    return isinstance(exc, OperationalError | ProgrammingError) and any(
        words in str(exc.orig) for words in ("no such table", "does not exist")
    )


def _failed(line: int | None, exc: BaseException) -> StorageFailed:
    """Log what the database said; return the message-safe exception to raise instead."""
    where = f"line {line} of an import" if line else "a write"
    logger.error("database error at %s: %s", where, type(exc).__name__, exc_info=exc)
    return StorageFailed(line, exc)


@dataclass
class LineError:
    line: int
    problems: list[Problem]

    def lines(self) -> list[str]:
        return [f"line {self.line}: {p.field}: {p.reason}" for p in self.problems]


@dataclass
class ImportReport:
    stored: int = 0
    skipped: int = 0
    lines: int = 0
    errors: list[LineError] = field(default_factory=list)
    head_position: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class Batch:
    """One transaction's worth of appends.

    Deciding the next fact of a case needs only its head (version, stage), so that is
    all a batch keeps per case while it appends: memory stays flat in the size of an
    import. When the batch finishes, every case it touched is read back from the log
    once, folded and judged, and the projections (`projections.registry`) are written.
    """

    def __init__(
        self,
        conn: Connection,
        law: Law,
        recorded_at: datetime,
        registrar: Actor | None,
        projections: Sequence[Projection] = registry.ALL,
        streaming: bool = False,
        future_tolerance: timedelta = config.DEFAULT_FUTURE_TOLERANCE,
        acts=None,
    ):
        self.conn = conn
        # each fact judged as its actor's act by the access policy (`services.acts.ImportActs`)
        self.acts = acts.start(conn) if acts is not None else None
        self.law = law
        # a fact dated after this has not happened yet (the register's clock and a tolerance)
        self.latest = recorded_at + future_tolerance
        self.plausible = plausibility.of(law)
        self.stage_kinds = stages_of(law).kinds  # what a case head must remember for competence
        self.projections = projections
        # an import streams its rows to PostgreSQL as it appends them (`store.Appender`)
        self.appender = store.Appender(conn, recorded_at, registrar, streaming)
        self._since = self.appender.head.position  # where the projections stood
        self._heads: OrderedDict[str, CaseHead | None] = OrderedDict()
        self._touched: set[str] = set()  # streams whose projections are behind
        # The stored rows of the streams this batch created (all their rows): projected from
        # there instead of read back (`registry.after_append`).
        self._held = HeldRows(HOLD_ROWS)
        # Ids stored, with their stored content (`store.content_of`): read from the database
        # for the ids a chunk names, None for those this batch appended (read on demand).
        self._known: dict[str, tuple | None] = {}
        self._dropped: list = []  # read indexes dropped for a bulk write (`flush`), built by `finish`

    def prefetch(self, events: list[Event]) -> None:
        """One look-up per chunk: which ids are stored (and as what), and the heads of the cases not known yet."""
        self.appender.flush()  # the connection is free for queries
        self._known = store.stored_contents(self.conn, [e.id for e in events])
        # not `set - self._heads.keys()`: that walks every head held (up to CACHE_HEADS) per chunk
        missing = {stream for stream in {e.stream for e in events} if stream not in self._heads}
        if missing:
            self._load_heads(missing)

    def head(self, stream: str) -> CaseHead | None:
        if stream not in self._heads:
            self.appender.flush()  # the connection is free for the query
            self._load_heads([stream])
        self._heads.move_to_end(stream)
        return self._heads[stream]

    def _load_heads(self, streams) -> None:
        """The heads of stored cases, with what the refusals read of them (`plausibility.Marks`:
        the parties and a few marked facts, one query for all the streams)."""
        heads = store.stream_heads(self.conn, streams, self.stage_kinds)
        stored = [name for name, head in heads.items() if head is not None]
        if stored and self.plausible.document is not None:
            marked = self.plausible.marked
            kinds = {"party.added", "record.corrected", *marked}
            found = store.streams_events_of_kinds(self.conn, stored, kinds)
            for name in stored:
                state = fold_all(found.get(name, ()))  # corrections applied to the facts read
                heads[name].marks = plausibility.Marks.of(state.timeline if state else (), marked)
        self._heads.update(heads)

    def offer(self, event: Event) -> Outcome:
        """Decide and append one event; raises Refused with every problem found.

        An id already stored is skipped when the event is the same fact (`store.content_of`)
        and refused when it is another: an id names one fact, for good."""
        if event.id in self._known:
            if self._same_as_stored(event):
                return Outcome("skipped", event)
            raise Refused([Problem("id", "already stored with other content")], code="conflict")
        stream = event.stream
        head = self.head(stream)
        marks = None
        if event.kind == "record.corrected" and head is not None:
            state = self._case_file(stream)
            problems = decide(self.law, event, state)
            if not problems:
                event = corrected_as_stored(event, state)
                problems, marks = self._corrected_problems(event, state)
        else:
            problems = decide(self.law, event, head)
            if not problems:
                problems = self._implausible(event, head)
        if not problems and self.acts is not None:
            problems = self.acts(event, lambda: self._stored(stream, head))
        if problems:
            # not this actor's act under the law or the policy: the drivers answer it as a forbidden act (403)
            forbidden = all(p.field in ("actor.role", "actor") for p in problems)
            raise Refused(problems, code="forbidden" if forbidden else "refused")
        if head is None:
            head = self._heads[stream] = CaseHead(stream, marks=plausibility.Marks())
            self._held.created(stream)
        stored = self.appender.append(event, head.version + 1)
        head.advance(stored, self.stage_kinds)
        if marks is not None:  # a correction: the case's marks as corrected
            head.marks = marks
        elif head.marks is not None:
            head.marks.add(stored, self.plausible.marked)
        self._touched.add(stream)
        self._held.add(stream, self.appender.last_row)
        self._known[event.id] = None
        return Outcome("stored", stored)

    def _implausible(self, event: Event, head: CaseHead | None) -> list[Problem]:
        """Why the fact cannot be true (issue 20): dated after the register's clock, or a
        contradiction the law package refuses (`law.plausibility`) on the case's marks."""
        problems = []
        if event.occurred_at > self.latest:
            problems.append(_future(event.occurred_at, self.latest))
        if event.kind not in CASELESS_KINDS:
            problems += self.plausible.problems(event, head.marks if head is not None else None)
        return problems

    def _corrected_problems(self, correction: Event, state: CaseState):
        """A correction obeys the checks of the fact it corrects: the fact as corrected, on the
        case without the fact as it stood. Returns the problems, and the case's marks after it."""
        target = state.event(correction.data["event"])
        fixed = corrected(target, correction)
        problems = [_future(fixed.occurred_at, self.latest)] if fixed.occurred_at > self.latest else []
        others = [ev for ev in state.timeline if ev.id != target.id and ev.kind != "record.corrected"]
        marked = self.plausible.marked
        problems += self.plausible.problems(fixed, plausibility.Marks.of(others, marked))
        # named as the correction's own fields: what it changes is under data.data
        problems = [Problem(_in_correction(p.field), p.reason) for p in problems]
        return problems, plausibility.Marks.of([*others, fixed], marked)

    def _stored(self, stream: str, head: CaseHead | None) -> list[Event]:
        if head is None:
            return []
        self.appender.flush()  # the facts it holds may still be pending
        return store.stream_events(self.conn, stream)

    def _case_file(self, stream: str) -> CaseState | None:
        self.appender.flush()  # the facts it holds may still be pending
        return fold_all(store.stream_events(self.conn, stream))

    def _same_as_stored(self, event: Event) -> bool:
        stored = self._known[event.id]
        if stored is None:  # appended by this batch: compare with the row it wrote
            self.appender.flush()
            stored = store.stored_contents(self.conn, [event.id])[event.id]
        mine = store.content_of(event)
        if mine != stored and event.kind == "record.corrected" == stored[0] and event.case == stored[1]:
            # a correction is stored as validated: compare the re-sent one in that form
            state = self._case_file(event.stream)
            if state is not None and not correction_problems(event, state):
                mine = store.content_of(corrected_as_stored(event, state))
        return mine == stored

    def flush(self) -> int:
        """Write pending events; forget the least recently used heads beyond the cap, and
        write out the least recently touched held cases' rows beyond `HOLD_ROWS`."""
        written = self.appender.flush()
        appended = self.appender.head.position - self._since
        if (
            not self._dropped
            and appended >= max(BULK_EVENTS, self._since)
            and self.appender.adapter.drops_indexes_for_bulk
        ):
            # a batch that at least doubles the log: its projections' rows will at least double
            # their tables too, so their read indexes are built once, when it finishes
            self._dropped = read_indexes(table for p in self.projections for table in p.tables)
            drop_indexes(self.conn, self._dropped)
        while len(self._heads) > CACHE_HEADS:
            self._heads.popitem(last=False)
        # Memory stays flat; every touched case is still folded and judged once, when the
        # batch finishes. (Projecting let-go cases at once instead, as this did until 30
        # November 2026, judged every one touched again twice: 1,000,000 events 82-85 s.)
        self._held.trim()
        return written

    def finish(self, progress: Callable[[int, int], None] | None = None, pool=None) -> None:
        """Write what is pending, then project it in this transaction: every touched case
        is folded and judged once and handed to each projection of the registry.

        `progress(done, total)` is told how many of the touched cases are judged; `pool`
        (`registry.judging_pool`) folds and judges them in other processes."""
        self.appender.flush()
        head = self.appender.head.position
        registry.after_append(
            self.conn,
            self.law,
            self._touched,
            self._since,
            head,
            self.projections,
            progress,
            pool,
            self._held,
        )
        if self._dropped:
            build_indexes(self.conn, self._dropped)
            self._dropped = []
        self._since = head
        self._touched = set()
        self._held.clear()


def _in_correction(name: str) -> str:
    return "data.event" if name == "kind" else "data.data." + name.removeprefix("data.")


def _future(moment: datetime, latest: datetime) -> Problem:
    return Problem(
        "occurred_at",
        f"{moment.isoformat()} is after the register's clock ({latest.isoformat()} with its tolerance):"
        " a fact is recorded once it has happened",
    )


def decide(law: Law, event: Event, state: CaseHead | CaseState | None) -> list[Problem]:
    """Why the register must refuse this event ([] to store it)."""
    if state is None and event.kind not in CASE_CREATING_KINDS and event.kind not in CASELESS_KINDS:
        return [
            Problem(
                "case",
                f"unknown case {event.case!r}: a case starts with report.received or case.registered",
            )
        ]
    problems = competence_problems(law, event, state)
    if not problems and event.kind == "record.corrected":
        problems = correction_problems(event, state)
    return problems


def correction_problems(correction: Event, state: CaseState) -> list[Problem]:
    """The corrected fields must make a valid fact of the original kind.

    They pass the checks the original passed: the kind's schema (strict types, lengths,
    the accepted years), and for `occurred_at` the envelope's time rules; the limits of
    a line were checked with the correction's own line."""
    problems: list[Problem] = []
    _corrected_fields(correction, state, problems)
    return problems


def _corrected_fields(correction: Event, state: CaseState, problems: list[Problem]) -> dict | None:
    """The corrected fields as validated (what the original's own line would store), or None."""
    target = state.event(correction.data["event"])
    if target is None:
        problems.append(Problem("data.event", f"no event {correction.data['event']!r} in case {correction.case}"))
        return None
    changes = dict(correction.data["data"])
    fields: dict = {}
    if "occurred_at" in changes:
        moment = parse_time(changes.pop("occurred_at"), "data.data.occurred_at", problems)
        if moment is not None:
            fields["occurred_at"] = moment.isoformat()
    valid = validate_data(target.kind, {**target.data, **changes}, problems, prefix="data.data")
    if problems or valid is None:
        return None
    # An explicit null clears an optional field; the schema has checked that it may.
    fields.update({name: valid.get(name) for name in changes})
    return fields


def corrected_as_stored(correction: Event, state: CaseState) -> Event:
    """The correction with its fields as validated and typed, never as sent (decided already)."""
    fields = _corrected_fields(correction, state, [])
    return msgspec.structs.replace(correction, data={**correction.data, "data": fields})


class Register:
    """The service every driver calls to record facts."""

    def __init__(
        self,
        engine: Engine,
        law: Law,
        clock: Clock | None = None,
        projections: Sequence[Projection] = registry.ALL,
        judging_processes: int | None = None,
        future_tolerance: timedelta | None = None,
    ):
        self.engine = engine
        self.law = law
        self.clock = clock or SystemClock()
        # how far past the clock a fact may be dated ($HABEAS_FUTURE_TOLERANCE, 5 minutes)
        self.future_tolerance = config.future_tolerance() if future_tolerance is None else future_tolerance
        self.projections = projections  # written in the append's transaction
        # A large import's cases are folded and judged by this many processes (forked, on
        # POSIX), while this one reads their events and writes the projections' rows.
        self.judging_processes = judging_processes if judging_processes is not None else _processes()
        from habeas.services.acts import ImportActs  # it reads users; the register's module stays light

        self.acts = ImportActs(law)

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
                with appender(self.engine).begin() as conn:
                    lock_for_append(conn)
                    batch = Batch(
                        conn,
                        self.law,
                        self.clock.now(),
                        None,
                        self.projections,
                        future_tolerance=self.future_tolerance,
                        acts=self.acts,
                    )
                    batch.prefetch([event for _, event, _ in parsed])
                    for n, event, registrar in parsed:
                        batch.appender.acting_for(registrar)
                        try:
                            answers[n] = batch.offer(event)
                        except Refused as refused:
                            answers[n] = refused
                    batch.finish()
                    for n, answer in enumerate(answers):  # a re-sent id answers with the fact as stored
                        if isinstance(answer, Outcome) and answer.status == "skipped":
                            answers[n] = Outcome("skipped", store.stored_event(conn, answer.event.id) or answer.event)
            except store.WriteFailed as exc:
                raise _failed(None, exc.error) from None
            except (SQLAlchemyError, TransactionLost) as exc:
                if _schema_missing(exc):
                    raise
                raise _failed(None, exc) from None
        return answers  # type: ignore[return-value]

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
        cursor = _Cursor()
        batch: Batch | None = None
        with _fewer_collections(), appender(self.engine).connect() as conn:
            transaction = conn.begin()
            try:
                lock_for_append(conn)
                batch = Batch(
                    conn,
                    self.law,
                    self.clock.now(),
                    registrar,
                    self.projections,
                    streaming=True,
                    future_tolerance=self.future_tolerance,
                    acts=self.acts,
                )
                for chunk in _chunks(lines, CHUNK):
                    size = self._import_chunk(batch, chunk, report, cursor)
                    # Written even once a line failed (the transaction is rolled back at the
                    # end): later lines are then checked against the true state of the log.
                    cursor.line = chunk[0][0]
                    batch.flush()
                    if progress:
                        progress(size)
                report.head_position = batch.appender.head.position
                report.errors.sort(key=lambda error: error.line)  # a chunk's parse errors came first
                cursor.line = None
                if not report.errors:  # a refused file is rolled back: nothing to judge
                    pool = self._judging_pool(batch)
                    try:
                        batch.finish(judging, pool)
                    finally:
                        if pool is not None:
                            pool.shutdown(cancel_futures=True)
                if report.errors:
                    transaction.rollback()
                    report.stored = 0
                else:
                    transaction.commit()
            except store.WriteFailed as exc:
                _rollback(transaction, batch)
                raise _failed(cursor.lines.get(exc.event_id, cursor.line), exc.error) from None
            except (SQLAlchemyError, TransactionLost) as exc:
                _rollback(transaction, batch)
                if _schema_missing(exc):
                    raise
                raise _failed(cursor.line, exc) from None
            except BaseException:
                _rollback(transaction, batch)
                raise
        return report

    def _judging_pool(self, batch: Batch):
        """Processes to judge a large import's cases in (none for a small one, or on one core).
        Forked now, every line in: they inherit the batch's held rows."""
        if self.judging_processes < 2 or len(batch._touched) < POOL_MIN_CASES:
            return None
        return registry.judging_pool(self.law, self.projections, self.judging_processes, batch._held)

    def _import_chunk(self, batch: Batch, chunk: list[tuple[int, str]], report: ImportReport, cursor: _Cursor) -> int:
        """Decide and append a chunk's lines; returns their size in bytes (for progress)."""
        parsed: list[tuple[int, Event]] = []
        size = 0
        for number, text in chunk:
            report.lines += 1
            try:
                length = len(text) if text.isascii() else len(text.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate: decode_line names where
                length = None
            size += (length or len(text)) + 1
            try:
                # the typed fast path for a usual line; anything it does not accept is the exact path's
                event = parse_line(text, length) if length is not None else None
                parsed.append((number, event or parse_event(decode_line(text, length), assign_id=new_event_id)))
            except Refused as refused:
                report.errors.append(LineError(number, refused.problems))
        cursor.line = chunk[0][0]
        cursor.lines = {}
        batch.prefetch([e for _, e in parsed])
        for number, event in parsed:
            cursor.line = number
            cursor.lines.setdefault(event.id, number)
            try:
                outcome = batch.offer(event)
            except Refused as refused:
                report.errors.append(LineError(number, refused.problems))
                continue
            if outcome.status == "stored":
                report.stored += 1
            else:
                report.skipped += 1
        return size


def _rollback(transaction, batch: Batch | None) -> None:
    """Roll an import back, ending first the COPY its appender may have open."""
    try:
        if batch is not None:
            batch.appender.abort()
    finally:
        transaction.rollback()


@dataclass(slots=True)
class _Cursor:
    """Where an import is: the line being stored, and the line of each id of the chunk."""

    line: int | None = None
    lines: dict[str, int] = field(default_factory=dict)


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSONL text as `habeas import` reads a file: split at line feeds only
    (a JSON string may hold U+2028, U+2029 or U+0085, which `str.splitlines` would split at;
    a carriage return before the feed is trimmed with the line's other outer whitespace)."""
    return text.split("\n")


def _chunks(lines: Iterable[str], size: int):
    """(line number, text) chunks; blank lines are skipped but keep their numbers."""
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if number == 1:
            text = text.lstrip("\ufeff")  # a byte-order mark some editors write
        if not text:
            continue
        chunk.append((number, text))
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
