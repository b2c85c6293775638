"""The `episodes` projection: written with each append, rebuilt identically, on both stores."""

from __future__ import annotations

import json

from sqlalchemy import text

from habeas.services import maintenance
from habeas.simulator import generate
from tests.conftest import REGISTRAR

COLUMNS = (
    '"case", episode, year, region, person, started_at, ended_at, end_year, held_until, sentenced_at, due_at,'
    " late, outcome, detail, link, flag, flag2, flag3, iccs"
)


def episodes(engine):
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT {COLUMNS} FROM stat_episodes")).fetchall()
    return sorted((tuple(r) for r in rows), key=repr)


def test_episodes_are_written_with_the_append_and_rebuilt_identically(register, engine, law):
    register.import_lines([json.dumps(e) for e in generate(events=3000, seed=5)], REGISTRAR)
    written = episodes(engine)
    kinds = {row[1] for row in written}
    assert {"case", "detention", "custody", "petition"} <= kinds
    assert maintenance.behind(engine) == {}
    maintenance.rebuild(engine, law)
    assert episodes(engine) == written


def test_a_detention_episode_carries_its_limit_and_first_questioning(register, engine):
    from tests.statistics.caseload import lines

    register.import_lines(lines(), REGISTRAR)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT person, late, flag, flag2, outcome FROM stat_episodes"
                " WHERE \"case\" = 'KZ-A1' AND episode = 'detention' ORDER BY person"
            )
        ).fetchall()
    # P1: released after 23 h, counsel at the first questioning, rights on record;
    # P2: released after 72 h (past the 48 h limit), questioned alone, no rights on record
    assert [tuple(r) for r in rows] == [("P1", False, True, True, "released"), ("P2", True, False, False, "released")]
