"""The log's contract, on SQLite and on PostgreSQL: append, chain, refuse, verify."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from habeas.db.engine import make_engine
from habeas.domain.events import Refused
from habeas.ledger import store
from habeas.ledger.chain import canonical_record
from habeas.services import maintenance
from habeas.services.register import Register
from tests.conftest import REGISTRAR, event, lines, one_case_lines

CASE = "KZ-2024-000777"


def opened(case=CASE, at="2024-03-01T09:00:00+05:00"):
    return event("report.received", {"channel": "in_person", "summary": "a phone stolen"}, case=case, at=at)


def test_one_case_imports_and_chains(register, engine):
    report = register.import_lines(one_case_lines(), REGISTRAR)
    assert (report.stored, report.skipped, report.errors) == (19, 0, [])
    result = maintenance.verify(engine)
    assert result.intact and result.count == 19 and result.head_position == 19
    with engine.connect() as conn:
        head = store.read_head(conn)
        rows = list(store.iter_rows(conn))
    assert head.hash.hex() == result.head_hash == rows[-1][11]
    assert [r[0] for r in rows] == list(range(1, 20))
    assert [r[3] for r in rows] == list(range(1, 20))  # one stream, versions 1..19


def test_stored_bytes_are_the_canonical_record(register, engine):
    register.import_lines(one_case_lines(), REGISTRAR)
    with engine.connect() as conn:
        row = next(store.iter_rows(conn))
    import json

    record = dict(zip(store.COLUMNS, row[:11], strict=True))
    reference = {
        "actor": json.loads(record["actor"]),
        "data": json.loads(record["data"]),
        "id": record["event_id"],
        "kind": record["kind"],
        "occurred_at": record["occurred_at"],
        "offset": record["utc_offset"],
        "position": record["position"],
        "recorded_at": record["recorded_at"],
        "registrar": json.loads(record["registrar"]),
        "stream": record["stream"],
        "version": record["version"],
    }
    from habeas.ledger.chain import GENESIS, link

    assert link(GENESIS, canonical_record(reference)).hex() == row[11]
    assert record["occurred_at"] == "2024-04-01T04:00:00Z" and record["utc_offset"] == "+05:00"


def test_resending_an_id_is_a_no_op(register, engine):
    first = register.submit(opened() | {"id": "e-1"})
    again = register.submit(opened() | {"id": "e-1"})
    assert (first.status, again.status) == ("stored", "skipped")
    assert maintenance.verify(engine).count == 1


def test_custody_order_by_an_investigator_is_refused_and_stores_nothing(register, engine):
    register.submit(opened())
    with pytest.raises(Refused) as refused:
        register.submit(event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}))
    assert refused.value.problems[0].field == "actor.role"
    assert "investigating_judge" in refused.value.problems[0].reason
    assert maintenance.verify(engine).count == 1


def test_custody_order_is_the_trial_courts_once_the_case_is_before_it(register):
    register.submit(opened())
    register.submit(event("party.added", {"person": "P1", "role": "suspect", "name": "A B"}))  # acts name a party
    order = {"person": "P1", "until": "2024-05-01T10:00:00+05:00"}
    assert register.submit(event("custody.ordered", order, role="investigating_judge", actor="ij-1")).status == "stored"
    register.submit(event("case.sent_to_court", {"court": "court-1"}, role="prosecutor", actor="pr-1"))
    with pytest.raises(Refused):
        register.submit(event("custody.extended", order, role="investigating_judge", actor="ij-1"))
    assert register.submit(event("custody.extended", order, role="judge", actor="j-1")).status == "stored"


def test_event_on_an_unknown_case_is_refused(register):
    with pytest.raises(Refused) as refused:
        register.submit(event("person.detained", {"person": "P1", "place": "street"}, case="KZ-NOPE"))
    assert refused.value.problems[0].field == "case"


def test_stream_version_is_unique(register, engine):
    register.submit(opened())
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (position, event_id, stream, version, kind, occurred_at, utc_offset,"
                " recorded_at, actor, data, hash) VALUES (99, 'x', :s, 1, 'report.received', 't', '+00:00',"
                " 't', '{}', '{}', 'h')"
            ),
            {"s": CASE},
        )


def test_concurrent_appends_keep_one_order(db_url, law, clock):
    """Writers in parallel threads: every event lands, positions are 1..N, the chain holds."""
    engine = make_engine(db_url)
    Register(engine, law, clock).submit(opened())
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        register = Register(make_engine(db_url), law, clock)
        try:
            for n in range(10):
                register.submit(event("party.added", {"person": f"W{worker}-{n}", "role": "witness", "name": "W"}))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = maintenance.verify(engine)
    assert result.intact and result.count == 41
    with engine.connect() as conn:
        versions = [r[3] for r in store.iter_rows(conn)]
    assert versions == list(range(1, 42))
    engine.dispose()


@pytest.mark.parametrize(
    "tamper, bad",
    [
        ("UPDATE events SET data = replace(data, 'street', 'strEet') WHERE position = 5", 5),
        ("UPDATE events SET kind = 'person.delivered' WHERE position = 5", 5),
        ("UPDATE events SET occurred_at = '2024-04-01T13:00:00Z' WHERE position = 5", 5),
        ("UPDATE events SET utc_offset = '+06:00' WHERE position = 7", 7),
        ("UPDATE events SET actor = replace(actor, 'inv-301', 'inv-302') WHERE position = 3", 3),
        ("UPDATE events SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE position = 9", 9),
        ("DELETE FROM events WHERE position = 4", 4),
        ("DELETE FROM events WHERE position = 19", 19),
    ],
)
def test_verify_finds_the_first_changed_record(register, engine, tamper, bad):
    register.import_lines(one_case_lines(), REGISTRAR)
    with engine.begin() as conn:
        conn.execute(text(tamper))
    result = maintenance.verify(engine)
    assert not result.intact
    assert result.bad_position == bad


def test_verify_finds_two_swapped_records(register, engine):
    register.import_lines(one_case_lines(), REGISTRAR)
    with engine.begin() as conn:
        conn.execute(text("UPDATE events SET position = -6 WHERE position = 6"))
        conn.execute(text("UPDATE events SET position = 6 WHERE position = 7"))
        conn.execute(text("UPDATE events SET position = 7 WHERE position = -6"))
    result = maintenance.verify(engine)
    assert result.bad_position == 6


def test_import_is_all_or_nothing(register, engine):
    good = one_case_lines()
    bad = [
        *good[:5],
        "{not json",
        '{"kind": "person.teleported", "case": "KZ-2024-000123", "occurred_at": "2024-04-01T17:00:00+05:00",'
        ' "actor": {"id": "a", "role": "investigator"}, "data": {}}',
        *lines(
            event("person.detained", {"person": "P1", "place": "x"}, case="KZ-2024-000123", at="2024-04-01T17:00:00")
        ),
        *good[5:],
    ]
    report = register.import_lines(bad, REGISTRAR)
    assert not report.ok and report.stored == 0
    listed = [text for err in report.errors for text in err.lines()]
    assert listed[0].startswith("line 6: json: not valid JSON")
    assert listed[1].startswith("line 7: kind: unknown kind 'person.teleported'")
    assert listed[2].startswith("line 8: occurred_at:") and "offset" in listed[2]
    assert maintenance.verify(engine).count == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM cases")).scalar() == 0


def test_rebuild_gives_identical_projections(register, engine, law):
    register.import_lines(one_case_lines(), REGISTRAR)
    register.submit(opened(case="KZ-2024-000900"))

    def snapshot():
        with engine.connect() as conn:
            cases = conn.execute(text('SELECT * FROM cases ORDER BY "case"')).fetchall()
            deadlines = conn.execute(
                text(
                    'SELECT "case", code, person, started_at, due_at, met_at, finding FROM deadlines'
                    ' ORDER BY "case", code, person, started_at, finding'
                )
            ).fetchall()
        return [tuple(r) for r in cases], [tuple(r) for r in deadlines]

    before = snapshot()
    assert maintenance.rebuild(engine, law) == 20
    assert snapshot() == before
    assert len(before[0]) == 2


def test_an_incomplete_rights_explanation_is_recorded_and_judged_not_refused(register, engine):
    register.submit(opened())
    register.submit(event("party.added", {"person": "P1", "role": "suspect", "name": "A B"}))  # acts name a party
    register.submit(event("person.detained", {"person": "P1", "place": "street"}))
    outcome = register.submit(event("rights.explained", {"person": "P1", "rights": ["counsel"]}))
    assert outcome.status == "stored" and outcome.event.data["rights"] == ["counsel"]
    with pytest.raises(Refused) as refused:
        register.submit(event("rights.explained", {"person": "P1", "rights": []}))
    assert refused.value.problems[0].field == "data.rights"


def test_import_reports_its_progress_in_bytes_read_then_cases_judged(register):
    from tests.conftest import ONE_CASE

    read: list[int] = []
    judged: list[tuple[int, int]] = []
    with ONE_CASE.open(encoding="utf-8") as handle:
        register.import_lines(handle, REGISTRAR, progress=read.append, judging=lambda d, t: judged.append((d, t)))
    assert sum(read) == ONE_CASE.stat().st_size
    assert judged[-1] == (1, 1)


def test_look_ups_by_many_values_find_exactly_those(register, engine):
    """The adapter's `among`: on PostgreSQL the values go as one text split by the server, or as an
    array when one of them holds the separator (or is all there is, and empty)."""
    register.import_lines(lines(opened()), REGISTRAR)
    with engine.connect() as conn:
        (stored,) = [row[1] for row in store.iter_rows(conn)]
        for asked in ([stored, "x\x1fy"], [stored, "", "nope"], [""], [stored]):
            assert set(store.stored_contents(conn, asked)) == {stored} & set(asked)
        assert list(store.streams_rows(conn, ["", CASE, "\x1f"])) == [CASE]


def test_rows_read_as_copy_text_are_the_rows_selected(register, engine):
    """`store.streams_text` + `rows_of_text` (PostgreSQL: how an import's judging pool gets
    the rows it reads back) give exactly `streams_rows`, escapes and NULLs included."""
    if engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    odd = 'back\\slash "quoted" tab\there new\nline \\N é 漢 \x7f'
    register.import_lines(lines(opened(), opened(case="KZ-2024-000778")), REGISTRAR)
    register.submit(event("party.added", {"person": "P1", "role": "suspect", "name": odd}, case=CASE))  # no registrar
    with engine.connect() as conn:
        streams = [CASE, "KZ-2024-000778", "KZ-none"]
        selected = store.streams_rows(conn, streams)
        assert any(row[9] is None for row in selected[CASE]) and any("\\\\" in row[10] for row in selected[CASE])
        assert store.rows_of_text(store.streams_text(conn, streams)) == selected
        assert store.rows_of_text(store.streams_text(conn, [])) == {}
