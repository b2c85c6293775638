"""The envelope of a fact (design §4): the `Event` every fact is, who took it (`Actor`), the
stream it is filed under, and why one is refused (`Problem`, `Refused`).

Parsing a raw object into an `Event` is `domain.parsing`; the limits of a line,
`domain.events`; the time formats of the canonical record, `domain.times`. All of them are
imported from `habeas.domain.events`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from habeas.domain.vocabulary import CASELESS_KINDS

# Identifiers (event ids, case numbers, person ids, actor ids) stay printable and
# free of quotes so they read the same in a URL, a CSV and the canonical bytes. `\Z`, not
# `$`: Python's `$` also matches before a final newline, and "K-1\n" is no case number.
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}\Z")

# The `stream` column holds a case id (at most 128 characters) or, for case-less events,
# INTERNAL + the subject; a subject that would not fit is refused (schema: String(160)).
MAX_STREAM = 160
# Internal streams (case-less events) begin with a character no case id may begin with
# (IDENTIFIER), so no case can ever share a stream with them.
INTERNAL = "#"
FACILITY_STREAM = f"{INTERNAL}facility:"


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a fact was refused: the field it concerns and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class Refused(Exception):
    """A fact the register will not store; carries every problem found."""

    def __init__(self, problems: list[Problem], code: str = "invalid"):
        self.problems = problems
        self.code = code
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did or recorded an act: an official (role, agency) or a person."""

    id: str
    role: str
    agency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "role": self.role}
        if self.agency is not None:
            out["agency"] = self.agency
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Actor:
        return cls(id=raw["id"], role=raw["role"], agency=raw.get("agency"))


class Event(msgspec.Struct, frozen=True, gc=False):
    """A fact. `position`, `recorded_at`, `registrar` and `hash` exist once stored.

    A frozen msgspec struct rather than a frozen dataclass: an import builds several per
    line, and a frozen dataclass spends 2.4 µs on `object.__setattr__` per construction,
    this 0.2. Not tracked by the garbage collector: an event holds no cycle, and an import
    holds millions. Change one with `msgspec.structs.replace`."""

    id: str
    kind: str
    case: str | None
    occurred_at: datetime  # aware, in the offset it was recorded with
    actor: Actor
    data: Mapping[str, Any]
    position: int | None = None
    version: int | None = None
    recorded_at: datetime | None = None
    registrar: Actor | None = None
    hash: str | None = None
    corrections: tuple[str, ...] = ()  # ids of record.corrected applied
    # The stream a stored event was filed under, as stored: a database written before
    # the internal namespace keeps a case-less event's old stream name.
    stored_stream: str | None = None

    @property
    def stream(self) -> str:
        return self.stored_stream or stream_of(self.kind, self.case, self.data)

    def to_import_dict(self) -> dict[str, Any]:
        """The event in the import/export format of design §4."""
        out: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.case is not None:
            out["case"] = self.case
        out["occurred_at"] = self.occurred_at.isoformat()
        out["actor"] = self.actor.to_dict()
        out["data"] = dict(self.data)
        return out


def stream_of(kind: str, case: str | None, data: Mapping[str, Any]) -> str:
    """The stream an event belongs to: its case, or for case-less kinds its subject.

    A case-less event's stream lives in the internal namespace (FACILITY_STREAM), which no
    case id can enter. Databases written before carry `facility:<name>` streams: whether a
    stored event belongs to a case is therefore read from its kind (`case_of`), never
    from its stream's spelling."""
    if kind in CASELESS_KINDS:
        return f"{FACILITY_STREAM}{data.get('facility')}"
    return case


def case_of(kind: str, stream: str) -> str | None:
    """The case a stored event belongs to (None for a case-less kind), from its kind."""
    return None if kind in CASELESS_KINDS else stream


def shown(value: Any, limit: int = 40) -> str:
    """A value of the offending line, quoted for an error message and cut to a readable length."""
    text = repr(value) if isinstance(value, str | int | float | bool | None) else type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label(name: Any, limit: int = 30) -> str:
    """A field name of the offending line as it may appear in a message: printable, short
    (a name with control characters or a lone surrogate is shown escaped)."""
    text = str(name)
    if not text.isprintable():
        text = repr(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 1] + "…"
