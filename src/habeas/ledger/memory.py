"""The register's logs kept in memory (`recorder.Recorder`): for tests and tools that need
a store and no database. Not a production store: nothing survives the process. It chains
exactly the bytes the SQL stores chain (`Chainer`, `reads.canonical`, `accounts.canonical`),
and refuses what their constraints refuse (an event id, or a stream's version, taken)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from types import SimpleNamespace

from habeas.domain.case import CaseHead
from habeas.domain.events import Event, case_of
from habeas.ledger import accounts, reads
from habeas.ledger.appender import WriteFailed
from habeas.ledger.chain import GENESIS, Break, ChainWalker, canonical_json, link
from habeas.ledger.chaining import Chainer
from habeas.ledger.recorder import Recorder, Writing
from habeas.ledger.rows import Head, load_json, row_to_event


class Taken(Exception):
    """What the memory store refuses, as a database's unique constraint would."""


class MemoryRecorder(Recorder):
    def __init__(self) -> None:
        self._lock = threading.Lock()  # appends are serialised, as the databases' locks do
        self._head = Head(0, GENESIS)
        self._rows: list[tuple] = []  # position p at index p - 1
        self._ids: dict[str, int] = {}
        self._streams: dict[str, list[int]] = {}  # positions, in version order
        self._versions: set[tuple[str, int]] = set()
        self._reads: list[dict] = []
        self._accounts: list[dict] = []
        self._positions: dict[str, tuple[int, str]] = {}

    # the event log

    def append(self, events, recorded_at, registrar):
        with self.writing(recorded_at, registrar) as log:
            return [log.append(event, version) for event, version in events]

    @contextmanager
    def writing(self, recorded_at, registrar, streaming=False) -> Iterator[Writing]:
        with self._lock:
            log = MemoryWriting(self, recorded_at, registrar)
            began = (len(self._rows), self._head)
            try:
                yield log
                if not log.cancelled:
                    log.flush()
            except BaseException:
                self._forget(*began)
                raise
            if log.cancelled:
                self._forget(*began)

    def _keep(self, rows: list[tuple]) -> None:
        """Keep chained rows, all or none: refused, as a database's constraints would, when
        an id or a stream's version is taken. The caller holds the lock."""
        ids: set[str] = set()
        versions: set[tuple[str, int]] = set()
        for row in rows:
            if row[1] in self._ids or row[1] in ids:
                raise WriteFailed(row[1], Taken("events.event_id"))
            if (row[2], row[3]) in versions or (row[2], row[3]) in self._versions:
                raise WriteFailed(row[1], Taken("events.stream, events.version"))
            ids.add(row[1])
            versions.add((row[2], row[3]))
        for row in rows:
            self._rows.append(row)
            self._ids[row[1]] = row[0]
            self._streams.setdefault(row[2], []).append(row[0])
            self._versions.add((row[2], row[3]))

    def _forget(self, count: int, head: Head) -> None:
        """Drop the rows kept after the first `count`: a transaction rolled back."""
        for row in self._rows[count:]:
            del self._ids[row[1]]
            self._streams[row[2]].remove(row[0])
            if not self._streams[row[2]]:
                del self._streams[row[2]]
            self._versions.discard((row[2], row[3]))
        del self._rows[count:]
        self._head = head

    def head(self):
        return self._head

    def stream(self, stream):
        found = [self._rows[p - 1] for p in self._streams.get(stream, ())]
        return [row_to_event(row) for row in sorted(found, key=lambda row: row[3])]

    def event(self, event_id):
        position = self._ids.get(event_id)
        return None if position is None else row_to_event(self._rows[position - 1])

    def rows(self, after=0):
        return list(self._rows[after:])

    def verify(self):
        walker = ChainWalker()
        if not walker.walk(self._rows):
            return walker.broken
        if (walker.position, walker.head) != (self._head.position, self._head.hash):
            return Break(min(walker.position, self._head.position) + 1, "the log and its head disagree")
        return None

    # the read log

    def record_reads(self, records):
        with self._lock:
            position = len(self._reads)
            digest = bytes.fromhex(self._reads[-1]["hash"]) if self._reads else GENESIS
            for record in records:
                position += 1
                row = SimpleNamespace(**{f.name: getattr(record, f.name) for f in fields(record)})  # as stored
                digest = link(digest, reads.canonical(position, row))
                self._reads.append({**reads.record_of(position, row), "hash": digest.hex()})
            return position

    def reads(self):
        return [dict(record) for record in self._reads]

    def verify_reads(self):
        return _walk(self._reads, lambda r: canonical_json({k: v for k, v in r.items() if k != "hash"}).encode())

    # the account log

    def record_account(self, by, now, kind, login, detail):
        with self._lock:
            position = len(self._accounts) + 1
            digest = bytes.fromhex(self._accounts[-1]["hash"]) if self._accounts else GENESIS
            at, spelt = accounts.time_text(now), canonical_json(detail)
            digest = link(digest, accounts.canonical(position, at, by[0], by[1], kind, login, spelt))
            record = {"at": at, "by": {"id": by[0], "role": by[1]}, "detail": load_json(spelt), "kind": kind}
            self._accounts.append({**record, "login": login, "position": position, "hash": digest.hex()})
            return position

    def accounts(self):
        return [dict(record) for record in self._accounts]

    def verify_accounts(self):
        return _walk(self._accounts, lambda r: canonical_json({k: v for k, v in r.items() if k != "hash"}).encode())

    # the projections

    def positions(self, names, digest=None):
        found = dict.fromkeys(names, 0)
        for name in names:
            if name in self._positions:
                position, judged_under = self._positions[name]
                found[name] = position if digest is None or judged_under == digest else 0
        return found

    def set_positions(self, names, head, digest):
        with self._lock:
            for name in names:
                self._positions[name] = (head, digest)


class MemoryWriting(Chainer, Writing):
    """A transaction on the memory log: rows chained are kept at each `flush`, and the
    recorder forgets them if the transaction does not end well (`MemoryRecorder.writing`,
    which holds the lock throughout)."""

    def __init__(self, recorder: MemoryRecorder, recorded_at, registrar):
        super().__init__(recorder._head, recorded_at, registrar)
        self.recorder = recorder
        self._pending: list[tuple] = []

    def append(self, event, version):
        stored = self.chain(event, version)
        self._pending.append(self.last_row)
        return stored

    def flush(self):
        pending, self._pending = self._pending, []
        if pending:
            self.recorder._keep(pending)
            self.recorder._head = self.head
        return len(pending)

    def abort(self):
        self._pending = []

    def stored_contents(self, ids):
        found = {}
        for event_id in ids:
            position = self.recorder._ids.get(event_id)
            if position is not None:
                _, _, stream, _, kind, occurred_at, offset, _, actor, _, data, _ = self.recorder._rows[position - 1]
                found[event_id] = (kind, case_of(kind, stream), occurred_at, offset, actor, data)
        return found

    def stream_heads(self, streams, stage_kinds=()):
        wanted = frozenset(stage_kinds)
        heads: dict[str, CaseHead | None] = {}
        for stream in streams:
            rows = [self.recorder._rows[p - 1] for p in self.recorder._streams.get(stream, ())]
            heads[stream] = (
                CaseHead(stream, max(row[3] for row in rows), frozenset(row[4] for row in rows) & wanted)
                if rows
                else None
            )
        return heads

    def streams_events_of_kinds(self, streams, kinds):
        wanted = set(kinds)
        found: dict[str, list[Event]] = {}
        for stream in streams:
            events = [event for event in self.recorder.stream(stream) if event.kind in wanted]
            if events:
                found[stream] = events
        return found

    def stream(self, stream):
        return self.recorder.stream(stream)

    def event(self, event_id):
        return self.recorder.event(event_id)


def _walk(records: list[dict], canonical) -> Break | None:
    """The first record of a read or account log whose place or hash is not what was chained."""
    digest = GENESIS
    for number, record in enumerate(records, start=1):
        if record["position"] != number:
            return Break(number, f"record {number} is missing")
        digest = link(digest, canonical(record))
        if digest.hex() != record["hash"]:
            return Break(number, "hash does not match the stored record")
    return None
