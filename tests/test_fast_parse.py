"""The import's fast path (`domain.fast_parse`) agrees with the exact path on every line.

The exact path (`decode_line` + `parse_event`) is the register's judge of a line. The fast
path may decline any line (None: the exact path then decides), but a line it accepts must
be one the exact path accepts, as the very same event: id, case, the instant and its offset,
actor, and data with its fields in the same order and types. Checked on lines drawn for
every kind of the vocabulary from its own schemas (valid, and at the edges of each field's
constraints), and on the mutations of `test_input_properties` (Hypothesis).
"""

from __future__ import annotations

import json
import types
import typing
from datetime import date, datetime
from typing import Annotated, Literal, Union

import annotated_types
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, StringConstraints
from pydantic.fields import FieldInfo

from habeas.domain.events import Refused, decode_line, parse_event
from habeas.domain.fast_parse import NOT_TRIED, parse_line
from habeas.domain.vocabulary import DATA_MODELS, KINDS_WITHOUT_FLOATS, ROLES
from habeas.ledger.chain import canonical_json
from habeas.ledger.store import content_of
from tests.test_input_properties import BASE, mutated_line

TRIED = sorted(kind for kind in DATA_MODELS if kind not in NOT_TRIED)
IDENTIFIERS = st.sampled_from(
    ["p1", "KZ-2024-000123", "inv-301", "a" * 128, "a" * 129, "x y", "p1\n", "Ж", "a.b:c/d@e+f"]
)
TEXTS = st.sampled_from(
    ["text", " text", "text ", "te\nxt", "\ttext", "Жалоба", "x", "", " ", "a\u00a0", "\u2028a", "x" * 4000, "x" * 4001]
) | st.text(max_size=12)
MOMENTS = st.sampled_from(
    [
        "2024-04-01T16:30:00+05:00",
        "2024-04-01T16:30:00-03:00",
        "2024-04-01T16:30:00+00:00",
        "2024-04-01T16:30:00Z",
        "2024-04-01T16:30+05:00",
        "2024-04-01T16:30:00.5+05:00",
        "2024-04-01 16:30:00+05:00",
        "2024-02-30T16:30:00+05:00",
        "2024-04-01T16:30:00+24:00",
        "1900-01-01T03:00:00+05:00",
        "1901-01-01T03:00:00+05:00",
        "2199-12-31T23:00:00-05:00",
        "2200-12-31T23:00:00-05:00",
        "2024-04-01T16:30:00",
    ]
)
DAYS = st.sampled_from(["1990-05-17", "1990-02-30", "1899-12-31", "1900-01-01", "2199-01-01", "1990-5-17", "19900517"])


def _strategy(annotation, metadata: list) -> st.SearchStrategy:
    """Values for a field of the vocabulary: valid ones and ones at or past its constraints."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        base, *more = typing.get_args(annotation)
        return _strategy(base, [*more, *metadata])
    if origin in (Union, types.UnionType):
        return st.one_of([_strategy(option, metadata) for option in typing.get_args(annotation)])
    if annotation is type(None):
        return st.none()
    flat = _flat(metadata)
    if annotation in (datetime, AwareDatetime):
        return MOMENTS
    if annotation is date:
        return DAYS
    if annotation is str:
        pattern = next((m.pattern for m in flat if isinstance(m, StringConstraints) and m.pattern), None)
        if pattern:
            return st.from_regex(pattern.replace("$", r"\Z"), fullmatch=True) | IDENTIFIERS | st.just(" 12")
        return TEXTS
    if annotation is bool:
        return st.booleans() | st.sampled_from([0, 1, "yes"])
    if annotation in (int, float):
        low = next((m.ge for m in flat if isinstance(m, annotated_types.Ge)), -5)
        high = next((m.le for m in flat if isinstance(m, annotated_types.Le)), 5)
        return st.integers(low - 1, min(high + 1, low + 50)) | st.sampled_from([high, high + 1, 2.0, 2.5, True, "2"])
    if origin is Literal:
        return st.sampled_from(typing.get_args(annotation)) | st.sampled_from(["other", " suspect", None])
    if origin is list:
        (item,) = typing.get_args(annotation)
        return st.lists(_strategy(item, []), max_size=4)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return data_of(annotation)
    raise AssertionError(f"no strategy for {annotation!r}")


def _flat(metadata: list) -> list:
    out = []
    for item in metadata:
        out += _flat(item.metadata) if isinstance(item, FieldInfo) else [item]
    return out


@st.composite
def data_of(draw, model: type[BaseModel]) -> dict:
    data = {}
    for name, info in model.model_fields.items():
        if not info.is_required() and draw(st.booleans()):
            if draw(st.booleans()):
                data[name] = None  # explicit null: means absent
            continue
        data[name] = draw(_strategy(info.annotation, list(info.metadata)))
    return data


@st.composite
def lines(draw) -> str:
    kind = draw(st.sampled_from(TRIED))
    raw = {
        "id": draw(st.sampled_from(["ev-1", "ev-1\n", "e v"])),
        "kind": kind,
        "case": draw(st.sampled_from(["KZ-2024-000123", "KZ-1\n"])),
        "occurred_at": draw(MOMENTS),
        "actor": draw(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["inv-301", "inv 301"]), "role": st.sampled_from([*ROLES, "chief"])},
                optional={"agency": st.sampled_from(["police", "", "x" * 129])},
            )
        ),
        "data": draw(data_of(DATA_MODELS[kind])),
    }
    return json.dumps(raw, ensure_ascii=draw(st.booleans()))


def exact(line: str):
    try:
        return parse_event(decode_line(line))
    except Refused:
        return None


def agree(line: str) -> bool:
    """Whether the fast path accepted the line (asserting that it agrees with the exact path)."""
    fast = parse_line(line, len(line.encode("utf-8", "surrogatepass")))
    if fast is None:
        return False
    slow = exact(line)
    assert slow is not None, f"the fast path accepted a line the exact path refuses: {line}"
    assert (fast.id, content_of(fast)) == (slow.id, content_of(slow)), line
    assert fast.occurred_at.isoformat() == slow.occurred_at.isoformat()
    assert list(fast.data.items()) == list(slow.data.items())  # the same order, the same values
    assert [type(v) for v in fast.data.values()] == [type(v) for v in slow.data.values()]
    assert fast.actor == slow.actor and fast.stream == slow.stream
    if fast.kind in KINDS_WITHOUT_FLOATS:  # the append writes these with the faster encoder
        assert canonical_json(fast.data, floats=False) == canonical_json(slow.data)
    return True


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines())
def test_a_line_of_any_kind_is_accepted_by_the_fast_path_only_as_the_exact_path_accepts_it(line):
    agree(line)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BASE).flatmap(mutated_line))
def test_a_mutated_line_is_accepted_by_the_fast_path_only_as_the_exact_path_accepts_it(line):
    agree(line)


@pytest.mark.parametrize("kind", TRIED)
def test_the_fast_path_takes_the_usual_line_of_every_kind_it_tries(kind):
    """So the fast path is used at all: a plain valid line of each kind is its to take."""

    @settings(max_examples=300, deadline=None, database=None)
    @given(data_of(DATA_MODELS[kind]))
    def taken(data):
        line = json.dumps(
            {
                "id": "ev-1",
                "kind": kind,
                "case": "KZ-1",
                "occurred_at": "2024-04-01T16:30:00+05:00",
                "actor": {"id": "inv-301", "role": "investigator"},
                "data": data,
            }
        )
        if agree(line):
            accepted.append(line)

    accepted: list[str] = []
    taken()
    assert accepted, f"the fast path took no valid {kind} line"


def test_the_kinds_it_does_not_try_go_to_the_exact_path():
    for raw in BASE:
        line = json.dumps(raw)
        fast = parse_line(line, len(line))
        assert (fast is None) == (raw["kind"] in NOT_TRIED), raw["kind"]


@pytest.mark.parametrize(
    "line",
    [
        '{"id":"e","kind":"counsel.requested","case":"K","occurred_at":"2024-04-01T16:30:00+05:00",'
        '"actor":{"id":"i","role":"investigator"},"data":{"person":"p1\\u0000"}}',
        '{"id":"e","kind":"counsel.requested","case":"K","occurred_at":"2024-04-01T16:30:00+05:00",'
        '"actor":{"id":"i","role":"investigator"},"data":{"person":"p1\\n"}}',
        '{"id":"e","kind":"counsel.admitted","case":"K","occurred_at":"2024-04-01T16:30:00+05:00",'
        '"actor":{"id":"i","role":"investigator"},"data":{"person":"p1","lawyer":" Ivanov "}}',
    ],
)
def test_what_the_exact_path_must_judge_is_left_to_it(line):
    assert parse_line(line, len(line)) is None


def test_an_identifier_ending_in_a_newline_is_refused():
    """Python's `$` matches before a final newline: an id "ev-1\\n" was once stored."""
    line = json.dumps(
        {
            "id": "ev-1\n",
            "kind": "counsel.requested",
            "case": "KZ-1\n",
            "occurred_at": "2024-04-01T16:30:00+05:00",
            "actor": {"id": "inv\n", "role": "investigator"},
            "data": {"person": "p1"},
        }
    )
    with pytest.raises(Refused) as refused:
        parse_event(decode_line(line))
    assert {p.field for p in refused.value.problems} == {"id", "case", "actor.id"}


JSON_WITHOUT_FLOATS = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**19), 10**19) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=2000, deadline=None)
@given(JSON_WITHOUT_FLOATS)
def test_a_value_without_floats_has_one_canonical_spelling_with_either_encoder(value):
    assume_encodable(value)
    assert canonical_json(value, floats=False) == canonical_json(value)


def assume_encodable(value) -> None:
    try:
        canonical_json(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: never past the limits of a line
        assume(False)


def test_the_kinds_that_may_hold_a_float_are_known():
    """Bail's amount is a number that may be a fraction; a correction's data is any object."""
    assert set(DATA_MODELS) - KINDS_WITHOUT_FLOATS == {"bail.ordered", "record.corrected"}
