"""Properties of the log, checked with Hypothesis."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from habeas.clock import FixedClock
from habeas.db.engine import make_engine, migrate
from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load
from habeas.ledger import store
from habeas.ledger.chain import canonical_record, canonical_row
from habeas.services import maintenance
from habeas.services.register import Register
from tests.conftest import NOW, OPERATOR, REGISTRAR, event, one_case_lines

LAW = load("kz")
CLOCK = FixedClock(datetime(2026, 11, 25, tzinfo=UTC))
TEXT_COLUMNS = [c for c in (*store.COLUMNS, "hash") if c not in ("position", "version")]


def _seeded(path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    Register(engine, LAW, CLOCK).import_lines(one_case_lines(), REGISTRAR)
    engine.dispose()


@settings(
    max_examples=int(os.environ.get("HABEAS_TAMPER_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    position=st.integers(1, 19),
    column=st.sampled_from(TEXT_COLUMNS),
    where=st.floats(0, 1, exclude_max=True),
    new=st.characters(codec="utf-8", exclude_categories=["Cs"]),
)
def test_any_changed_character_of_a_stored_event_is_found(tmp_path_factory, position, column, where, new):
    base = tmp_path_factory.getbasetemp() / "seeded.db"
    if not base.exists():
        _seeded(base)
    copy = tmp_path_factory.mktemp("t") / "habeas.db"
    shutil.copy(base, copy)
    with sqlite3.connect(copy) as conn:
        (value,) = conn.execute(f"SELECT {column} FROM events WHERE position = ?", (position,)).fetchone()
        index = int(where * len(value))
        if value[index] == new:
            new = "#" if new != "#" else "%"
        try:
            conn.execute(
                f"UPDATE events SET {column} = ? WHERE position = ?",
                (value[:index] + new + value[index + 1 :], position),
            )
        except sqlite3.IntegrityError:
            reject()  # the database itself refuses this change (a duplicate id or stream version)
    engine = make_engine(f"sqlite:///{copy}")
    result = maintenance.verify(engine)
    engine.dispose()
    assert result.bad_position == position


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)


@given(
    data=st.dictionaries(st.text(max_size=10), json_values, max_size=5),
    ident=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,20}", fullmatch=True),
    position=st.integers(1, 2**40),
)
def test_canonical_row_is_the_reference_canonical_json(data, ident, position):
    from habeas.ledger.chain import canonical_json

    actor = {"id": ident, "role": "investigator"}
    fields = dict(
        position=position,
        event_id=ident,
        stream=ident,
        version=3,
        kind="party.added",
        occurred_at="2024-01-01T00:00:00Z",
        utc_offset="+05:00",
        recorded_at="2026-01-01T00:00:00.5Z",
    )
    fast = canonical_row(**fields, actor=canonical_json(actor), registrar=None, data=canonical_json(data))
    reference = canonical_record(
        {
            **{("id" if k == "event_id" else "offset" if k == "utc_offset" else k): v for k, v in fields.items()},
            "actor": actor,
            "registrar": None,
            "data": data,
        }
    )
    assert fast == reference


def case_events():
    """A small valid case: opened, registered, parties, detentions and releases at random times."""
    start = datetime(2017, 12, 25, 9, tzinfo=UTC)

    @st.composite
    def build(draw):
        case = "KZ-H-" + draw(st.from_regex(r"[0-9]{4}", fullmatch=True))
        gaps = draw(st.lists(st.integers(0, 200), min_size=2, max_size=12))
        moments = []
        t = start
        for gap in gaps:
            t = t + timedelta(hours=gap)
            moments.append(t)
        offset = draw(st.sampled_from(["+05:00", "+06:00", "+00:00"]))
        out = [event("report.received", {"channel": "phone", "summary": "s"}, case=case, at=_at(moments[0], offset))]
        people = draw(st.lists(st.sampled_from(["P1", "P2", "P3"]), min_size=1, max_size=3, unique=True))
        for p in people:
            out.append(
                event(
                    "party.added",
                    {"person": p, "role": "suspect", "name": f"N {p}"},
                    case=case,
                    at=_at(moments[0], offset),
                )
            )
        for moment in moments[1:]:
            kind = draw(
                st.sampled_from(["person.detained", "person.released", "rights.explained", "relatives.notified"])
            )
            person = draw(st.sampled_from(people))
            data = {"person": person}
            if kind == "person.detained":
                data["place"] = "street"
            elif kind == "person.released":
                data["ground"] = "no grounds"
            elif kind == "rights.explained":
                data["rights"] = ["counsel", "silence", "interpreter"]
            out.append(event(kind, data, case=case, at=_at(moment, offset)))
        return [e | {"id": f"{case}-{i}"} for i, e in enumerate(out)]

    return build()


def _at(moment: datetime, offset: str) -> str:
    sign = 1 if offset[0] == "+" else -1
    delta = timedelta(hours=int(offset[1:3]))
    from datetime import timezone

    return moment.astimezone(timezone(sign * delta)).isoformat()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case_events(), min_size=1, max_size=3, unique_by=lambda c: c[0]["case"]))
def test_export_then_import_round_trips(tmp_path_factory, cases):
    folder = tmp_path_factory.mktemp("rt")
    first, second = (make_engine(f"sqlite:///{folder / name}") for name in ("a.db", "b.db"))
    for engine in (first, second):
        migrate(engine)
    report = Register(first, LAW, CLOCK).import_lines([json.dumps(e) for c in cases for e in c], REGISTRAR)
    assert report.ok, report.errors
    exported = list(maintenance.export_lines(first, LAW, OPERATOR, NOW))
    assert Register(second, LAW, CLOCK).import_lines(exported, REGISTRAR).stored == len(exported)
    assert list(maintenance.export_lines(second, LAW, OPERATOR, NOW)) == exported
    with first.connect() as a, second.connect() as b:
        for c in cases:
            left, right = fold_all(store.stream_events(a, c[0]["case"])), fold_all(store.stream_events(b, c[0]["case"]))
            assert left.summary() == right.summary()
    first.dispose()
    second.dispose()


@given(cases=case_events())
def test_folding_is_deterministic(cases):
    events = [parse_event(e) for e in cases]
    once, twice = fold_all(events), fold_all(list(events))
    assert once.summary() == twice.summary()
    assert [e.id for e in once.timeline] == [e.id for e in twice.timeline] == [e["id"] for e in cases]


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1,"b":[2.5,-0.0,-0,1E5,5e-324,123456789012345678901234567890],"c":"\\u00e9\\n","d":{"e":null}}',
        '{"nan":NaN,"inf":1e400,"lone":"\\udc00"}',  # json.loads takes these and msgspec does not
    ],
)
def test_stored_data_reads_as_json_loads_reads_it(text):
    assert repr(store.load_json(text)) == repr(json.loads(text))
