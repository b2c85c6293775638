"""Every act the law package says closes an episode (episodes.yaml) closes it everywhere: in the
rules that limit it (their clock stops there), on the detention board (the person is gone),
in the case file (the measure is no longer in force) and in the statistics (the episode
ends there). Issue 24: the rules said bail or house arrest ends a detention, the statistics
did not, so a detention ended by bail never ended in the figures.

One case per (episode, closing act) is imported through the register, on each store; the
case file is read over the API, the board and a report through the services the drivers call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from habeas.access.facts import Principal
from habeas.db.schema import deadlines, stat_episodes
from habeas.law.episodes import definitions
from habeas.services import board, queries, statistics
from habeas.services.register import Register
from habeas.statistics.spec import ReportSpec
from tests.conftest import REGISTRAR, event, lines

OPENED = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
CLOSED = OPENED + timedelta(hours=20)  # within every limit: only the closing act ends it
UNTIL = "2024-05-01T00:00:00+05:00"
JUDGE = {"role": "investigating_judge", "actor": "ij-1"}
PRISON = {"role": "prison_officer", "actor": "po-1"}
# What each act needs to be recorded (vocabulary), and who records it (competence).
ACTS = {
    "person.detained": ({"place": "street"}, {}),
    "person.released": ({"ground": "no grounds"}, {}),
    "custody.ordered": ({"until": UNTIL}, JUDGE),
    "custody.extended": ({"until": UNTIL}, JUDGE),
    "house_arrest.ordered": ({"until": UNTIL}, JUDGE),
    "bail.ordered": ({"amount": 500000}, JUDGE),
    "extradition.arrested": ({"until": UNTIL}, JUDGE),
    "death.recorded": ({"place": "cell", "cause": "illness"}, PRISON),
    "prisoner.admitted": ({"facility": "UG-157/1"}, PRISON),
    "prisoner.released": ({"facility": "UG-157/1"}, PRISON),
}
# the statistics' episodes and the column that says when the person stopped being under it
STATISTICS = {"detention": "ended_at", "custody": "held_until", "prison": "held_until"}


def _act(kind: str, case: str, at: datetime, n: int) -> dict:
    data, who = ACTS[kind]
    return event(kind, {"person": "P1", **data}, case=case, at=at.isoformat(), id=f"{case}-{n}", **who)


def _cases(law) -> dict[str, tuple[str, str]]:
    """{case: (episode, closing act)} for every closing act of every episode the package defines."""
    out = {}
    for name, ep in definitions(law).episodes.items():
        for kind in ep.closes:
            out[f"KZ-EP-{name}-{kind}".replace("_", "-").replace(".", "-")] = (name, kind)
    return out


def _lines(law, cases) -> list[str]:
    found = []
    for n, (case, (name, closing)) in enumerate(cases.items(), start=1):
        opening = definitions(law).episodes[name].opens[0]
        found += [
            event(
                "case.registered",
                {"erdr_number": str(n), "article": "188", "region": "almaty"},
                case=case,
                id=f"{case}-1",
            ),  # noqa: E501
            event("party.added", {"person": "P1", "role": "suspect", "name": "A B"}, case=case, id=f"{case}-2"),
            _act(opening, case, OPENED, 3),
            _act(closing, case, CLOSED, 4),
        ]
    return lines(*found)


@pytest.fixture
def imported(engine, law, clock):
    cases = _cases(law)
    report = Register(engine, law, clock).import_lines(_lines(law, cases), REGISTRAR)
    assert report.ok, [e.lines() for e in report.errors]
    return cases


def test_the_law_defines_a_bail_and_a_house_arrest_as_ending_a_detention(law):
    closes = definitions(law).episodes["detention"].closes
    assert "bail.ordered" in closes and "house_arrest.ordered" in closes


def test_every_closing_act_closes_the_episode_everywhere(engine, law, clock, imported):
    admin = Principal("admin-1", "admin", "local")
    now = clock.now()
    defined = definitions(law).episodes
    with engine.connect() as conn:
        rows = {(r.case, r.episode): r for r in conn.execute(select(stat_episodes))}
        limits = list(conn.execute(select(deadlines)))
    on_board_before = {r["case"] for r in board.held(engine, law, OPENED + timedelta(hours=1), reader=admin, now=now)}
    on_board_after = {r["case"] for r in board.held(engine, law, CLOSED + timedelta(minutes=1), reader=admin, now=now)}
    for case, (name, _closing) in imported.items():
        ep = defined[name]
        file = queries.case_file(engine, law, case, admin, "test", now, now)
        # the case file: the episode is no longer the measure in force
        assert file["summary"]["measures"].get("P1", {}).get("measure") != name, (case, file["summary"]["measures"])
        # the rules: each limit's clock (the deadlines the rules judged) stopped at the closing act
        for code in ep.limits:
            met = sorted((r.started_at, r.met_at) for r in limits if r.case == case and r.code == code)
            assert met and met[0] == (OPENED.replace(tzinfo=None), CLOSED.replace(tzinfo=None)), (case, code, met)
        # the board: on it while held, gone once the act is recorded
        if name == board.EPISODE:
            assert case in on_board_before and case not in on_board_after, case
        # the statistics: the episode ends at the closing act
        if name in STATISTICS:
            ended = getattr(rows[(case, name)], STATISTICS[name])
            assert ended is not None and ended.replace(tzinfo=None) == CLOSED.replace(tzinfo=None), (case, ended)


def test_a_detention_ended_by_bail_is_counted_as_ended(engine, law, clock, imported):
    """The bail case of issue 24 in the published figures: L2 counts it ended, within the limit."""
    bail = [c for c, (name, kind) in imported.items() if name == "detention" and kind == "bail.ordered"]
    assert bail
    report = statistics.report(engine, ReportSpec.parse("years=2024&sections=detention"), clock.now(), threshold=1)
    cell = {c.measure: c.value for c in report.cells if c.region == "kz" and c.indicator == "L2"}
    detentions = sum(1 for name, _ in imported.values() if name == "detention")
    assert cell["L2.ended"] == detentions and cell["L2.not_ended"] == 0 and cell["L2.within"] == detentions
