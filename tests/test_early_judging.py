"""An import judges the cases it has let go while it still reads lines (`services.register.early`):
the projections get the very rows, in the very order (ids and all), that judging every case at
the end gave; a case stored to again after it was judged is judged again."""

from __future__ import annotations

import json

from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.projections import registry
from habeas.services import register as register_module
from habeas.services.register import early
from habeas.simulator import generate
from tests.conftest import REGISTRAR

TABLES = ("stat_episodes", "deadlines", "cases", "projection_positions", "chain_head", "events")


def _tables(engine) -> dict[str, list[tuple]]:
    """Every row in order; the ids of `deadlines` and `stat_episodes` counted from the first
    (PostgreSQL's sequences go on after a DELETE)."""
    found = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            if table in ("deadlines", "stat_episodes") and rows:
                rows = [(r[0] - rows[0][0], *r[1:]) for r in rows]
            found[table] = rows
    return found


def test_cases_judged_early_are_projected_as_at_the_end(db_url, law, clock, monkeypatch):
    monkeypatch.setattr(register_module, "POOL_MIN_CASES", 2)
    monkeypatch.setattr(register_module, "CHUNK", 50)
    monkeypatch.setattr(register_module, "HOLD_ROWS", 40)  # some rows written out before they are taken
    monkeypatch.setattr(registry, "CHUNK", 7)
    monkeypatch.setattr(early, "LET_GO", 60)  # let go after a few chunks: some are stored to again
    monkeypatch.setattr(early, "MIN_TASK", 2)
    monkeypatch.setattr(early, "TASK", 5)
    lines = [json.dumps(e) for e in generate(events=900, seed=7)]
    judged = []  # (cases judged early, of them stored to again) of each import
    original = early.EarlyJudging.drain

    def drain(self):
        original(self)
        judged.append((len(self.index), sum(s not in self.batch._held for s in self.index)))

    monkeypatch.setattr(early.EarlyJudging, "drain", drain)
    found = []
    for processes in (0, 2):
        engine = make_engine(db_url)
        migrate(engine)
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        register = register_module.Register(engine, law, clock, judging_processes=processes)
        assert register.import_lines(lines[:700], REGISTRAR).ok
        # the second import touches cases the first created (read back, never judged early)
        assert register.import_lines(lines[700:], REGISTRAR).ok
        found.append(_tables(engine))
        engine.dispose()
    assert judged[:2] == [(0, 0), (0, 0)]  # one process: nothing judged early
    assert judged[2][0] > 10 and judged[2][1] > 0  # two: some judged early, some of them again
    assert found[0] == found[1]
    assert found[0]["deadlines"]  # the cases have findings
