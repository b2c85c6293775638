"""An event's stored row: its columns, how it is read back into an `Event`, how a fact's
content is compared, and how a COPY's text of rows is read. No database here: every store
(SQLite, PostgreSQL, memory) keeps events as these rows."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import msgspec

from habeas.domain.events import Actor, Event, case_of, from_utc, offset_text, utc_iso
from habeas.ledger.chain import canonical_json

COLUMNS = (
    "position",
    "event_id",
    "stream",
    "version",
    "kind",
    "occurred_at",
    "utc_offset",
    "recorded_at",
    "actor",
    "registrar",
    "data",
)
SELECT_ROWS = f"SELECT {', '.join(COLUMNS)}, hash FROM events"


@dataclass(slots=True)
class Head:
    position: int
    hash: bytes


def content_of(event: Event) -> tuple:
    """What makes two sendings of an event the same fact: kind, case, the instant and the
    offset it occurred at, actor and data, in their stored spellings (`stored_contents`).
    Not the position, version, recorded_at or registrar: those say when and by whom it
    was brought in, not what happened."""
    return (
        event.kind,
        event.case,
        utc_iso(event.occurred_at),
        offset_text(event.occurred_at),
        canonical_json(event.actor.to_dict()),
        canonical_json(event.data),
    )


@lru_cache(maxsize=4096)
def _actor(text: str) -> Actor:
    """Actors repeat across many rows: parse each stored spelling once."""
    return Actor.from_dict(json.loads(text))


@lru_cache(maxsize=4096)
def _recorded(text: str) -> datetime:
    return from_utc(text)


_msgspec_decode = msgspec.json.Decoder().decode


def load_json(text: str):
    """A stored JSON text (an event's data, a projected finding) as `json.loads` reads it,
    by msgspec: five times faster on the small objects a case is made of. Anything msgspec
    reads otherwise than json, or not at all (NaN, a lone surrogate, a float beyond range:
    never written by habeas), falls back to json."""
    try:
        return _msgspec_decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def row_to_event(row) -> Event:
    (position, event_id, stream, version, kind, occurred_at, offset, recorded_at, actor, registrar, data) = row[:11]
    return Event(
        id=event_id,
        kind=kind,
        case=case_of(kind, stream),
        occurred_at=from_utc(occurred_at, offset),
        actor=_actor(actor),
        data=load_json(data),
        position=position,
        version=version,
        recorded_at=_recorded(recorded_at),
        registrar=_actor(registrar) if registrar else None,
        hash=row[11] if len(row) > 11 else None,
        stored_stream=stream,
    )


# The escapes of a COPY text field as PostgreSQL writes them (the others it reads only)
_UNESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_ESCAPED = re.compile(r"\\(.)")


def _field(text: str) -> str | None:
    if text == "\\N":
        return None
    return _ESCAPED.sub(lambda m: _UNESCAPES[m.group(1)], text)


def rows_of_text(data: bytes) -> dict[str, list[tuple]]:
    """`streams_rows` of the text `streams_text` read: each stream's rows, as `SELECT_ROWS`."""
    found: dict[str, list[tuple]] = {}
    if not data:
        return found
    for line in data.decode("utf-8").split("\n")[:-1]:  # a newline inside a field is escaped
        fields = line.split("\t")
        if "\\" in line:  # an escape or a NULL (\N) somewhere: most rows have neither
            fields = [_field(f) for f in fields]
        p, i, s, v, k, o, u, r, a, g, d, h = fields
        found.setdefault(s, []).append((int(p), i, s, int(v), k, o, u, r, a, g, d, h))
    return found
