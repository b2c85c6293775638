"""Events: the one shape every fact takes (design §4).

An `Event` is a fact as recorded. Parsing a raw JSON object into an `Event`
checks the envelope (kind, case, times, actor) and the kind's data schema, and
reports every problem as a `Problem(field, reason)` rather than raising on the
first, so an import can list all bad fields of a line at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

from pydantic import ValidationError

from habeas.domain.vocabulary import CASELESS_KINDS, DATA_MODELS, ROLES

# Identifiers (event ids, case numbers, person ids, actor ids) stay printable and
# free of quotes so they read the same in a URL, a CSV and the canonical bytes.
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}$")


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


@dataclass(frozen=True, slots=True)
class Event:
    """A fact. `position`, `recorded_at`, `registrar` and `hash` exist once stored."""

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
    corrections: tuple[str, ...] = field(default=())  # ids of record.corrected applied

    @property
    def stream(self) -> str:
        return stream_of(self.kind, self.case, self.data)

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
    """The stream an event belongs to: its case, or for case-less kinds its subject."""
    if case is not None:
        return case
    return f"facility:{data.get('facility')}"


def parse_time(value: Any, field_name: str, problems: list[Problem]) -> datetime | None:
    """An ISO 8601 time that must carry its UTC offset (the law needs the instant)."""
    if not isinstance(value, str):
        problems.append(Problem(field_name, "must be an ISO 8601 time string with a UTC offset"))
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(Problem(field_name, f"not an ISO 8601 time: {value!r}"))
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        problems.append(Problem(field_name, f"{value!r} has no UTC offset (write e.g. {value}+05:00)"))
        return None
    return moment


_KNOWN_ACTORS: dict[tuple, Actor] = {}  # a file names few actors many times


def parse_actor(raw: Any, field_name: str, problems: list[Problem]) -> Actor | None:
    if isinstance(raw, dict) and len(raw) <= 3:
        try:
            key = tuple(raw.items())
            known = _KNOWN_ACTORS.get(key)
        except TypeError:  # an unhashable value: not an actor we have seen
            return _parse_actor(raw, field_name, problems)
        if known is not None:
            return known
        actor = _parse_actor(raw, field_name, problems)
        if actor is not None and len(_KNOWN_ACTORS) < 100_000:
            _KNOWN_ACTORS[key] = actor
        return actor
    return _parse_actor(raw, field_name, problems)


def _parse_actor(raw: Any, field_name: str, problems: list[Problem]) -> Actor | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(field_name, "must be an object with id, role and agency"))
        return None
    start = len(problems)
    actor_id, role, agency = raw.get("id"), raw.get("role"), raw.get("agency")
    if not isinstance(actor_id, str) or not IDENTIFIER.match(actor_id):
        problems.append(Problem(f"{field_name}.id", "required; letters, digits and ._:/@+-"))
    if role not in ROLES:
        problems.append(Problem(f"{field_name}.role", f"unknown role {role!r}; one of {', '.join(ROLES)}"))
    if agency is not None and not isinstance(agency, str):
        problems.append(Problem(f"{field_name}.agency", "must be a string"))
    extra = set(raw) - {"id", "role", "agency"}
    if extra:
        problems.append(Problem(field_name, f"unknown field(s): {', '.join(sorted(extra))}"))
    if len(problems) > start:
        return None
    return Actor(id=actor_id, role=role, agency=agency)


def validate_data(kind: str, raw: Any, problems: list[Problem], prefix: str = "data") -> dict | None:
    """Check `data` against the kind's schema; return it normalised (JSON-ready)."""
    model = DATA_MODELS[kind]
    if not isinstance(raw, Mapping):
        problems.append(Problem(prefix, "must be an object"))
        return None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = ".".join(str(part) for part in err["loc"])
            problems.append(Problem(f"{prefix}.{loc}" if loc else prefix, err["msg"]))
        return None
    return parsed.model_dump(mode="json", exclude_none=True)


def parse_event(raw: Any, assign_id: Any = None) -> Event:
    """Turn one raw JSON object into an `Event`, or raise `Refused` with every problem.

    Checks what can be checked from the object alone; whether the case exists and
    whether the actor may take the act are the register's and the law's questions.
    """
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        raise Refused([Problem("event", "must be a JSON object")])
    unknown = set(raw) - {"id", "kind", "case", "occurred_at", "actor", "data"}
    if unknown:
        problems.append(Problem("event", f"unknown field(s): {', '.join(sorted(unknown))}"))

    kind = raw.get("kind")
    if kind not in DATA_MODELS:
        problems.append(Problem("kind", f"unknown kind {kind!r}: not in the vocabulary"))
        kind = None

    event_id = raw.get("id")
    if event_id is None:
        event_id = assign_id() if assign_id else None
    elif not isinstance(event_id, str) or not IDENTIFIER.match(event_id):
        problems.append(Problem("id", "letters, digits and ._:/@+-, at most 128 characters"))

    case = raw.get("case")
    if case is None:
        if kind is not None and kind not in CASELESS_KINDS:
            problems.append(Problem("case", "required"))
    elif not isinstance(case, str) or not IDENTIFIER.match(case):
        problems.append(Problem("case", "letters, digits and ._:/@+-, at most 128 characters"))

    occurred_at = parse_time(raw.get("occurred_at"), "occurred_at", problems)
    actor = parse_actor(raw.get("actor"), "actor", problems)
    data = validate_data(kind, raw.get("data", {}), problems) if kind else None

    if problems:
        raise Refused(problems)
    return Event(
        id=event_id,
        kind=kind,
        case=case,
        occurred_at=occurred_at,
        actor=actor,
        data=data,
    )


# --- time formats of the canonical record -------------------------------------------------


def utc_iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, microseconds only when present: one spelling per instant."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def offset_text(moment: datetime) -> str:
    """The UTC offset an event was recorded with, as +HH:MM."""
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def from_utc(text: str, offset: str = "+00:00") -> datetime:
    """Inverse of utc_iso/offset_text: the instant, shown in its recorded offset."""
    return datetime.fromisoformat(text).astimezone(_zone(offset))


@cache
def _zone(offset: str) -> timezone:
    sign = 1 if offset[0] == "+" else -1
    return timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
