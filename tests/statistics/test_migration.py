"""Migration 0005 adds the episodes table to a database that holds data; the first report fills it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from habeas.db.engine import make_engine, migrate
from habeas.projections import cases, deadlines
from habeas.services import statistics
from habeas.services.register import Register
from habeas.statistics.spec import ReportSpec
from tests.conftest import REGISTRAR
from tests.statistics.caseload import lines


def test_upgrading_to_0005_then_the_first_report_builds_the_episodes(db_url, law, clock):
    engine = make_engine(db_url)
    # a register of before: it knows only the case list and the deadlines
    Register(engine, law, clock, projections=(cases.PROJECTION, deadlines.PROJECTION)).import_lines(lines(), REGISTRAR)
    with engine.begin() as conn:  # and its schema: 0004's
        conn.execute(text("ALTER TABLE projection_positions DROP COLUMN law"))
        conn.execute(text("ALTER TABLE reads DROP COLUMN persons"))
        conn.execute(text("DROP TABLE account_head"))
        conn.execute(text("DROP TABLE accounts"))
        conn.execute(text("DROP TABLE sessions"))
        conn.execute(text("ALTER TABLE users DROP COLUMN title"))
        conn.execute(text("DROP TABLE stat_episodes"))
        conn.execute(text("DROP TABLE stat_releases"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    assert migrate(engine) == "0012"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stat_episodes")).scalar() == 0
    report = statistics.report(engine, ReportSpec.parse("years=2024"), datetime(2026, 11, 25, tzinfo=UTC), threshold=1)
    detained = [c for c in report.cells if c.measure == "L7.detentions" and c.region == "kz"]
    assert [c.value for c in detained] == [5]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stat_episodes")).scalar() > 0
    engine.dispose()


def test_upgrading_to_0012_withdraws_what_was_released_before_the_mended_suppression(db_url, law, clock):
    engine = make_engine(db_url)
    Register(engine, law, clock).import_lines(lines(), REGISTRAR)
    as_of = datetime(2026, 11, 25, tzinfo=UTC)
    spec = ReportSpec.parse("years=2024")
    statistics.report(engine, spec, as_of, threshold=1)  # 2024 released and kept
    with engine.begin() as conn:  # a release of before: its cells are not what the mended code computes
        conn.execute(text("UPDATE stat_releases SET cells = '[]'"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0011'"))
    assert not statistics.report(engine, spec, as_of, threshold=1).cells  # the kept release is read as it is
    assert migrate(engine) == "0012"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM stat_releases")).scalar() == 0
    detained = [
        c.value
        for c in statistics.report(engine, spec, as_of, threshold=1).cells
        if c.measure == "L7.detentions" and c.region == "kz"
    ]
    assert detained == [5]  # released again, from the log as it stands
    engine.dispose()
