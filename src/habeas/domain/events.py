"""Events: the one shape every fact takes (design §4).

An `Event` is a fact as recorded. Parsing a raw JSON object into an `Event`
checks the envelope (kind, case, times, actor) and the kind's data schema, and
reports every problem as a `Problem(field, reason)` rather than raising on the
first, so an import can list all bad fields of a line at once.

Before any of that, a line (or a submitted object) must keep within the limits of
a line (`decode_line`, `value_problems`): whatever passes them can be validated,
stored and printed on either store without an exception.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import msgspec
from pydantic import ValidationError

from habeas.domain.vocabulary import CASELESS_KINDS, DATA_MODELS, EARLIEST_YEAR, LATEST_YEAR, ROLES

# Identifiers (event ids, case numbers, person ids, actor ids) stay printable and
# free of quotes so they read the same in a URL, a CSV and the canonical bytes. `\Z`, not
# `$`: Python's `$` also matches before a final newline, and "K-1\n" is no case number.
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}\Z")

# --- the limits of a line -----------------------------------------------------------------
# What a line of an import (or one submitted event) may hold. Everything inside them is
# checked by the envelope and the vocabulary; everything outside is refused here, with
# the same verdict on SQLite and PostgreSQL, before any of it reaches a database.
#
# - a line: at most MAX_LINE_BYTES bytes of UTF-8 (the longest valid event is a few KB);
# - nesting: at most MAX_DEPTH objects/arrays inside one another (a valid event needs 4:
#   the event, its data, a correction's data, a sentence or a list inside it);
# - a string: at most MAX_STRING characters (the vocabulary's longest free text; names and
#   identifiers are shorter, see IDENTIFIER and the vocabulary), valid Unicode (no lone
#   surrogate) and no NUL character (PostgreSQL cannot store one);
# - a number: an integer of at most MAX_NUMBER_DIGITS digits; a fraction or exponent of at
#   most MAX_NUMBER_DIGITS + 10 characters, finite (no NaN, no Infinity, no 1e400);
# - a time: in the years EARLIEST_YEAR to LATEST_YEAR (domain.vocabulary), in its offset
#   and in UTC, with a UTC offset of whole minutes.
MAX_LINE_BYTES = 65_536
MAX_DEPTH = 16
MAX_STRING = 4_000
MAX_NUMBER_DIGITS = 20
# The `stream` column holds a case id (at most 128 characters) or, for case-less events,
# INTERNAL + the subject; a subject that would not fit is refused (schema: String(160)).
MAX_STREAM = 160
# Internal streams (case-less events) begin with a character no case id may begin with
# (IDENTIFIER), so no case can ever share a stream with them.
INTERNAL = "#"
FACILITY_STREAM = f"{INTERNAL}facility:"

# A line needs the slow, exact checks of `value_problems` only when a cheap scan of its
# text says it might break a limit: more brackets than MAX_DEPTH, or an escape of NUL
# or of a surrogate (a valid pair, an emoji escaped as two surrogates, also lands here).
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


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


def parse_time(value: Any, field_name: str, problems: list[Problem]) -> datetime | None:
    """An ISO 8601 time that must carry its UTC offset (the law needs the instant).

    The date and the time of day are joined by `T` (or a space); the offset is whole
    minutes; the time lies in the accepted years both as written and in UTC."""
    if not isinstance(value, str):
        problems.append(Problem(field_name, "must be an ISO 8601 time string with a UTC offset"))
        return None
    if len(value) > 40 or not value.isascii():
        problems.append(Problem(field_name, f"not an ISO 8601 time: {shown(value)}"))
        return None
    if len(value) > 10 and value[10] not in "Tt ":
        if value[10] in "+-Zz":
            problems.append(
                Problem(field_name, f"{shown(value)} has no time of day (write e.g. {value[:10]}T00:00{value[10:]})")
            )
        else:
            problems.append(Problem(field_name, f"not an ISO 8601 time: {shown(value)}"))
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(Problem(field_name, f"not an ISO 8601 time: {shown(value)}"))
        return None
    offset = moment.utcoffset()
    if offset is None:
        example = f"{value}T00:00+05:00" if len(value) == 10 else f"{value}+05:00"
        problems.append(Problem(field_name, f"{shown(value)} has no UTC offset (write e.g. {example})"))
        return None
    if offset.microseconds or offset.seconds % 60:
        problems.append(Problem(field_name, f"{shown(value)}: a UTC offset is whole minutes (e.g. +05:00)"))
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR or (
        moment.year in (EARLIEST_YEAR, LATEST_YEAR) and not EARLIEST_YEAR <= (moment - offset).year <= LATEST_YEAR
    ):
        problems.append(Problem(field_name, f"must lie in the years {EARLIEST_YEAR} to {LATEST_YEAR}"))
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
        problems.append(Problem(f"{field_name}.id", "required; letters, digits and ._:/@+-, at most 128 characters"))
    if not isinstance(role, str) or role not in ROLES:
        named = f"unknown role {shown(role)}" if isinstance(role, str) else "required"
        problems.append(Problem(f"{field_name}.role", f"{named}; one of {', '.join(ROLES)}"))
    if agency is not None and (not isinstance(agency, str) or not 1 <= len(agency) <= 128):
        problems.append(Problem(f"{field_name}.agency", "must be a string of 1 to 128 characters"))
    extra = set(raw) - {"id", "role", "agency"}
    if extra:
        problems.append(Problem(field_name, f"unknown field(s): {_names(extra)}"))
    if len(problems) > start:
        return None
    return Actor(id=actor_id, role=role, agency=agency)


def _names(keys) -> str:
    return ", ".join(label(k) for k in sorted(keys)[:5]) + (", …" if len(keys) > 5 else "")


def validate_data(kind: str, raw: Any, problems: list[Problem], prefix: str = "data") -> dict | None:
    """Check `data` against the kind's schema; return it normalised (JSON-ready)."""
    model = DATA_MODELS[kind]
    if not isinstance(raw, Mapping):
        problems.append(Problem(prefix, "must be an object"))
        return None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = ".".join(label(part) for part in err["loc"])
            problems.append(Problem(f"{prefix}.{loc}" if loc else prefix, err["msg"]))
        return None
    return parsed.model_dump(mode="json", exclude_none=True)


def parse_event(raw: Any, assign_id: Any = None) -> Event:
    """Turn one raw JSON object into an `Event`, or raise `Refused` with every problem.

    Checks what can be checked from the object alone; whether the case exists and
    whether the actor may take the act are the register's and the law's questions.
    The object must already be within the limits of a line (`decode_line` for a line of
    text, `value_problems` for an object given as such, as `check_limits` does).
    """
    problems: list[Problem] = []
    if not isinstance(raw, Mapping):
        raise Refused([Problem("event", "must be a JSON object")])
    unknown = set(raw) - {"id", "kind", "case", "occurred_at", "actor", "data"}
    if unknown:
        problems.append(Problem("event", f"unknown field(s): {_names(unknown)}"))

    kind = raw.get("kind")
    if not isinstance(kind, str):
        problems.append(Problem("kind", "required: a string naming a kind of the vocabulary"))
        kind = None
    elif kind not in DATA_MODELS:
        problems.append(Problem("kind", f"unknown kind {shown(kind)}: not in the vocabulary"))
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
    elif kind in CASELESS_KINDS:
        problems.append(Problem("case", f"{kind} names no case: it is filed under its {_SUBJECT[kind]}"))
    elif not isinstance(case, str) or not IDENTIFIER.match(case):
        problems.append(Problem("case", "letters, digits and ._:/@+-, at most 128 characters"))

    occurred_at = parse_time(raw.get("occurred_at"), "occurred_at", problems)
    actor = parse_actor(raw.get("actor"), "actor", problems)
    data = validate_data(kind, raw.get("data", {}), problems) if kind else None
    if data is not None and kind in CASELESS_KINDS:
        subject = _SUBJECT[kind]
        if len(FACILITY_STREAM) + len(str(data.get(subject))) > MAX_STREAM:
            problems.append(Problem(f"data.{subject}", f"at most {MAX_STREAM - len(FACILITY_STREAM)} characters"))

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


# The data field that names a case-less event's subject (and so its stream).
_SUBJECT = {"facility.visited": "facility"}


# --- the limits of a line, checked ------------------------------------------------------


class _OutOfBounds(ValueError):
    """Raised by the JSON decoder's number hooks: the problem to report."""


def _int(text: str) -> int:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_NUMBER_DIGITS:
        raise _OutOfBounds(f"a number of {digits} digits; at most {MAX_NUMBER_DIGITS}")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise _OutOfBounds(f"a number of {len(text)} characters; at most {MAX_NUMBER_DIGITS + 10}")
    value = float(text)
    if math.isinf(value):
        raise _OutOfBounds(f"the number {text} is out of range")
    return value


def _constant(text: str) -> Any:
    raise _OutOfBounds(f"{text} is not a JSON number")


class DuplicateKey(ValueError):
    """A JSON object names a key twice: which value is meant cannot be known (issue 20)."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(f"the key {key!r} is given twice in one object: which value is meant cannot be known")


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members as a dict, refusing a key given twice (`object_pairs_hook`)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found


# One decoder for the process (json.loads with hooks would build one per call). Only the
# rare number that is not a plain integer of a few digits costs a Python call.
_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=unique_keys)


def decode_line(text: str, size: int | None = None) -> Any:
    """One line of an import as a JSON value within the limits of a line, or raise `Refused`.

    `size` is the line's length in UTF-8 bytes when the caller has measured it by encoding
    it strictly (so the text holds no lone surrogate). Cheap scans of the text (two counts,
    a one-character search) decide whether the exact checks of `value_problems` are needed
    at all; for a usual line they are not. The decoder checks numbers as it reads them."""
    exact = False
    if size is None:
        if text.isascii():  # O(1) in CPython
            size = len(text)
        else:
            try:
                size = len(text.encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate in the text itself
                size, exact = len(text.encode("utf-8", "surrogatepass")), True
    if size > MAX_LINE_BYTES:
        raise Refused([Problem("event", f"a line of {size} bytes; at most {MAX_LINE_BYTES}")])
    try:
        value = _DECODER.decode(text)
    except _OutOfBounds as exc:
        raise Refused([Problem("json", str(exc))]) from None
    except DuplicateKey as exc:
        raise Refused([Problem(label(exc.key), str(exc))]) from None
    except json.JSONDecodeError as exc:
        raise Refused([Problem("json", f"not valid JSON: {exc.msg} (column {exc.colno})")]) from None
    except RecursionError:  # nested far deeper than MAX_DEPTH: name where, from the text
        raise Refused([Problem(_deep_path(text), f"nested more than {MAX_DEPTH} deep")]) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise Refused([Problem("json", f"not valid JSON: {type(exc).__name__}")]) from None
    if exact or text.count("[") + text.count("{") > MAX_DEPTH or ("\\" in text and _SUSPECT_ESCAPE.search(text)):
        problems = value_problems(value)
        if problems:
            raise Refused(problems)
    return value


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')


def _deep_path(text: str) -> str:
    """The field (its first three path components) where a text nests beyond MAX_DEPTH."""
    path: list[str] = []  # the key or index at each open level
    kinds: list[str] = []
    last = ""
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            kinds.append(token)
            path.append("0" if token == "[" else "")
            if len(kinds) > MAX_DEPTH:
                return ".".join(path[:-1][:3]) or "event"  # path[i]: the key or index inside level i
        elif token in "]}":
            kinds and kinds.pop()
            path and path.pop()
        elif token == ",":
            if kinds and kinds[-1] == "[":
                path[-1] = str(int(path[-1]) + 1)
        elif token == ":" and kinds and kinds[-1] == "{" and last.startswith('"'):
            path[-1] = label(last[1:-1])
        last = token
    return "event"


def check_limits(raw: Any) -> None:
    """Raise `Refused` if an object given as such (not as a line) breaks the limits of a line."""
    problems = value_problems(raw, numbers=True)
    if problems:
        raise Refused(problems)


def value_problems(value: Any, numbers: bool = False) -> list[Problem]:
    """Every string, key and nesting level of a JSON value against the limits of a line.

    Names the field (the path to it) and the reason; stops descending at MAX_DEPTH, so a
    value nested any deeper costs no more than one nested that deep. `numbers` checks
    numbers too (a decoded line's numbers were checked by the decoder)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(problems) < 10:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            reason = _string_problem(item)
            if reason:
                problems.append(Problem(path or "event", reason))
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                named = ".".join(path.split(".")[:3])  # where the nesting starts, not all of it
                problems.append(Problem(named or "event", f"nested more than {MAX_DEPTH} deep"))
                continue
            if isinstance(item, dict):
                for key, inner in item.items():
                    if not isinstance(key, str):
                        problems.append(Problem(path or "event", "object keys must be strings"))
                        continue
                    reason = _string_problem(key)
                    if reason:
                        problems.append(Problem(path or "event", f"a field name {reason}"))
                        continue
                    stack.append((inner, f"{path}.{label(key)}" if path else label(key), depth + 1))
            else:
                stack.extend((inner, f"{path}.{n}" if path else str(n), depth + 1) for n, inner in enumerate(item))
        elif numbers and isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= 10**MAX_NUMBER_DIGITS:
                problems.append(Problem(path or "event", f"a number of more than {MAX_NUMBER_DIGITS} digits"))
        elif numbers and isinstance(item, float):
            if not math.isfinite(item):
                problems.append(Problem(path or "event", "a number must be finite"))
        elif item is not None and not isinstance(item, bool | int | float):
            problems.append(Problem(path or "event", f"not a JSON value: {type(item).__name__}"))
    problems.sort(key=lambda p: p.field)
    return problems


def _string_problem(text: str) -> str | None:
    if len(text) > MAX_STRING:
        return f"a string of {len(text)} characters; at most {MAX_STRING}"
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate (\\ud800-\\udfff): not Unicode text"
    return None


# --- time formats of the canonical record -------------------------------------------------


def utc_iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, microseconds only when present: one spelling per instant."""
    offset = moment.utcoffset()
    if offset is None:  # naive: astimezone reads it as local time
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    if offset.seconds % 60 or offset.microseconds:  # never recorded (whole minutes), but possible
        return (moment.replace(tzinfo=None) - offset).isoformat() + "Z"
    # the same instant as astimezone(UTC), without a tzinfo call: its text ends in the
    # offset's six characters (+HH:MM), cut for the Z
    return (moment - offset).isoformat()[:-6] + "Z"


def offset_text(moment: datetime) -> str:
    """The UTC offset an event was recorded with, as +HH:MM."""
    return _offset_text(moment.utcoffset() or timedelta(0))


@cache
def _offset_text(delta: timedelta) -> str:
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
