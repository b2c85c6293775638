"""The fast path of parsing: one typed decode of a usual line, or "ask the exact path".

`parse_event` (with `decode_line`) is the judge of every line: it names every problem of a
refused one. Most lines of an import are valid, and for them a single `msgspec` decode into
typed structs does the envelope's and the vocabulary's checks at once, in C. The structs are
derived from the Pydantic vocabulary (`domain.vocabulary`), narrowed so that whatever they
accept the exact path accepts too, with the very same `Event`:

- a string may not begin or end with whitespace (the vocabulary strips it: such a line
  goes to the exact path, which stores it stripped);
- a pattern's `$` is spelt `\\Z` (Python's `$` would also match before a final newline);
- a time or date must be written as the vocabulary writes it back (`YYYY-MM-DDTHH:MM:SS`
  with a non-zero offset, `YYYY-MM-DD`), strictly inside the accepted years;
- a line with an escape of a control character or a surrogate, more brackets than the
  limits of a line allow, a correction (its `data` is free-form) or a case-less kind is not tried.

`parse_line` returns None for everything it does not accept; the caller then takes the exact
path, so a refusal's message is always the exact path's. The property test in
`tests/test_fast_parse.py` checks, on valid and mutated lines, that both paths agree.
"""

from __future__ import annotations

import re
import types
import typing
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union

import annotated_types
import msgspec
from pydantic import AwareDatetime, BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from habeas.domain.events import (
    IDENTIFIER,
    MAX_DEPTH,
    MAX_LINE_BYTES,
    MAX_STRING,
    Actor,
    Event,
)
from habeas.domain.vocabulary import CASELESS_KINDS, DATA_MODELS, EARLIEST_YEAR, LATEST_YEAR, ROLES

# Kinds the fast path leaves to the exact one: a correction's `data` is any object (its
# limits are the line's), a case-less kind's subject becomes its stream.
NOT_TRIED = frozenset({"record.corrected"}) | CASELESS_KINDS

# Strings of the checked fields are joined by NUL, a list's items by \x01, an absent
# optional field is \x02; and checked by one regular expression per kind: one call instead
# of one per field. No string of a line the fast path tries holds one of these: a raw
# control character is no JSON, and a line with a `\u0000`-`\u001f` escape is not tried.
SEPARATOR, ITEM, ABSENT = "\x00", "\x01", "\x02"
_NOT_TRIED_ESCAPE = re.compile(r"\\u(?:00[01]|[dD][89a-fA-F])")
_IDENTIFIER = IDENTIFIER.pattern[1:-2]  # without ^ and \Z
_UNSTRIPPED = r"[^\x00\s](?:[^\x00]*[^\x00\s])?"  # no whitespace at either end (the vocabulary strips it)
# A time as the vocabulary writes one back (a non-zero offset: UTC is written "Z"), a date.
_MOMENT = r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-](?!00:00)[0-9]{2}:[0-9]{2}"
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

_TIME_TYPES = (datetime, date, AwareDatetime)


def _inner(pattern: str) -> str:
    """A vocabulary pattern without its anchors; only patterns that match no whitespace,
    no NUL and nothing but what their character classes allow."""
    outside_classes = re.sub(r"\[[^\]]*\]", "", pattern)
    if (
        not pattern.startswith("^")
        or not pattern.endswith(("$", r"\Z"))
        or re.search(r"\s|\\[sSwWdD]|\\x00", pattern)
        or "." in outside_classes
    ):
        raise TypeError(f"the fast path cannot mirror the pattern {pattern!r}")
    return "(?:" + pattern[1 : -2 if pattern.endswith(r"\Z") else -1] + ")"


def _constraints(metadata: list) -> tuple[dict[str, Any], str | None]:
    """msgspec.Meta keywords from Pydantic's metadata (nested FieldInfo flattened), and the pattern."""
    meta: dict[str, Any] = {}
    pattern = None
    for item in metadata:
        if isinstance(item, FieldInfo):
            more, inner = _constraints(item.metadata)
            meta.update(more)
            pattern = inner or pattern
        elif isinstance(item, StringConstraints):
            pattern = item.pattern or pattern
            if item.min_length is not None:
                meta["min_length"] = item.min_length
            if item.max_length is not None:
                meta["max_length"] = item.max_length
        elif isinstance(item, annotated_types.Ge):
            meta["ge"] = item.ge
        elif isinstance(item, annotated_types.Le):
            meta["le"] = item.le
        elif isinstance(item, annotated_types.MinLen):
            meta["min_length"] = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            meta["max_length"] = item.max_length
        # Strict, and the time types' validators, are what msgspec and the checks do anyway
    return meta, pattern


class _Checks:
    """What a kind's strings must match beyond msgspec's types: (field, shape) in order,
    a shape being the regular expression its text (or its items', joined by ITEM) must match."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str, bool, bool]] = []  # (name, shape, a list, required)
        self.times: list[str] = []
        self.required = True  # of the field being read

    def add(self, name: str, shape: str, listed: bool = False) -> None:
        if "." in name:  # nested fields are checked by msgspec's own patterns
            raise AssertionError(name)
        self.fields.append((name, shape, listed, self.required))


def _typed(annotation: Any, metadata: list, checks: _Checks | None, name: str, listed: bool = False) -> Any:
    """The msgspec type accepting a superset, within the types, of what the Pydantic
    annotation accepts; `checks` (None inside a nested model) collects what narrows it."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *more = typing.get_args(annotation)
        return _typed(base, [*more, *metadata], checks, name, listed)
    if origin in (Union, types.UnionType):
        options = typing.get_args(annotation)
        return Union[  # noqa: UP007
            tuple(_typed(o, metadata if o is not type(None) else [], checks, name, listed) for o in options)
        ]
    if annotation is type(None):
        return None
    meta, pattern = _constraints(metadata)
    if annotation in _TIME_TYPES:
        if checks is None or listed:
            raise TypeError(f"the fast path cannot mirror a nested time ({name})")
        checks.add(name, _DAY if annotation is date else _MOMENT)
        checks.times.append(name)
        return str
    if annotation is str:
        shape = _inner(pattern) if pattern else _UNSTRIPPED
        if not pattern:
            meta.setdefault("max_length", MAX_STRING)
        if checks is None:  # a nested model's string: msgspec checks it itself
            meta["pattern"] = f"^{shape}\\Z"
        else:
            checks.add(name, shape, listed)
        return Annotated[str, msgspec.Meta(**meta)] if meta else str
    if annotation in (int, float, bool):
        return Annotated[annotation, msgspec.Meta(**meta)] if meta else annotation
    if origin is Literal:
        return annotation
    if origin is list:
        if listed:
            raise TypeError(f"the fast path cannot mirror a list of lists ({name})")
        (item,) = typing.get_args(annotation)
        items = list[_typed(item, [], checks, name, listed=True)]
        return Annotated[items, msgspec.Meta(**meta)] if meta else items
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct(annotation, None, f"{name}.")
    raise TypeError(f"the fast path cannot mirror {annotation!r} ({name})")


def _struct(model: type[BaseModel], checks: _Checks | None, prefix: str = "") -> type[msgspec.Struct]:
    fields = []
    for name, info in model.model_fields.items():
        if checks is not None:
            checks.required = info.is_required()
        typed = _typed(info.annotation, list(info.metadata), checks, f"{prefix}{name}")
        if info.is_required():
            fields.append((name, typed))
        else:  # every optional field of the vocabulary defaults to None (exclude_none)
            if info.default is not None:
                raise TypeError(f"the fast path cannot mirror the default of {model.__name__}.{name}")
            fields.append((name, typed, None))
    return msgspec.defstruct(
        f"Fast{model.__name__}", fields, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
    )


class _Actor(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    role: Literal[ROLES]  # type: ignore[valid-type]
    agency: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None


class _Kind:
    """A kind's fast path: the fields its one expression checks, and the expression."""

    __slots__ = ("fields", "times", "shape")

    def __init__(self, checks: _Checks):
        self.fields = tuple((name, listed) for name, _, listed, _ in checks.fields)
        self.times = tuple(checks.times)
        # the envelope's id, case, actor id and time come first (msgspec checks a list's length)
        shapes = [_IDENTIFIER, _IDENTIFIER, _IDENTIFIER, _MOMENT]
        for _, shape, listed, required in checks.fields:
            shape = f"(?:(?:{shape})(?:{ITEM}(?:{shape}))*)?" if listed else f"(?:{shape})"
            shapes.append(shape if required else f"(?:{shape}|{ABSENT})")
        self.shape = re.compile(SEPARATOR.join(shapes)).fullmatch


def _envelopes() -> tuple[Any, dict[str, _Kind]]:
    envelopes, kinds = [], {}
    for kind, model in DATA_MODELS.items():
        if kind in NOT_TRIED:
            continue
        checks = _Checks()
        data = _struct(model, checks)
        kinds[kind] = _Kind(checks)
        envelopes.append(
            msgspec.defstruct(
                f"Fast{kind}",
                [("id", str), ("case", str), ("occurred_at", str), ("actor", _Actor), ("data", data)],
                tag_field="kind",
                tag=kind,
                forbid_unknown_fields=True,
            )
        )
    return Union[tuple(envelopes)], kinds  # noqa: UP007


_ENVELOPE, _KINDS = _envelopes()
_DECODER = msgspec.json.Decoder(_ENVELOPE)
_to_builtins = msgspec.to_builtins
_fromisoformat = datetime.fromisoformat
_ACTORS: dict[_Actor, Actor] = {}


def _inside_years(text: str) -> bool:
    """A time or date strictly inside the accepted years (both end years need the exact path)."""
    try:
        moment = _fromisoformat(text)
    except ValueError:
        return False
    return EARLIEST_YEAR < moment.year < LATEST_YEAR


def _keys(value: Any) -> int:
    """How many keys a decoded value holds, at every depth."""
    if isinstance(value, dict):
        return len(value) + sum(_keys(v) for v in value.values() if isinstance(v, dict | list))
    if isinstance(value, list):
        return sum(_keys(v) for v in value if isinstance(v, dict | list))
    return 0


def parse_line(text: str, size: int) -> Event | None:
    """The event a usual, valid line records, or None: then ask `decode_line` + `parse_event`.

    `size` is the line's length in UTF-8 bytes (the exact path decides lines beyond the limit)."""
    if (
        size > MAX_LINE_BYTES
        or text.count("{") + text.count("[") > MAX_DEPTH
        or ("\\" in text and _NOT_TRIED_ESCAPE.search(text))
    ):
        return None
    try:
        line = _DECODER.decode(text)
    except (msgspec.DecodeError, UnicodeEncodeError):
        return None
    kind = line.__struct_config__.tag
    known = _KINDS[kind]
    data = _to_builtins(line.data)
    # A key given twice is decoded as one (the last): the exact path refuses it. Each key of the
    # line is one `":` of its text (more where a string holds one; a line with a space before a
    # colon goes to the exact path): as many as the keys decoded, none was given twice.
    if (
        text.count('":') != 8 + (line.actor.agency is not None) + _keys(data)
        or '" :' in text
        or '"\t:' in text
        or '"\r:' in text
    ):
        return None
    texts = [line.id, line.case, line.actor.id, line.occurred_at]
    for name, listed in known.fields:
        value = data.get(name)
        texts.append(ABSENT if value is None else ITEM.join(value) if listed else value)
    if known.shape(SEPARATOR.join(texts)) is None:
        return None
    try:
        occurred_at = _fromisoformat(line.occurred_at)
    except ValueError:  # the right shape, no such day
        return None
    if not EARLIEST_YEAR < occurred_at.year < LATEST_YEAR:
        return None
    for name in known.times:
        value = data.get(name)
        if value is not None and not _inside_years(value):
            return None
    actor = _ACTORS.get(line.actor)
    if actor is None:
        actor = Actor(line.actor.id, line.actor.role, line.actor.agency)
        if len(_ACTORS) < 100_000:
            _ACTORS[line.actor] = actor
    return Event(id=line.id, kind=kind, case=line.case, occurred_at=occurred_at, actor=actor, data=data)
