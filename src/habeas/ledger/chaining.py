"""Chaining decided events into stored rows: one position after the other, each row's hash
linking to the one before (`ledger.chain`). No database: the SQL stores' `Appender` and the
in-memory store both chain through `Chainer`, so every store holds the same bytes."""

from __future__ import annotations

from datetime import datetime

from habeas.domain.events import Actor, Event, offset_text, utc_iso
from habeas.domain.vocabulary import KINDS_WITHOUT_FLOATS
from habeas.ledger.chain import canonical_json, canonical_row, link
from habeas.ledger.rows import Head


class Chainer:
    """Turns decided events into chained rows (as `rows.SELECT_ROWS` reads them), after `head`."""

    def __init__(self, head: Head, recorded_at: datetime, registrar: Actor | None):
        self.head = head
        self.recorded_at = utc_iso(recorded_at)
        self.recorded_at_dt = recorded_at
        self.registrar = registrar
        self._registrar_json = canonical_json(registrar.to_dict()) if registrar else None
        self.last_row: tuple | None = None  # the row `chain` made last
        self._actors: dict[Actor, str] = {}  # canonical JSON per actor: few actors, many events

    def acting_for(self, registrar: Actor | None) -> None:
        """The registrar of the events chained from now on (a group commit mixes them)."""
        if registrar != self.registrar:
            self.registrar = registrar
            self._registrar_json = canonical_json(registrar.to_dict()) if registrar else None

    def chain(self, event: Event, version: int) -> Event:
        """Chain one event at the next position with the stream `version` given; its row is
        `last_row`, the event returned is the stored one (position, version, hash)."""
        position = self.head.position + 1
        actor = self._actors.get(event.actor)
        if actor is None:
            actor = self._actors[event.actor] = canonical_json(event.actor.to_dict())
        row = (
            position,
            event.id,
            event.stream,
            version,
            event.kind,
            utc_iso(event.occurred_at),
            offset_text(event.occurred_at),
            self.recorded_at,
            actor,
            self._registrar_json,
            canonical_json(event.data, floats=event.kind not in KINDS_WITHOUT_FLOATS),
        )
        digest = link(self.head.hash, canonical_row(*row))
        self.head = Head(position, digest)
        text = digest.hex()
        self.last_row = (*row, text)
        # positionally, in `Event`'s field order (id, kind, case, occurred_at, actor, data,
        # position, version, recorded_at, registrar, hash): a third cheaper than by keyword
        return Event(
            event.id,
            event.kind,
            event.case,
            event.occurred_at,
            event.actor,
            event.data,
            position,
            version,
            self.recorded_at_dt,
            self.registrar,
            text,
        )
