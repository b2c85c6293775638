"""Migrations upgrade a database that already holds data, on both stores."""

from __future__ import annotations

import json

from sqlalchemy import text

from habeas.db.engine import make_engine, migrate


def test_upgrading_from_0001_keeps_the_rows_and_fills_the_deadline_kind(db_url):
    engine = make_engine(db_url)
    with engine.begin() as conn:  # the fixture migrated to head: start again from nothing
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
    assert migrate(engine, "0001") == "0001"
    violation = {"code": "KZ-COUNSEL", "kind": "violation"}
    with engine.begin() as conn:
        for n, finding in enumerate((violation, {"code": "KZ-DETENTION-LIMIT", "kind": "deadline"})):
            conn.execute(
                text('INSERT INTO deadlines ("case", code, finding) VALUES (:c, :code, :f)'),
                {"c": f"KZ-{n}", "code": finding["code"], "f": json.dumps(finding, sort_keys=True)},
            )
    assert migrate(engine) == "0010"
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT code, kind FROM deadlines")).fetchall())
        urgency = dict(conn.execute(text("SELECT code, urgent_at FROM deadlines")).fetchall())
    assert kinds == {"KZ-COUNSEL": "violation", "KZ-DETENTION-LIMIT": "deadline"}
    assert str(urgency["KZ-DETENTION-LIMIT"]).startswith("9999")  # no due time: after every dated alert
    engine.dispose()
