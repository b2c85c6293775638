"""Migrations upgrade a database that already holds data, on both stores."""

from __future__ import annotations

import json

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from habeas.db.engine import MIGRATIONS, make_engine, migrate


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
    assert migrate(engine) == "0012"
    with engine.connect() as conn:
        kinds = dict(conn.execute(text("SELECT code, kind FROM deadlines")).fetchall())
        urgency = dict(conn.execute(text("SELECT code, urgent_at FROM deadlines")).fetchall())
    assert kinds == {"KZ-COUNSEL": "violation", "KZ-DETENTION-LIMIT": "deadline"}
    assert str(urgency["KZ-DETENTION-LIMIT"]).startswith("9999")  # no due time: after every dated alert
    engine.dispose()


def _schema(engine) -> dict[str, list[str]]:
    """Each table of the database with its columns (sorted): what a revision leaves behind."""
    found = inspect(engine)
    return {table: sorted(c["name"] for c in found.get_columns(table)) for table in sorted(found.get_table_names())}


def _downgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_every_migration_goes_down_to_the_schema_of_the_one_before_and_up_again(db_url):
    """Each `downgrade()` undoes its `upgrade()`: walking down from the head, the schema at
    every step is the one an upgrade to that revision makes, and the head comes back whole."""
    engine = make_engine(db_url)
    order = [s.revision for s in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]
    head = _schema(engine)
    assert migrate(engine) == order[-1]
    upgraded = {}
    for earlier in reversed(order[:-1]):
        _downgrade(engine, earlier)
        upgraded[earlier] = _schema(engine)
    _downgrade(engine, "base")
    assert set(_schema(engine)) <= {"alembic_version"}  # nothing of habeas is left
    for revision in order[:-1]:  # up again, one step at a time: the same schema as on the way down
        assert migrate(engine, revision) == revision
        assert _schema(engine) == upgraded[revision], revision
    assert migrate(engine) == order[-1] and _schema(engine) == head
    engine.dispose()
