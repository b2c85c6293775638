"""The matrix again, through the service: the facts are read from the log (assignments are
`case.assigned` events, the region is the case's, the court the one it was sent to), on
both stores; and a sample of it through the command line as signed-in users."""

from __future__ import annotations

import json

import pytest

from habeas.clock import FixedClock
from habeas.db.engine import make_engine
from habeas.jurisdictions import load
from habeas.services import guard
from habeas.services.register import Register
from tests.access.matrix import ALL_ROLES, principal, rows
from tests.conftest import NOW, REGISTRAR, event

LAW = load("kz")
CASES = {"assigned": "KZ-MINE", "unassigned": "KZ-OTHER", "own": "KZ-OWN"}


def _case(case: str, agency: str, region: str) -> list[dict]:
    opened = event("report.received", {"channel": "in_person", "summary": "a report"}, case=case, id=f"{case}-1")
    opened["actor"]["agency"] = agency
    registered = event(
        "case.registered", {"erdr_number": "1", "article": "188", "region": region}, case=case, id=f"{case}-2"
    )
    party = event("party.added", {"person": "P1", "role": "suspect", "name": "A. Example"}, case=case, id=f"{case}-3")
    return [opened, registered, party]


def _facts() -> list[dict]:
    mine, other, own = (
        _case("KZ-MINE", "police-astana", "astana"),
        _case("KZ-OTHER", "police-almaty", "almaty"),
        _case("KZ-OWN", "police-almaty", "almaty"),
    )
    for n, role in enumerate(ALL_ROLES):
        data = {"official": f"{role}-1"} | ({"role": role} if role != "public" else {})
        mine.append(event("case.assigned", data, case="KZ-MINE", role="prosecutor", actor="pr-1", id=f"as-{n}"))
    mine.append(event("counsel.admitted", {"person": "P1", "lawyer": "defence_lawyer-1"}, case="KZ-MINE", id="ca"))
    other.append(event("case.assigned", {"official": "someone"}, case="KZ-OTHER", role="prosecutor", id="as-x"))
    for case, court in (("KZ-MINE", "court-astana"), ("KZ-OTHER", "court-almaty")):
        sent = event("case.sent_to_court", {"court": court}, case=case, role="prosecutor", id=f"{case}-sent")
        (mine if case == "KZ-MINE" else other).append(sent)
    return mine + other + own


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory):
    """One register holding the three cases of the matrix (built once per store)."""
    from tests.conftest import _drop_postgres_database, _postgres_database

    if request.param == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'm.db'}", None
    else:
        url = drop = _postgres_database()
    engine = make_engine(url)
    from habeas.db.engine import migrate

    migrate(engine)
    report = Register(engine, LAW, FixedClock(NOW)).import_lines([json.dumps(e) for e in _facts()], REGISTRAR)
    assert report.ok, [str(e.lines()) for e in report.errors]
    yield engine
    engine.dispose()
    if drop:
        _drop_postgres_database(drop)


def test_every_answer_of_the_matrix_through_the_service(world):
    wrong = []
    with world.connect() as conn:
        for row in rows():
            for relation, case in CASES.items():
                decision = guard.authorize(conn, LAW, principal(row["role"]), row["action"], case)
                got = "no" if not decision.allowed else ("part" if decision.section else "yes")
                if got != row[relation]:
                    wrong.append((row["role"], row["action"], relation, got, decision.reason))
    assert wrong == []


def test_an_assignment_ended_is_no_assignment(world):
    register = Register(world, LAW, FixedClock(NOW))
    nine = principal("investigator").__class__("inv-9", "investigator", "police-astana", "astana")

    def decided():
        with world.connect() as conn:
            return guard.authorize(conn, LAW, nine, "case:read", "KZ-MINE")

    assert decided().allowed and not decided().assigned  # the unit's case
    assigned = event("case.assigned", {"official": "inv-9"}, case="KZ-MINE", role="prosecutor", id="nine-on")
    ended = event("case.unassigned", {"official": "inv-9"}, case="KZ-MINE", role="prosecutor", id="nine-off")
    report = register.import_lines([json.dumps(assigned)], REGISTRAR)
    assert report.ok, [e.lines() for e in report.errors]
    assert decided().assigned and decided().scope == "assigned"
    assert register.import_lines([json.dumps(ended)], REGISTRAR).ok
    assert decided().allowed and not decided().assigned and decided().scope == "unit"
