"""The register: the one place facts enter the log.

`Register.submit` takes one event (the API, the web UI, the simulator);
`Register.import_lines` takes a JSONL stream (the importer). Both go through a
`Batch`, in one transaction: check the case and the actor's competence against the
law, chain the event; then fold, judge and project every case the batch touched. A
refused event stores nothing; an import with any refused line stores nothing at all.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import uuid4

from sqlalchemy import Connection, Engine

from habeas.clock import Clock, SystemClock
from habeas.db.engine import lock_for_append, writer
from habeas.domain.case import CaseHead, CaseState, fold_all
from habeas.domain.events import Actor, Event, Problem, Refused, parse_event, parse_time, validate_data
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS
from habeas.law.competence import competence_problems
from habeas.law.package import Law
from habeas.law.stages import stages_of
from habeas.ledger import store
from habeas.projections import registry
from habeas.projections.base import Projection

# Import chunking: events decided between two writes. Bounded memory per chunk.
CHUNK = 2000
# Case heads kept in memory during a batch (a few dozen bytes each).
CACHE_HEADS = 200_000


def new_event_id() -> str:
    return f"ev-{uuid4().hex}"


@dataclass
class Outcome:
    """What happened to one submitted event."""

    status: str  # "stored" | "skipped"
    event: Event


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
    ):
        self.conn = conn
        self.law = law
        self.stage_kinds = stages_of(law).kinds  # what a case head must remember for competence
        self.projections = projections
        self.appender = store.Appender(conn, recorded_at, registrar)
        self._since = self.appender.head.position  # where the projections stood
        self._heads: OrderedDict[str, CaseHead | None] = OrderedDict()
        self._touched: set[str] = set()  # streams whose projections are behind
        self._known_ids: set[str] = set()  # ids stored, in the database or this chunk

    def prefetch(self, events: list[Event]) -> None:
        """One look-up per chunk: which ids are stored, and the heads of the cases not known yet."""
        self._known_ids = store.existing_ids(self.conn, [e.id for e in events])
        missing = {e.stream for e in events} - self._heads.keys()
        if missing:
            self._heads.update(store.stream_heads(self.conn, missing, self.stage_kinds))

    def head(self, stream: str) -> CaseHead | None:
        if stream not in self._heads:
            self._heads.update(store.stream_heads(self.conn, [stream], self.stage_kinds))
        self._heads.move_to_end(stream)
        return self._heads[stream]

    def offer(self, event: Event) -> Outcome:
        """Decide and append one event; raises Refused with every problem found."""
        if event.id in self._known_ids:
            return Outcome("skipped", event)
        stream = event.stream
        head = self.head(stream)
        if event.kind == "record.corrected" and head is not None:
            self.appender.flush()  # the corrected fact may still be pending
            problems = decide(self.law, event, fold_all(store.stream_events(self.conn, stream)))
        else:
            problems = decide(self.law, event, head)
        if problems:
            raise Refused(problems, code="refused")
        if head is None:
            head = self._heads[stream] = CaseHead(stream)
        stored = self.appender.append(event, head.version + 1)
        head.advance(stored, self.stage_kinds)
        self._touched.add(stream)
        self._known_ids.add(event.id)
        return Outcome("stored", stored)

    def flush(self) -> int:
        """Write pending events; forget the least recently used heads beyond the cap."""
        written = self.appender.flush()
        while len(self._heads) > CACHE_HEADS:
            self._heads.popitem(last=False)
        return written

    def finish(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Write what is pending, then project it in this transaction: every touched case
        is folded and judged once and handed to each projection of the registry.

        `progress(done, total)` is told how many of the touched cases are judged."""
        self.appender.flush()
        head = self.appender.head.position
        registry.after_append(self.conn, self.law, self._touched, self._since, head, self.projections, progress)
        self._since = head
        self._touched = set()


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
    """The corrected fields must make a valid fact of the original kind."""
    target = state.event(correction.data["event"])
    changes = dict(correction.data["data"])
    problems: list[Problem] = []
    if "occurred_at" in changes:
        parse_time(changes.pop("occurred_at"), "data.data.occurred_at", problems)
    validate_data(target.kind, {**target.data, **changes}, problems, prefix="data.data")
    return problems


class Register:
    """The service every driver calls to record facts."""

    def __init__(
        self,
        engine: Engine,
        law: Law,
        clock: Clock | None = None,
        projections: Sequence[Projection] = registry.ALL,
    ):
        self.engine = engine
        self.law = law
        self.clock = clock or SystemClock()
        self.projections = projections  # written in the append's transaction

    def submit(self, raw: dict, registrar: Actor | None = None) -> Outcome:
        """Record one event (raw JSON object) or raise Refused. Re-sending an id is a no-op."""
        event = parse_event(raw, assign_id=new_event_id)
        with writer(self.engine).begin() as conn:
            lock_for_append(conn)
            batch = Batch(conn, self.law, self.clock.now(), registrar, self.projections)
            batch.prefetch([event])
            outcome = batch.offer(event)
            batch.finish()
        return outcome

    def import_lines(
        self,
        lines: Iterable[str],
        registrar: Actor,
        progress: Callable[[int], None] | None = None,
        judging: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import JSONL, all or nothing. Streams the input; memory stays flat in its size.

        `progress(n)` is told the bytes of each chunk read; `judging(done, total)` how many
        of the touched cases have been judged once every line is in."""
        report = ImportReport()
        with writer(self.engine).connect() as conn:
            transaction = conn.begin()
            try:
                lock_for_append(conn)
                batch = Batch(conn, self.law, self.clock.now(), registrar, self.projections)
                for chunk in _chunks(lines, CHUNK):
                    self._import_chunk(batch, chunk, report)
                    # Written even once a line failed (the transaction is rolled back at the
                    # end): later lines are then checked against the true state of the log.
                    batch.flush()
                    if progress:
                        progress(sum(len(text.encode()) + 1 for _, text in chunk))
                report.head_position = batch.appender.head.position
                if not report.errors:  # a refused file is rolled back: nothing to judge
                    batch.finish(judging)
                if report.errors:
                    transaction.rollback()
                    report.stored = 0
                else:
                    transaction.commit()
            except BaseException:
                transaction.rollback()
                raise
        return report

    def _import_chunk(self, batch: Batch, chunk: list[tuple[int, str]], report: ImportReport) -> None:
        parsed: list[tuple[int, Event]] = []
        for number, text in chunk:
            report.lines += 1
            try:
                raw = json.loads(text)
            except json.JSONDecodeError as exc:
                report.errors.append(LineError(number, [Problem("json", f"not valid JSON: {exc.msg}")]))
                continue
            try:
                parsed.append((number, parse_event(raw, assign_id=new_event_id)))
            except Refused as refused:
                report.errors.append(LineError(number, refused.problems))
        batch.prefetch([e for _, e in parsed])
        for number, event in parsed:
            try:
                outcome = batch.offer(event)
            except Refused as refused:
                report.errors.append(LineError(number, refused.problems))
                continue
            if outcome.status == "stored":
                report.stored += 1
            else:
                report.skipped += 1


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
