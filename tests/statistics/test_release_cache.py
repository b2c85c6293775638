"""A released year's cells are read from the database once per process, and read again when
the release is another (withdrawn and made again at another moment). The same release made
again at the same moment over the same log is the same cells: the key (moment, head, size,
threshold) determines them within a process."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from habeas.db.engine import make_engine
from habeas.services import statistics
from habeas.services.register import Register
from habeas.statistics.spec import ReportSpec
from tests.conftest import REGISTRAR
from tests.statistics.caseload import lines

AS_OF = datetime(2026, 11, 25, tzinfo=UTC)
LATER = datetime(2026, 11, 26, tzinfo=UTC)


def test_a_released_year_is_parsed_once_and_again_when_released_anew(db_url, law, clock):
    engine = make_engine(db_url)
    Register(engine, law, clock).import_lines(lines(), REGISTRAR)
    spec = ReportSpec.parse("years=2024")
    first = statistics.report(engine, spec, AS_OF, threshold=1)
    kept = statistics._kept(engine, [2024], 1)[2024]
    assert statistics._kept(engine, [2024], 1)[2024] is kept  # the same cells, not parsed again
    assert statistics.report(engine, spec, AS_OF, threshold=1).cells == first.cells
    with engine.begin() as conn:  # withdrawn (as migration 0012 does), then released again
        conn.execute(text("DELETE FROM stat_releases"))
    again = statistics.report(engine, spec, LATER, threshold=1)
    assert statistics._kept(engine, [2024], 1)[2024] is not kept  # another release: read anew
    assert again.cells == first.cells  # the same log, the same figures
    engine.dispose()
