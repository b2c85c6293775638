"""A bulk import on SQLite builds its projections' read indexes once, at the end: same rows,
the same indexes after, and nothing changed by an import that is refused."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.services import maintenance
from habeas.services import register as register_module
from habeas.services.register import Register
from tests.conftest import REGISTRAR
from tests.test_alerts import detention_case
from tests.test_projections import snapshot

CASES = 40


def lines() -> list[str]:
    """Forty cases, their events interleaved as a register receives them."""
    per_case = [
        detention_case(case=f"KZ-2024-{n:03d}", detained=f"2024-03-{1 + n % 27:02d}T10:00:00+05:00")
        for n in range(CASES)
    ]
    return [json.dumps(e) for step in zip(*per_case, strict=True) for e in step]


def indexes(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")))


@pytest.fixture
def fresh(sqlite_url):
    engine = make_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_a_bulk_import_projects_what_a_plain_one_does_and_leaves_every_index(
    fresh, sqlite_url, law, clock, monkeypatch, tmp_path
):
    every_index = indexes(fresh)
    assert "ix_deadlines_urgent" in every_index
    monkeypatch.setattr(register_module, "CHUNK", 50)  # several flushes
    monkeypatch.setattr(register_module, "HOLD_ROWS", 60)  # held cases let go and read back
    found = []
    for bulk in (10**9, 100):
        monkeypatch.setattr(register_module, "BULK_EVENTS", bulk)
        engine = make_engine(f"sqlite:///{tmp_path / f'bulk-{bulk}.db'}")
        migrate(engine)
        report = Register(engine, law, clock, judging_processes=0).import_lines(lines(), REGISTRAR)
        assert report.ok and report.stored == len(lines())
        assert indexes(engine) == every_index
        assert maintenance.behind(engine) == {}
        found.append(snapshot(engine))
        engine.dispose()
    assert found[0] == found[1]
    assert found[0][1]  # the cases have findings


def test_a_refused_bulk_import_stores_nothing_and_keeps_every_index(fresh, law, clock, monkeypatch):
    every_index = indexes(fresh)
    monkeypatch.setattr(register_module, "CHUNK", 50)
    monkeypatch.setattr(register_module, "BULK_EVENTS", 100)
    bad = lines() + ['{"id": "x", "kind": "no.such.kind"}']
    report = Register(fresh, law, clock, judging_processes=0).import_lines(bad, REGISTRAR)
    assert not report.ok and report.stored == 0
    assert indexes(fresh) == every_index
    with fresh.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 0


def test_an_import_that_does_not_double_the_log_keeps_its_indexes_in_step(fresh, law, clock, monkeypatch):
    monkeypatch.setattr(register_module, "BULK_EVENTS", 100)
    first, second = lines()[:300], lines()[300:340]
    register = Register(fresh, law, clock, judging_processes=0)
    dropped = []
    monkeypatch.setattr(register_module, "drop_indexes", lambda conn, found: dropped.append(len(found)))
    monkeypatch.setattr(register_module, "build_indexes", lambda conn, found: None)
    assert register.import_lines(first, REGISTRAR).ok
    assert dropped == [5]  # the first doubles an empty log
    assert register.import_lines(second, REGISTRAR).ok
    assert dropped == [5]  # the second adds 40 events to 300
