"""One truth for every role (issue 20, item 1): the law judges the whole log of a case, and a
reader given a section of the file (the ombudsman, a prison officer) is shown the findings
that concern that section with the status the whole file gives them — the evidence outside
the section withheld, never the verdict. On both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from habeas.access.facts import Principal
from habeas.services import queries
from tests.conftest import NOW, OPERATOR, REGISTRAR, event, lines, one_case_lines

CASE = "KZ-2024-000123"
AT = datetime(2024, 4, 3, tzinfo=UTC)
OMBUDSMAN = Principal("omb-1", "ombudsman", "ombudsman-office")
PRISON_OFFICER = Principal("po-77", "prison_officer", "penitentiary-astana-sizo-1")
NOTIFIED = "ex-0010"  # prosecutor.notified: outside the detention section


@pytest.fixture
def recorded(register, engine):
    assigned = event(
        "case.assigned",
        {"official": "po-77", "role": "prison_officer"},
        case=CASE,
        at="2024-04-01T15:30:00+05:00",
        role="prosecutor",
        actor="pr-12",
        id="as-po",
    )
    assigned["actor"]["agency"] = "prosecutor-astana"
    assert register.import_lines(one_case_lines() + lines(assigned), REGISTRAR).ok
    return engine


def _by_code(file: dict) -> dict[tuple[str, str | None], dict]:
    return {(f["code"], f["person"]): f for f in file["findings"]}


@pytest.mark.parametrize("reader", [OMBUDSMAN, PRISON_OFFICER], ids=["ombudsman", "prison_officer"])
@pytest.mark.parametrize("at", [AT, NOW], ids=["during", "now"])
def test_a_section_shows_each_finding_with_the_whole_file_s_status(recorded, law, reader, at):
    whole = queries.case_file(recorded, law, CASE, OPERATOR, "review", at, NOW)
    part = queries.case_file(recorded, law, CASE, reader, "monitoring", at, NOW)
    assert part["section"] == "detention_and_complaints"
    assert NOTIFIED not in {e["id"] for e in part["events"]}  # the notice itself stays outside the section
    # the notice was met in the whole file: no finding to show (the file lists open and
    # breached ones), and none in the section either — judged on the section alone it was "breached"
    assert ("KZ-PROSECUTOR-NOTICE", "P1") not in _by_code(whole)
    assert ("KZ-PROSECUTOR-NOTICE", "P1") not in _by_code(part)
    # every finding shown has the whole file's status; none is invented
    statuses = {key: f["status"] for key, f in _by_code(whole).items()}
    assert part["findings"] and all(statuses[key] == f["status"] for key, f in _by_code(part).items())
    assert part["summary"]["stage"] == whole["summary"]["stage"]


def test_a_finding_wholly_outside_the_section_is_not_shown(recorded, law):
    # the suspect-approval finding's evidence (suspicion.qualified, decision.*) is not in the section
    qualified = event(
        "suspicion.qualified",
        {"person": "P1", "article": "188"},
        case=CASE,
        at="2024-04-01T16:00:00+05:00",
        actor="inv-301",
        id="sq-1",
    )
    qualified["actor"]["agency"] = "police-astana-almaty-district"
    from habeas.clock import FixedClock
    from habeas.services.register import Register

    assert Register(recorded, law, FixedClock(NOW)).import_lines(lines(qualified), REGISTRAR).ok
    whole = queries.case_file(recorded, law, CASE, OPERATOR, "review", NOW, NOW)
    part = queries.case_file(recorded, law, CASE, OMBUDSMAN, "monitoring", NOW, NOW)
    assert ("KZ-SUSPECT-APPROVAL", "P1") in _by_code(whole)
    assert ("KZ-SUSPECT-APPROVAL", "P1") not in _by_code(part)


def test_the_ombudsman_s_alerts_have_the_whole_file_s_status_and_withhold_evidence(recorded, law):
    # a late prosecutor's notice elsewhere would be an alert; here every alert the ombudsman is
    # shown is the operator's, with the evidence outside the section withheld
    mine = queries.alerts(recorded, AT, reader=OPERATOR, law=law, now=NOW)
    theirs = queries.alerts(recorded, AT, reader=OMBUDSMAN, law=law, now=NOW)
    statuses = {(a["code"], a["person"]): a["status"] for a in mine}
    assert theirs and all(statuses[(a["code"], a["person"])] == a["status"] for a in theirs)
    section_ids = {e["id"] for e in queries.case_file(recorded, law, CASE, OMBUDSMAN, "m", AT, NOW)["events"]}
    assert all(set(a["evidence"]) <= section_ids for a in theirs)


def test_a_late_notice_is_breached_in_the_section_too_its_evidence_withheld(engine, law, clock):
    from habeas.services.register import Register

    late = [
        line.replace('"2024-04-01T19:00:00+05:00"', '"2024-04-02T09:00:00+05:00"') if NOTIFIED in line else line
        for line in one_case_lines()
    ]
    assert Register(engine, law, clock).import_lines(late, REGISTRAR).ok
    whole = _by_code(queries.case_file(engine, law, CASE, OPERATOR, "review", AT, NOW))
    part = _by_code(queries.case_file(engine, law, CASE, OMBUDSMAN, "monitoring", AT, NOW))
    assert whole[("KZ-PROSECUTOR-NOTICE", "P1")]["status"] == "breached"
    seen = part[("KZ-PROSECUTOR-NOTICE", "P1")]
    assert seen["status"] == "breached" and seen["met_at"] == whole[("KZ-PROSECUTOR-NOTICE", "P1")]["met_at"]
    assert NOTIFIED in whole[("KZ-PROSECUTOR-NOTICE", "P1")]["evidence"]
    assert NOTIFIED not in seen["evidence"] and seen["evidence_withheld"] == 1
