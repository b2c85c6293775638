"""Every read path goes through the policy and leaves one chained read record; a refused
attempt leaves one too, and nothing else; the read log's chain catches any change."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from habeas.access.facts import Principal
from habeas.db.schema import events, reads
from habeas.services import guard, lists, maintenance, queries
from tests.conftest import NOW, OPERATOR, REGISTRAR, one_case_lines

CASE = "KZ-2024-000123"
AT = datetime(2024, 4, 3, tzinfo=UTC)
OMBUDSMAN = Principal("omb-1", "ombudsman", "ombudsman-office")
STRANGER = Principal("inv-9", "investigator", "police-almaty", "almaty")

# Every read of personal data a driver can ask for: (name, call, read records it leaves).
READ_PATHS = {
    "case file": (lambda e, law: queries.case_file(e, law, CASE, OPERATOR, "review", AT, NOW), 1),
    "alerts (one case listed)": (lambda e, law: queries.alerts(e, AT, reader=OPERATOR, law=law, now=NOW), 1),
    "case list (one case listed)": (lambda e, law: queries.listed_cases(e, law, OPERATOR, NOW), 1),
    "reads of a case": (lambda e, law: queries.who_read(e, law, OPERATOR, NOW, CASE), 1),
    "unassigned reads": (lambda e, law: queries.who_read(e, law, OMBUDSMAN, NOW, unassigned=True), 1),
    "export, import format": (lambda e, law: list(maintenance.export_lines(e, law, OPERATOR, NOW)), 1),
    "export, stored records": (lambda e, law: list(maintenance.export_lines(e, law, OPERATOR, NOW, "log")), 1),
    "a form's local time": (
        lambda e, law: queries.case_region(e, law, CASE, OPERATOR, NOW, "record: person.detained"),
        1,
    ),
}
# Public functions of the read services that hand out no person's data, and the one that
# does unguarded (the projection's rows, for its tests and the bench: no driver calls it).
# `case_list` and `alert_rows` are the projections' rows unguarded: the drivers list cases
# through `listed_cases` (the policy, a record per case) and alerts through `alerts`.
# `parties_of`: the persons a read record names, for the record (no driver calls it).
NOT_A_READ_OF_A_PERSON = {"event_view", "case_list", "count_cases", "count_alerts", "alert_rows", "parties_of"}
DRIVERS = ("cli", "demo.py", "presentation", "api", "web")


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(reads)).scalar_one()


@pytest.fixture
def recorded(register, engine):
    assert register.import_lines(one_case_lines(), REGISTRAR).ok
    return engine


@pytest.mark.parametrize("path", READ_PATHS)
def test_each_read_path_appends_its_read_records(recorded, law, path):
    call, records = READ_PATHS[path]
    before = _count(recorded)
    call(recorded, law)
    assert _count(recorded) == before + records
    assert maintenance.verify(recorded).intact


def test_no_read_service_is_left_out_of_the_read_paths():
    public = set()
    for module in (queries, lists):
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        public |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    assert public - NOT_A_READ_OF_A_PERSON == {"case_file", "alerts", "who_read", "listed_cases", "case_region"}
    root = Path(queries.__file__).parents[1]
    for driver in DRIVERS:
        for file in (root / driver).rglob("*.py") if (root / driver).is_dir() else [root / driver]:
            text = file.read_text(encoding="utf-8")
            assert "alert_rows" not in text and "parties_of" not in text, file
            assert "queries.case_list(" not in text and "lists.case_list(" not in text, file


def test_a_refused_read_is_recorded_and_shows_nothing(recorded, law):
    before = _count(recorded)
    with pytest.raises(guard.Refused, match="^refused: case:read on KZ-2024-000123 needs the right"):
        queries.case_file(recorded, law, CASE, STRANGER, "curiosity", AT, NOW)
    with recorded.connect() as conn:
        row = conn.execute(select(reads).order_by(reads.c.id.desc())).first()
        stored = conn.execute(select(func.count()).select_from(events)).scalar_one()
    assert _count(recorded) == before + 1 and stored == 19
    assert (row.actor_id, row.allowed, row.assigned, row.case) == ("inv-9", False, False, CASE)
    assert row.reason.startswith("refused: case:read")


def test_a_read_without_a_purpose_is_refused(recorded, law):
    with pytest.raises(guard.Refused, match="needs a purpose"):
        queries.case_file(recorded, law, CASE, OPERATOR, "  ", AT, NOW)


def test_a_case_that_does_not_exist_is_refused_like_another_s_to_whom_may_not_read_it(recorded, law):
    with pytest.raises(guard.Refused, match="KZ-NOWHERE"):
        queries.case_file(recorded, law, "KZ-NOWHERE", STRANGER, "curiosity", AT, NOW)
    with pytest.raises(queries.UnknownCase):
        queries.case_file(recorded, law, "KZ-NOWHERE", OPERATOR, "review", AT, NOW)


def test_an_alert_board_shows_only_the_cases_one_may_read(recorded, law):
    assert queries.alerts(recorded, AT, reader=STRANGER, law=law, now=NOW) == []
    assert {a["case"] for a in queries.alerts(recorded, AT, reader=OPERATOR, law=law, now=NOW)} == {CASE}


def test_the_ombudsman_reads_the_detention_section_of_a_file(recorded, law):
    file = queries.case_file(recorded, law, CASE, OMBUDSMAN, "monitoring", AT, NOW)
    assert file["section"] == "detention_and_complaints"
    kinds = {e["kind"] for e in file["events"]}
    assert "person.detained" in kinds and "suspicion.qualified" not in kinds


def test_unassigned_reads_are_what_monitors_see(recorded, law):
    queries.case_file(recorded, law, CASE, OPERATOR, "review", AT, NOW)
    found = queries.who_read(recorded, law, OMBUDSMAN, NOW, unassigned=True)
    assert [(r["actor"]["id"], r["what"], r["assigned"]) for r in found] == [("operator", "case_file", False)]
    later = queries.who_read(recorded, law, OMBUDSMAN, NOW, unassigned=True, since=datetime(2030, 1, 1, tzinfo=UTC))
    assert later == []


COLUMNS = ("read_at", "actor_id", "actor_role", "actor_agency", "case", "what", "purpose", "action", "reason")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.integers(0, 5), column=st.sampled_from(COLUMNS))
def test_changing_any_read_record_breaks_the_read_log(sqlite_url, law, which, column):
    from habeas.db.engine import make_engine

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM reads"))
        conn.execute(text("DELETE FROM read_head"))
    for n in range(3):
        _refused_or_read(engine, law, n)  # two records each: a refused attempt or nothing, and a read
    assert maintenance.verify(engine).intact
    with engine.begin() as conn:
        value = "2001-01-01 00:00:00.000000" if column == "read_at" else "changed"
        conn.execute(text(f'UPDATE reads SET "{column}" = :v WHERE id = :id'), {"v": value, "id": which + 1})
    checked = maintenance.verify(engine)
    assert not checked.intact and checked.reads.broken.position == which + 1
    engine.dispose()


def _refused_or_read(engine, law, n):
    with pytest.raises(guard.Refused):
        queries.case_file(engine, law, f"KZ-{n}", STRANGER, "why", AT, NOW)
    queries.who_read(engine, law, OPERATOR, NOW, f"KZ-{n}")


def test_deleting_a_read_record_or_the_last_is_caught(recorded, law):
    for _ in range(3):
        queries.case_file(recorded, law, CASE, OPERATOR, "review", AT, NOW)
    with recorded.begin() as conn:
        conn.execute(text("DELETE FROM reads WHERE id = 2"))
    assert maintenance.verify(recorded).reads.broken.position == 2
    with recorded.begin() as conn:
        conn.execute(text("DELETE FROM reads WHERE id >= 2"))
    broken = maintenance.verify(recorded).reads.broken
    assert broken.position == 2 and "head says 3" in broken.reason


def test_reads_stored_before_the_chain_are_chained_by_init(sqlite_url):
    from habeas.db.engine import make_engine, migrate
    from habeas.services import setup

    engine = make_engine(sqlite_url)
    with engine.begin() as conn:
        for table in (
            "account_head",
            "accounts",
            "sessions",
            "stat_episodes",
            "stat_releases",
            "users",
            "read_head",
            "reads",
            "deadlines",
            "cases",
            "projection_positions",
            "chain_head",
            "events",
            "alembic_version",
        ):
            conn.execute(text(f"DROP TABLE {table}"))
    migrate(engine, "0003")
    with engine.begin() as conn:
        for n in (3, 7):  # ids with gaps, as a sequence leaves them
            conn.execute(
                text(
                    'INSERT INTO reads (id, read_at, actor_id, actor_role, "case", what, purpose)'
                    " VALUES (:id, '2025-01-01 10:00:00.000000', 'pr-1', 'prosecutor', 'KZ-1', 'case_file', 'x')"
                ),
                {"id": n},
            )
    assert (
        setup.prepare(engine) == "0012"
    )  # 0004 chains the reads; 0005 the statistics; 0006 sessions; 0007 the law of projections; 0008 releases;
    # 0009 the account log; 0010 read_after; 0011 the persons a read showed; 0012 releases withdrawn
    checked = maintenance.verify(engine)
    assert checked.intact and checked.reads.count == 2 and checked.reads.position == 2
    engine.dispose()


def test_the_read_log_is_its_own_chain_beside_the_events(recorded, law):
    head = maintenance.verify(recorded)
    queries.case_file(recorded, law, CASE, OPERATOR, "review", AT, NOW)
    again = maintenance.verify(recorded)
    assert (again.head_position, again.head_hash) == (head.head_position, head.head_hash)
    assert again.reads.position == head.reads.position + 1
    exported = [json.loads(x) for x in maintenance.export_lines(recorded, law, OPERATOR, NOW)]
    assert len(exported) == 19  # reads never enter the event log


def test_many_records_at_once_chain_as_one_at_a_time(engine):
    from habeas.db.adapters.postgresql import READS_CHUNK  # more than one chunk on PostgreSQL
    from habeas.db.engine import writer
    from habeas.ledger import reads as read_log

    records = [
        read_log.ReadRecord(NOW, f"r-{n}", "admin", None, f"KZ-{n}", "alerts", None) for n in range(READS_CHUNK + 5)
    ]
    with writer(engine).begin() as conn:
        assert read_log.append(conn, records[:1]) == 1
        assert read_log.append(conn, records[1:]) == len(records)
    checked = maintenance.verify(engine).reads
    assert checked.broken is None and checked.count == len(records)


def test_concurrent_reads_each_get_their_own_place_in_the_read_log(recorded, law):
    """Many readers at once (the API's threads): every read is recorded once, ids gapless,
    the chain intact. On PostgreSQL the head must be read after the lock is held."""
    from concurrent.futures import ThreadPoolExecutor

    before = _count(recorded)
    with ThreadPoolExecutor(max_workers=16) as pool:
        files = list(
            pool.map(lambda n: queries.case_file(recorded, law, CASE, OPERATOR, f"review {n}", AT, NOW), range(48))
        )
    assert all(f["case"] == CASE for f in files)
    assert _count(recorded) == before + 48
    with recorded.connect() as conn:
        ids = [row[0] for row in conn.execute(select(reads.c.id).order_by(reads.c.id))]
    assert ids == list(range(1, len(ids) + 1))
    assert maintenance.verify(recorded).intact


@pytest.mark.parametrize("case", ["KZ-" + "9" * 200, "KZ\x001", "KZ 1", ""], ids=["long", "nul", "space", "empty"])
def test_a_case_id_of_no_case_shape_is_refused_alike_on_both_stores(recorded, law, case):
    """An over-long id once answered 500 on PostgreSQL with no record (its case column holds
    160 characters), and a NUL cannot be stored there at all: refused before the database."""
    before = _count(recorded)
    with pytest.raises(queries.NotACaseId, match="is not a case number"):
        queries.case_file(recorded, law, case, OPERATOR, "review", AT, NOW)
    with pytest.raises(queries.NotACaseId):
        queries.who_read(recorded, law, OPERATOR, NOW, case)
    with pytest.raises(queries.NotACaseId):
        queries.who_read(recorded, law, OPERATOR, NOW, CASE, person=case or "P\x00")
    assert _count(recorded) == before


def test_a_forms_local_time_tells_a_cases_region_only_to_whom_may_read_or_record_on_it(recorded, law):
    """The region says that the case exists and where, as a row of the case list does: a read
    of the case naming its parties, and nothing at all to anyone else."""
    registrar = Principal("reg-1", "registrar", "ministry-records")  # records on any case, reads none
    before = _count(recorded)
    assert queries.case_region(recorded, law, CASE, STRANGER, NOW, "record: person.detained") is None
    assert queries.case_region(recorded, law, "KZ-NOWHERE", OPERATOR, NOW, "record: person.detained") is None
    assert queries.case_region(recorded, law, "KZ\x00", OPERATOR, NOW, "record: person.detained") is None
    assert _count(recorded) == before  # nothing was shown, nothing is recorded
    assert queries.case_region(recorded, law, CASE, OPERATOR, NOW, "record: person.detained") == "astana"
    assert queries.case_region(recorded, law, CASE, registrar, NOW, "record: person.detained") == "astana"
    with recorded.connect() as conn:
        rows = conn.execute(select(reads).where(reads.c.id > before).order_by(reads.c.id)).fetchall()
    assert [(r.actor_id, r.what, r.action, r.case, r.persons) for r in rows] == [
        ("operator", "case_region", "case:read", CASE, '["P1","V1"]'),
        ("reg-1", "case_region", "case:record", CASE, '["P1","V1"]'),
    ]
    assert maintenance.verify(recorded).intact
