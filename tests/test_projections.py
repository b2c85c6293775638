"""Projections follow the log: written with each append, caught up when left behind, rebuilt alike."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, text

from habeas.projections import cases, registry
from habeas.projections.base import EventProjection
from habeas.services import maintenance, queries
from habeas.services.register import Register
from tests.conftest import REGISTRAR, event, one_case_lines
from tests.test_alerts import detention_case
from tests.test_cli import habeas

LATER = datetime.fromisoformat("2024-03-04T12:00:00+05:00")


def import_cases(register, *numbers):
    for n in numbers:
        register.import_lines([json.dumps(e) for e in detention_case(case=f"KZ-2024-00{n}")], REGISTRAR)


def tracked(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT name, position FROM projection_positions")).fetchall())


def snapshot(engine):
    with engine.connect() as conn:
        rows = conn.execute(text('SELECT * FROM cases ORDER BY "case"')).fetchall()
        found = conn.execute(
            text(
                'SELECT "case", code, person, due_at, settled_at, urgent_at, finding FROM deadlines ORDER BY 1, 2, 3, 7'
            )
        ).fetchall()
    return [tuple(r) for r in rows], [tuple(r) for r in found]


def test_every_projection_reads_up_to_the_head_in_the_appends_transaction(register, engine):
    import_cases(register, 1)
    register.submit(event("person.released", {"person": "P1", "ground": "x"}, case="KZ-2024-001"))
    assert tracked(engine) == {"cases": 5, "deadlines": 5, "episodes": 5}
    assert maintenance.behind(engine) == {}


def test_a_projection_left_behind_is_caught_up_before_alerts_and_case_list_answer(engine, db_url, law, clock):
    """A register that writes only the case list leaves `deadlines` behind; the next command catches it up."""
    Register(engine, law, clock, projections=(cases.PROJECTION,)).import_lines(
        [json.dumps(e) for e in detention_case(case="KZ-2024-001")], REGISTRAR
    )
    assert maintenance.behind(engine) == {"deadlines": 0, "episodes": 0}
    assert queries.alert_rows(engine, LATER) == []  # the projection itself does not know yet
    shown = json.loads(habeas("alerts", "--json", "--at", LATER.isoformat(), db=db_url).stdout)
    assert ("KZ-2024-001", "KZ-DETENTION-LIMIT", "breached") in {(a["case"], a["code"], a["status"]) for a in shown}
    assert maintenance.behind(engine) == {}
    assert tracked(engine) == {"cases": 4, "deadlines": 4, "episodes": 4}


def test_rebuild_catch_up_completes_a_projection_left_partly_behind(engine, db_url, law, clock):
    import_cases(Register(engine, law, clock), 1)
    import_cases(Register(engine, law, clock, projections=(cases.PROJECTION,)), 2)
    assert maintenance.behind(engine) == {"deadlines": 4, "episodes": 4}
    done = habeas("rebuild", "--catch-up", db=db_url).stdout
    assert done.strip().splitlines() == [
        "caught up deadlines from position 4 to 8",
        "caught up episodes from position 4 to 8",
    ]
    caught_up = snapshot(engine)
    assert {row[0] for row in caught_up[1]} == {"KZ-2024-001", "KZ-2024-002"}
    assert habeas("rebuild", "--catch-up", db=db_url).stdout.strip() == "projections up to date at position 8"
    assert habeas("rebuild", db=db_url).stdout.strip() == "rebuilt projections from 8 events"
    assert snapshot(engine) == caught_up


def test_the_next_append_catches_up_a_projection_left_behind(engine, law, clock):
    import_cases(Register(engine, law, clock, projections=(cases.PROJECTION,)), 1)
    import_cases(Register(engine, law, clock), 2)
    assert tracked(engine) == {"cases": 8, "deadlines": 8, "episodes": 8}
    limits = {a["case"] for a in queries.alert_rows(engine, LATER, code="KZ-DETENTION-LIMIT")}
    assert limits == {"KZ-2024-001", "KZ-2024-002"}


def test_alerts_and_case_show_reflect_what_the_command_before_stored(tmp_path, db_url):
    lines = tmp_path / "detention.jsonl"
    lines.write_text("\n".join(json.dumps(e) for e in detention_case(case="KZ-2024-001")) + "\n")
    habeas("import", str(lines), db=db_url)
    at = ("--at", LATER.isoformat(), "--code", "KZ-DETENTION-LIMIT", "--json")
    assert [a["status"] for a in json.loads(habeas("alerts", *at, db=db_url).stdout)] == ["breached"]
    release = event(
        "person.released", {"person": "P1", "ground": "x"}, case="KZ-2024-001", at="2024-03-02T10:00:00+05:00", id="r"
    )
    lines.write_text(json.dumps(release) + "\n")
    habeas("import", str(lines), db=db_url)
    assert json.loads(habeas("alerts", *at, db=db_url).stdout) == []
    file = json.loads(habeas("case", "show", "KZ-2024-001", "--json", "--at", LATER.isoformat(), db=db_url).stdout)
    assert file["events"][-1]["id"] == "r"
    assert "KZ-DETENTION-LIMIT" not in {f["code"] for f in file["findings"]}


def test_an_event_projection_reads_the_events_of_its_kinds_once_in_log_order(engine, law, clock):
    seen: list[tuple[int, str]] = []
    detentions = EventProjection(
        name="test-detentions",
        tables=(),
        kinds=frozenset({"person.detained"}),
        apply=lambda conn, events, law: seen.extend((e.position, e.id) for e in events),
    )
    everything = (*registry.ALL, detentions)
    import_cases(Register(engine, law, clock, projections=everything), 1)
    assert seen == [(4, "KZ-2024-001-4")]
    import_cases(Register(engine, law, clock, projections=registry.ALL), 2)  # leaves it behind
    import_cases(Register(engine, law, clock, projections=everything), 3)  # catches it up, then goes on
    assert seen == [(4, "KZ-2024-001-4"), (8, "KZ-2024-002-4"), (12, "KZ-2024-003-4")]
    assert tracked(engine)["test-detentions"] == 12
    seen.clear()
    with engine.begin() as conn:
        assert registry.rebuild(conn, law, [detentions]) == 12
    assert [position for position, _ in seen] == [4, 8, 12]


def test_a_large_import_judged_in_a_pool_of_processes_projects_what_one_process_does(db_url, law, clock, monkeypatch):
    """The pool (forked processes fold and judge, this one reads and writes) changes no row."""
    from habeas.db.engine import make_engine, migrate
    from habeas.services import register as register_module
    from habeas.simulator import generate

    monkeypatch.setattr(register_module, "POOL_MIN_CASES", 2)
    monkeypatch.setattr(registry, "CHUNK", 7)  # several chunks in flight
    lines = [json.dumps(e) for e in generate(events=600, seed=3)]
    found = []
    for processes in (0, 2):
        engine = make_engine(db_url)
        migrate(engine)
        with engine.begin() as conn:  # the same import again, into an empty register
            for table in ("deadlines", "cases", "projection_positions", "chain_head", "events"):
                conn.execute(text(f"DELETE FROM {table}"))
        report = Register(engine, law, clock, judging_processes=processes).import_lines(lines, REGISTRAR)
        assert report.ok and report.stored == 600
        found.append(snapshot(engine))
        engine.dispose()
    assert found[0] == found[1]
    assert found[0][1]  # the cases have findings


def test_cases_projected_from_held_rows_project_what_reading_them_back_does(db_url, law, clock, monkeypatch):
    """A batch projects the cases it created from the rows it holds, and beyond HOLD_ROWS writes
    the least recently touched ones' rows to a file (read from there at the end): no row differs
    from projecting every case from the log, in one process or in the pool."""
    from habeas.db.engine import make_engine, migrate
    from habeas.services import register as register_module
    from habeas.simulator import generate

    monkeypatch.setattr(register_module, "POOL_MIN_CASES", 2)
    monkeypatch.setattr(registry, "CHUNK", 7)
    monkeypatch.setattr(register_module, "CHUNK", 50)  # a flush (and so held cases let go) every 50 lines
    lines = [json.dumps(e) for e in generate(events=600, seed=5)]
    found = []
    for hold, processes in ((10**9, 0), (1, 0), (40, 0), (40, 2)):
        monkeypatch.setattr(register_module, "HOLD_ROWS", hold)
        engine = make_engine(db_url)
        migrate(engine)
        with engine.begin() as conn:
            for table in ("stat_episodes", "deadlines", "cases", "projection_positions", "chain_head", "events"):
                conn.execute(text(f"DELETE FROM {table}"))
        report = Register(engine, law, clock, judging_processes=processes).import_lines(lines[:500], REGISTRAR)
        assert report.ok
        # the second import touches cases the first created (read back, not held)
        assert Register(engine, law, clock, judging_processes=processes).import_lines(lines[500:], REGISTRAR).ok
        with engine.connect() as conn:
            episodes = conn.execute(
                text('SELECT "case", episode, person, started_at, ended_at FROM stat_episodes ORDER BY 1, 2, 3, 4, 5')
            ).fetchall()
            assert maintenance.behind(engine) == {}
        found.append((snapshot(engine), [tuple(r) for r in episodes]))
        engine.dispose()
    assert all(f == found[0] for f in found[1:])
    assert found[0][0][1]  # the cases have findings


def test_a_group_commit_projects_what_a_rebuild_does_and_answers_each_event(register, engine, law):
    """`submit_group`: a case opened and followed in one group (folded from the rows the batch
    holds), one refused by the law, one of no case, one re-sent: each its own answer, and the
    projections are what reading the whole log again gives."""
    from habeas.domain.events import Refused
    from habeas.services.register import Outcome

    first = detention_case(case="KZ-2024-101")
    answers = register.submit_group([(raw, REGISTRAR) for raw in first])
    assert [a.status for a in answers] == ["stored"] * 4
    group = [
        *detention_case(case="KZ-2024-102"),  # a new case, whole
        event("person.released", {"person": "P1", "ground": "x"}, case="KZ-2024-101", id="g-rel"),
        event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, case="KZ-2024-101"),
        event("relatives.notified", {"person": "P1"}, case="KZ-2024-999", id="g-none"),
        first[0],  # sent again
    ]
    answers = register.submit_group([(raw, REGISTRAR) for raw in group])
    assert [a.status for a in answers[:5]] == ["stored"] * 5
    assert isinstance(answers[5], Refused) and answers[5].problems[0].field == "actor.role"
    assert isinstance(answers[6], Refused) and answers[6].problems[0].field == "case"
    assert isinstance(answers[7], Outcome) and answers[7].status == "skipped" and answers[7].event.position == 1
    assert maintenance.behind(engine) == {}
    projected = snapshot(engine)
    assert {row[0] for row in projected[0]} == {"KZ-2024-101", "KZ-2024-102"}
    with engine.begin() as conn:
        registry.rebuild(conn, law)
    assert snapshot(engine) == projected


# --- the case file's findings, read from the deadlines projection --------------------------


def case_findings(engine, law, case, at):
    from habeas.access.facts import Principal

    reader = Principal("local", "admin", "local")
    return queries.case_file(engine, law, case, reader, "test", at, at)["findings"]


def judged(engine, law, case, at):
    """What judging the case from its log gives (the case file before it read the projection)."""
    from habeas.domain.case import fold_all
    from habeas.law.rules import judge
    from habeas.ledger import store

    with engine.connect() as conn:
        state = fold_all(store.stream_events(conn, case))
    return [f.to_dict(at) for f in judge(state, law, at)]


def not_called(*args, **kwargs):
    raise AssertionError("not to be called here")


def test_a_case_files_findings_read_from_the_projection_are_those_the_judge_gives(engine, law, clock, monkeypatch):
    """Every case of a simulated caseload (breaches, corrections, several suspects, appeals):
    the case file, which reads its findings from the deadlines projection when every fact
    had occurred by `at`, shows what judging the case from its log shows, in the same order."""
    from habeas.simulator import generate

    lines = [json.dumps(e) for e in generate(cases=120, seed=7, breach_rate=0.3)]
    Register(engine, law, clock).import_lines(lines, REGISTRAR)
    with engine.connect() as conn:
        listed = [c for (c,) in conn.execute(text('SELECT "case" FROM cases ORDER BY "case"'))]
    assert len(listed) == 120
    end = datetime.fromisoformat("2030-01-01T00:00:00+05:00")
    compared = 0
    monkeypatch.setattr(queries, "judge", not_called)  # every finding shown comes from the projection
    for case in listed:
        shown = case_findings(engine, law, case, end)
        assert shown == judged(engine, law, case, end), case
        compared += len(shown)
    assert compared > 100  # the caseload has findings to compare


def test_a_case_file_as_of_a_time_before_its_last_fact_is_judged_from_the_log(engine, law, clock, monkeypatch):
    """The projection judged every fact; as of a time before some of them, the case is judged."""
    from habeas.projections import deadlines

    import_cases(Register(engine, law, clock), 1)
    later = case_findings(engine, law, "KZ-2024-001", LATER)
    monkeypatch.setattr(deadlines, "stored", not_called)
    early = datetime.fromisoformat("2024-03-01T09:59:00+05:00")  # before the detention
    shown = case_findings(engine, law, "KZ-2024-001", early)
    assert shown == judged(engine, law, "KZ-2024-001", early)
    assert shown != later  # the detention, after `early`, changes them


def test_a_case_file_is_judged_from_the_log_while_the_projection_is_behind(engine, law, clock):
    """A projection that has not read the case's last event is not trusted: the case is judged."""
    Register(engine, law, clock, projections=(cases.PROJECTION,)).import_lines(
        [json.dumps(e) for e in detention_case(case="KZ-2024-001")], REGISTRAR
    )
    assert maintenance.behind(engine)["deadlines"] == 0
    shown = case_findings(engine, law, "KZ-2024-001", LATER)
    assert ("KZ-DETENTION-LIMIT", "breached") in {(f["code"], f["status"]) for f in shown}
    assert shown == judged(engine, law, "KZ-2024-001", LATER)


# --- the law a projection was judged under ----------------------------------------------


def shorter_detention(law):
    """The package with the adult detention limit cut to 24 hours from 2024 (a what-if)."""
    from habeas.law.package import Overlay

    change = {"detention.limit.adult": [{"value": 24, "valid_from": "2024-01-01", "note": "a what-if"}]}
    return law.with_overlay(Overlay.parse({"name": "shorter", "parameters": change}))


def judged_under(engine) -> set:
    with engine.connect() as conn:
        return {law for (law,) in conn.execute(text("SELECT law FROM projection_positions"))}


def due_of(engine, code):
    with engine.connect() as conn:
        return conn.execute(text("SELECT due_at FROM deadlines WHERE code = :c"), {"c": code}).scalar()


def test_a_projection_judged_under_another_law_is_judged_again_by_the_next_append(engine, law, clock):
    """The digest of the law is kept with each position; when the law changes, the next append
    rebuilds what was judged under the old one, and case show never serves it meanwhile."""
    import_cases(Register(engine, law, clock), 1)
    assert judged_under(engine) == {law.digest}
    before = due_of(engine, "KZ-DETENTION-LIMIT")
    other = shorter_detention(law)
    assert other.digest != law.digest
    # read under the other law before any append: judged, not taken from the projection
    shown = case_findings(engine, other, "KZ-2024-001", LATER)
    assert shown == judged(engine, other, "KZ-2024-001", LATER)
    limit = next(f for f in shown if f["code"] == "KZ-DETENTION-LIMIT")
    assert limit["due_at"] == "2024-03-02T10:00:00+05:00"  # 24 hours after the detention
    assert maintenance.behind(engine, other.digest) == {"cases": 0, "deadlines": 0, "episodes": 0}
    assert maintenance.behind(engine, law.digest) == {}
    # the next append under the other law rebuilds every projection
    import_cases(Register(engine, other, clock), 2)
    assert judged_under(engine) == {other.digest}
    assert due_of(engine, "KZ-DETENTION-LIMIT") != before
    assert maintenance.behind(engine) == {}


def test_positions_written_before_the_law_was_recorded_are_rebuilt_once(engine, law, clock):
    """A database migrated from before 0007 has no law for its positions: rebuilt once."""
    register = Register(engine, law, clock)
    import_cases(register, 1)
    with engine.begin() as conn:
        conn.execute(text("UPDATE projection_positions SET law = NULL"))
        conn.execute(text("DELETE FROM deadlines"))  # rows the old law wrote, gone: the rebuild brings them back
    import_cases(register, 2)
    assert judged_under(engine) == {law.digest}
    with engine.connect() as conn:
        cases_with_deadlines = conn.execute(text('SELECT count(DISTINCT "case") FROM deadlines')).scalar()
    assert cases_with_deadlines == 2


def test_the_board_and_the_case_list_catch_up_what_another_law_judged(engine, law, clock):
    """Before answering from the projections (`maintenance.current`), those judged under
    another law are rebuilt: the board shows what the law in force now says."""
    import_cases(Register(engine, law, clock), 1)
    before = due_of(engine, "KZ-DETENTION-LIMIT")
    other = shorter_detention(law)
    assert maintenance.current(engine, lambda: other) == {"cases": 0, "deadlines": 0, "episodes": 0}
    assert judged_under(engine) == {other.digest}
    assert due_of(engine, "KZ-DETENTION-LIMIT") != before
    assert maintenance.current(engine, lambda: other, lambda: other.digest) == {}  # one query, nothing to do


def every_projection(engine) -> dict[str, list[tuple]]:
    """Every row of every table of every registered projection, in a stable order (without
    the surrogate row numbers a database hands out)."""
    with engine.connect() as conn:
        return {
            table.name: sorted(
                tuple(map(str, row))
                for row in conn.execute(select(*(c for c in table.columns if not (c.primary_key and c.name == "id"))))
            )
            for projection in registry.ALL
            for table in projection.tables
        }


def test_a_rebuild_of_every_registered_projection_gives_what_the_appends_projected(register, engine, law):
    """Whatever projection is registered, appending event by event and reading the whole log
    again agree, table by table: a new projection is covered without a new test."""
    lines = one_case_lines()
    for line in lines:
        register.submit(json.loads(line))
    again = [json.loads(line) for line in lines[:6]]  # a second case, released on the day
    for raw in again:
        raw.update(case="KZ-2024-000321", id=raw["id"] + "-b")
    for raw in again:
        register.submit(raw)
    register.submit(event("person.released", {"person": "P1", "ground": "x"}, case="KZ-2024-000321"))
    projected = every_projection(engine)
    assert all(projected.values()), {name for name, rows in projected.items() if not rows}
    with engine.begin() as conn:
        registry.rebuild(conn, law)
    assert every_projection(engine) == projected


def test_a_few_cases_rows_are_written_only_where_they_changed(engine):
    """`replace_cases` on a submit's few cases: a row as stored stays (its id too), a changed
    one is updated in place, the rest deleted or inserted after; what is left is what deleting
    and inserting every row gives, in the same order within each case."""
    from habeas.ledger import store
    from habeas.projections.base import replace_cases

    columns = ("case", "code", "person", "started_at", "due_at", "met_at", "kind", "settled_at", "urgent_at", "finding")

    def row(case, code, finding="{}"):
        return (case, code, None, None, None, None, "deadline", None, None, finding)

    def stored(conn):
        found = store.run(conn, 'SELECT id, "case", code, finding FROM deadlines ORDER BY "case", id').fetchall()
        return [tuple(r) for r in found]

    with engine.begin() as conn:
        replace_cases(conn, "deadlines", columns, [], [row("A", "a1"), row("A", "a2"), row("B", "b1"), row("C", "c1")])
        before = {r[2]: r[0] for r in stored(conn)}
        new = [row("A", "a1"), row("A", "a2", '{"x": 1}'), row("A", "a3"), row("D", "d1")]  # B: none now
        replace_cases(conn, "deadlines", columns, ["A", "B", "C"], new)
        after = stored(conn)
    assert [r[1:] for r in after] == [("A", "a1", "{}"), ("A", "a2", '{"x": 1}'), ("A", "a3", "{}"), ("D", "d1", "{}")]
    ids = {r[2]: r[0] for r in after}
    assert ids["a1"] == before["a1"] and ids["a2"] == before["a2"]  # kept, and changed in place
    assert ids["a3"] > ids["a2"]
