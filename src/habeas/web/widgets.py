"""A form's fields, read from the event vocabulary (`domain.vocabulary`), and the data a
posted form gives back.

Each field of a kind's data gets a widget from its type, so a new kind or field gets its
form without template code: a time a date-time picker in local time, a date a date
picker, a fixed list a choice, a list of them checkboxes, yes/no a checkbox, a number a
number field, a party of the case (`person`) a choice of the case's parties, an event of
the case (`event`) a choice of its events, an article a choice from the offence catalogue,
a court or an agency a choice of the ones known (the package's reference data, the
case's); a nested object (a verdict's `sentence`) its fields;
free data (a correction's `data`) JSON. Free text otherwise.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, NaiveDatetime

from habeas.domain.vocabulary import DATA_MODELS

# Fields whose values are things of the case, offered as a choice when the case is known.
PARTY_FIELDS = frozenset({"person"})  # a new party's id (party.added) is typed: see `fields`
EVENT_FIELDS = frozenset({"event"})
COURT_FIELDS = frozenset({"court"})
AGENCY_FIELDS = frozenset({"agency"})  # offered from the package's reference data, as courts are
ARTICLE_FIELDS = frozenset({"article"})


@dataclass(frozen=True)
class Field:
    name: str  # the label's code: the last part of the key
    key: str  # the form's name: data.person, data.sentence.months
    required: bool
    # text, list, json, select, checkboxes, checkbox, number, datetime, date, person, event,
    # court, agency, article
    widget: str
    options: tuple[str, ...] = ()
    path: tuple[str, ...] = field(default=())  # where the value goes in `data`


def fields(kind: str) -> list[Field]:
    """The form fields of a kind's data, in the vocabulary's order."""
    out = _fields(DATA_MODELS[kind], ("data",), True)
    if kind == "party.added":  # the party being added is not yet among the case's parties
        out = [f if f.widget != "person" else _replace(f, "text") for f in out]
    return out


def _replace(f: Field, widget: str) -> Field:
    return Field(f.name, f.key, f.required, widget, f.options, f.path)


def _fields(model: type[BaseModel], prefix: tuple[str, ...], required: bool) -> list[Field]:
    out: list[Field] = []
    for name, info in model.model_fields.items():
        path = (*prefix[1:], name)
        key = ".".join((*prefix, name))
        plain = _plain(info.annotation)
        if isinstance(plain, type) and issubclass(plain, BaseModel):
            out += _fields(plain, (*prefix, name), required and info.is_required())
            continue
        widget, options = _widget(name, plain)
        out.append(Field(name, key, required and info.is_required(), widget, options, path))
    return out


def _widget(name: str, annotation) -> tuple[str, tuple[str, ...]]:
    if get_origin(annotation) is list:
        inner = _plain(get_args(annotation)[0])
        return ("checkboxes", tuple(get_args(inner))) if get_origin(inner) is Literal else ("list", ())
    if get_origin(annotation) is Literal:
        return "select", tuple(get_args(annotation))
    if annotation is bool:
        return "checkbox", ()
    if annotation in (AwareDatetime, NaiveDatetime) or (
        isinstance(annotation, type) and issubclass(annotation, datetime)
    ):
        return "datetime", ()
    if isinstance(annotation, type) and issubclass(annotation, date):
        return "date", ()
    if annotation is int or _numbers(annotation):
        return "number", ()
    if annotation is dict:
        return "json", ()
    for names, widget in (
        (PARTY_FIELDS, "person"),
        (EVENT_FIELDS, "event"),
        (COURT_FIELDS, "court"),
        (AGENCY_FIELDS, "agency"),
        (ARTICLE_FIELDS, "article"),
    ):
        if name in names:
            return widget, ()
    return "text", ()


def _numbers(annotation) -> bool:
    if get_origin(annotation) not in (Union, types.UnionType):
        return False
    return all(_plain(a) in (int, float) for a in get_args(annotation))


def _plain(annotation):
    """Without `Annotated[...]` and `| None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


# -- reading a posted form ---------------------------------------------------------------------


class Unreadable(ValueError):
    """A value the form cannot turn into the type the vocabulary wants (the key, the reason)."""

    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key = key


def local_time(text: str, zone: timezone) -> str:
    """A date-time picker's value (local time, no offset) as ISO 8601 with the zone's
    offset; a value that carries its own offset is kept as it is (the register judges it)."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # the register names what is wrong with it
    if moment.tzinfo is not None:
        return text
    return moment.replace(tzinfo=zone).isoformat(timespec="minutes")


def read(form, all_fields: list[Field], read_time) -> tuple[dict, dict]:
    """(the values to show again, the event's `data`) from a posted form. Raises Unreadable."""
    values: dict = {}
    data: dict = {}
    for f in all_fields:
        value = _value(form, f, values, read_time)
        if value is not None:
            _put(data, f.path, value)
    return values, data


def _value(form, f: Field, values: dict, read_time):
    if f.widget == "checkboxes":
        chosen = [str(v) for v in form.getlist(f.key)]
        values[f.key] = chosen
        return chosen if chosen or f.required else None
    if f.widget == "checkbox":
        ticked = str(form.get(f.key) or "") in ("true", "on", "1")
        values[f.key] = ticked
        return ticked
    text = str(form.get(f.key) or "").strip()
    values[f.key] = text
    if not text:
        return None
    if f.widget == "list":
        items = [p.strip() for p in text.split(",") if p.strip()]
        return items if items or f.required else None
    if f.widget == "datetime":
        return read_time(text)  # local time of the case's region, as the wording module reads it
    if f.widget == "number":
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise Unreadable(f.key, "must be a number") from None
        return int(number) if number.is_integer() else number
    if f.widget == "json":
        try:
            return json.loads(text)
        except ValueError:
            raise Unreadable(f.key, 'must be a JSON object, such as {"place": "…"}') from None
    return text


def _put(data: dict, path: tuple[str, ...], value) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def picker_value(moment: datetime | str | None, zone: timezone) -> str:
    """A moment as a date-time picker shows it: local time, to the minute, no offset."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None, second=0, microsecond=0).isoformat(timespec="minutes")
