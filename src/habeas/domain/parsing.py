"""Parsing a raw JSON object into an `Event`: the envelope (kind, case, times, actor) and
the kind's data schema, every problem reported as a `Problem(field, reason)` rather than
raising on the first, so an import can list all bad fields of a line at once.

The object must already keep within the limits of a line (`domain.events`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from habeas.domain.envelope import (
    FACILITY_STREAM,
    IDENTIFIER,
    MAX_STREAM,
    Actor,
    Event,
    Problem,
    Refused,
    label,
    shown,
)
from habeas.domain.vocabulary import CASELESS_KINDS, DATA_MODELS, EARLIEST_YEAR, LATEST_YEAR, ROLES


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
