"""Recording facts in one transaction: a `Batch` decides each fact offered to it (the law,
the access policy, whether it can be true) and chains it; when it finishes, it folds, judges
and projects every case it touched."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from habeas import config
from habeas.db.engine import read_indexes
from habeas.domain.case import CaseHead, CaseState, fold_all
from habeas.domain.events import Event, Problem, Refused
from habeas.law import plausibility
from habeas.law.package import Law
from habeas.law.stages import stages_of
from habeas.ledger.recorder import Writing
from habeas.ledger.rows import content_of
from habeas.projections import registry
from habeas.projections.base import Projection
from habeas.services.held import HeldRows
from habeas.services.register.answers import Outcome
from habeas.services.register.decisions import corrected_as_stored, correction_problems, decide
from habeas.services.register.truth import corrected_problems, implausible


@dataclass(frozen=True)
class Tuning:
    """How much a batch keeps in memory and when it writes in bulk: the register's settings
    (`services.register`), read when each batch begins."""

    cache_heads: int  # case heads kept (a few dozen bytes each)
    hold_rows: int  # rows of the cases it created, held to project them without reading them back
    bulk_events: int  # a batch this large that doubles the log drops its projections' read indexes
    drop_indexes: Callable  # `db.engine.drop_indexes`
    build_indexes: Callable  # `db.engine.build_indexes`


class Batch:
    """One transaction's worth of appends.

    Deciding the next fact of a case needs only its head (version, stage), so that is
    all a batch keeps per case while it appends: memory stays flat in the size of an
    import. When the batch finishes, every case it touched is read back from the log
    once, folded and judged, and the projections (`projections.registry`) are written.
    """

    def __init__(
        self,
        log: Writing,
        law: Law,
        recorded_at: datetime,
        projections: Sequence[Projection] = registry.ALL,
        future_tolerance: timedelta = config.DEFAULT_FUTURE_TOLERANCE,
        acts=None,
        *,
        tuning: Tuning,
    ):
        # the log as this transaction sees it (`ledger.recorder.Writing`); a database's
        # connection, where the projections are written and the users read in the same
        # transaction (None in memory: no projections, no users)
        self.log = log
        self.conn = log.conn
        self.tuning = tuning
        # each fact judged as its actor's act by the access policy (`services.acts.ImportActs`)
        self.acts = acts.start(self.conn) if acts is not None and self.conn is not None else None
        self.law = law
        # a fact dated after this has not happened yet (the register's clock and a tolerance)
        self.latest = recorded_at + future_tolerance
        self.plausible = plausibility.of(law)
        self.stage_kinds = stages_of(law).kinds  # what a case head must remember for competence
        self.projections = projections
        self._since = self.log.head.position  # where the projections stood
        self._heads: OrderedDict[str, CaseHead | None] = OrderedDict()
        self._touched: set[str] = set()  # streams whose projections are behind
        # The stored rows of the streams this batch created (all their rows): projected from
        # there instead of read back (`registry.after_append`).
        self._held = HeldRows(tuning.hold_rows)
        # Ids stored, with their stored content (`rows.content_of`): read from the database
        # for the ids a chunk names, None for those this batch appended (read on demand).
        self._known: dict[str, tuple | None] = {}
        self._dropped: list = []  # read indexes dropped for a bulk write (`flush`), built by `finish`

    def prefetch(self, events: list[Event]) -> None:
        """One look-up per chunk: which ids are stored (and as what), and the heads of the cases not known yet."""
        self.log.flush()  # the connection is free for queries
        self._known = self.log.stored_contents([e.id for e in events])
        # not `set - self._heads.keys()`: that walks every head held (up to `cache_heads`) per chunk
        missing = {stream for stream in {e.stream for e in events} if stream not in self._heads}
        if missing:
            self._load_heads(missing)

    def head(self, stream: str) -> CaseHead | None:
        if stream not in self._heads:
            self.log.flush()  # the connection is free for the query
            self._load_heads([stream])
        self._heads.move_to_end(stream)
        return self._heads[stream]

    def _load_heads(self, streams) -> None:
        """The heads of stored cases, with what the refusals read of them (`plausibility.Marks`:
        the parties and a few marked facts, one query for all the streams)."""
        heads = self.log.stream_heads(streams, self.stage_kinds)
        stored = [name for name, head in heads.items() if head is not None]
        if stored and self.plausible.document is not None:
            marked = self.plausible.marked
            kinds = {"party.added", "record.corrected", *marked}
            found = self.log.streams_events_of_kinds(stored, kinds)
            for name in stored:
                state = fold_all(found.get(name, ()))  # corrections applied to the facts read
                heads[name].marks = plausibility.Marks.of(state.timeline if state else (), marked)
        self._heads.update(heads)

    def offer(self, event: Event) -> Outcome:
        """Decide and append one event; raises Refused with every problem found.

        An id already stored is skipped when the event is the same fact (`rows.content_of`)
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
                problems, marks = corrected_problems(self.plausible, self.latest, event, state)
        else:
            problems = decide(self.law, event, head)
            if not problems:
                problems = implausible(self.plausible, self.latest, event, head)
        if not problems and self.acts is not None:
            problems = self.acts(event, lambda: self._stored(stream, head))
        if problems:
            # not this actor's act under the law or the policy: the drivers answer it as a forbidden act (403)
            forbidden = all(p.field in ("actor.role", "actor") for p in problems)
            raise Refused(problems, code="forbidden" if forbidden else "refused")
        if head is None:
            head = self._heads[stream] = CaseHead(stream, marks=plausibility.Marks())
            self._held.created(stream)
        stored = self.log.append(event, head.version + 1)
        head.advance(stored, self.stage_kinds)
        if marks is not None:  # a correction: the case's marks as corrected
            head.marks = marks
        elif head.marks is not None:
            head.marks.add(stored, self.plausible.marked)
        self._touched.add(stream)
        self._held.add(stream, self.log.last_row)
        self._known[event.id] = None
        return Outcome("stored", stored)

    def _stored(self, stream: str, head: CaseHead | None) -> list[Event]:
        if head is None:
            return []
        self.log.flush()  # the facts it holds may still be pending
        return self.log.stream(stream)

    def _case_file(self, stream: str) -> CaseState | None:
        self.log.flush()  # the facts it holds may still be pending
        return fold_all(self.log.stream(stream))

    def _same_as_stored(self, event: Event) -> bool:
        stored = self._known[event.id]
        if stored is None:  # appended by this batch: compare with the row it wrote
            self.log.flush()
            stored = self.log.stored_contents([event.id])[event.id]
        mine = content_of(event)
        if mine != stored and event.kind == "record.corrected" == stored[0] and event.case == stored[1]:
            # a correction is stored as validated: compare the re-sent one in that form
            state = self._case_file(event.stream)
            if state is not None and not correction_problems(event, state):
                mine = content_of(corrected_as_stored(event, state))
        return mine == stored

    def flush(self) -> int:
        """Write pending events; forget the least recently used heads beyond the cap, and
        write out the least recently touched held cases' rows beyond `hold_rows`."""
        written = self.log.flush()
        appended = self.log.head.position - self._since
        if (
            not self._dropped
            and appended >= max(self.tuning.bulk_events, self._since)
            and self.log.drops_indexes_for_bulk
        ):
            # a batch that at least doubles the log: its projections' rows will at least double
            # their tables too, so their read indexes are built once, when it finishes
            self._dropped = read_indexes(table for p in self.projections for table in p.tables)
            self.tuning.drop_indexes(self.conn, self._dropped)
        while len(self._heads) > self.tuning.cache_heads:
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
        self.log.flush()
        head = self.log.head.position
        # Projecting reads no head: their memory (up to `cache_heads` of them, with each
        # case's marks: ~100 MB at 1,000,000 events) serves the judging's answers instead,
        # and the judging processes, forked after this, do not inherit them. (A head asked
        # for later is read again from the log.)
        self._heads.clear()
        if self.conn is not None:
            self._project(head, progress, pool)
        self._since = head
        self._touched = set()
        self._held.clear()

    def _project(self, head: int, progress, pool) -> None:
        """Hand what was appended since the projections stood to each of them (`registry`)."""
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
            self.tuning.build_indexes(self.conn, self._dropped)
            self._dropped = []
