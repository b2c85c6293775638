"""Issue 19 item 4, driven through the real command as a records officer reads a case: a torture
complaint names the body competent to investigate it on its day; an extension agreement recorded
without the prosecutor's level is undecided, in its own words, not a breach; the cassation court's
receipt of the case (a new v2 kind) starts its six months."""

from __future__ import annotations

import json

import pytest

from tests.conftest import event
from tests.test_cli import habeas

CASE = "KZ-2024-000419"


@pytest.fixture
def recorded(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    habeas("init", db=url)
    lines = [
        event(
            "case.registered",
            {"erdr_number": "419", "article": "188", "part": 1, "region": "almaty"},
            case=CASE,
            at="2024-04-02T08:00:00+05:00",
        ),
        event(
            "party.added",
            {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"},
            case=CASE,
            at="2024-04-02T08:10:00+05:00",
        ),
        event("person.detained", {"person": "P1", "place": "street"}, case=CASE, at="2024-04-02T10:00:00+05:00"),
        event(
            "custody.ordered",
            {"person": "P1", "until": "2024-06-02T00:00:00+05:00"},
            case=CASE,
            at="2024-04-03T16:00:00+05:00",
            role="investigating_judge",
            actor="ij-1",
        ),
        event(
            "decision.approved",
            {"event": f"{CASE}-extended"},
            case=CASE,
            at="2024-05-27T12:00:00+05:00",
            role="prosecutor",
            actor="pr-1",
        ),
        event(
            "custody.extended",
            {"person": "P1", "until": "2024-07-02T00:00:00+05:00"},
            case=CASE,
            at="2024-05-28T16:00:00+05:00",
            role="investigating_judge",
            actor="ij-1",
            id=f"{CASE}-extended",
        ),
        event(
            "complaint.filed",
            {"complaint": "C-1", "person": "P1", "about": "torture"},
            case=CASE,
            at="2024-05-29T10:00:00+05:00",
            role="ombudsman",
            actor="omb-1",
        ),
        event(
            "complaint.filed",
            {"complaint": "C-2", "person": "P1", "about": "ill_treatment"},
            case=CASE,
            at="2024-05-29T11:00:00+05:00",
            role="ombudsman",
            actor="omb-1",
        ),
        event(
            "case.sent_to_court",
            {"court": "almaty-district-court"},
            case=CASE,
            at="2024-06-20T10:00:00+05:00",
            role="prosecutor",
            actor="pr-1",
        ),
        event(
            "verdict.delivered",
            {"person": "P1", "outcome": "convicted"},
            case=CASE,
            at="2025-02-10T15:00:00+05:00",
            role="judge",
            actor="j-1",
        ),
        event(
            "cassation.filed",
            {"person": "P1", "by": "defence_lawyer"},
            case=CASE,
            at="2025-08-20T10:00:00+05:00",
            role="defence_lawyer",
            actor="dl-1",
        ),
        event(
            "cassation.case_received",
            {"court": "cassation-court-astana"},
            case=CASE,
            at="2025-09-10T10:00:00+05:00",
            role="court_clerk",
            actor="cl-1",
        ),
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert "stored 12" in habeas("import", str(path), db=url).stdout
    return url


def _findings(db: str, at: str, code: str) -> list[dict]:
    shown = json.loads(habeas("case", "show", CASE, "--json", "--at", at, db=db).stdout)
    return [f for f in shown["findings"] if f["code"] == code]


def test_a_torture_complaint_names_the_body_competent_on_its_day(recorded):
    found = {f["evidence"][0]: f for f in _findings(recorded, "2024-05-29T12:00:00+05:00", "KZ-TORTURE-REGISTRATION")}
    bodies = sorted(f["params"]["competent_body"] for f in found.values())
    assert bodies == ["police", "prosecutor"]  # torture: the prosecutor; other ill-treatment: the police
    assert all(f["status"] == "open" for f in found.values())
    assert any("193 part 1-1" in f["citation"] for f in found.values())
    texts = sorted(f["text"] for f in found.values())
    assert any(t.endswith("Competent to investigate it on that day: the prosecutor.") for t in texts), texts


def test_an_agreement_without_the_level_is_undecided_in_its_own_words(recorded):
    (found,) = _findings(recorded, "2024-05-29T12:00:00+05:00", "KZ-CUSTODY-EXTENSION-AGREEMENT")
    assert (found["status"], found["kind"]) == ("open", "undecided")
    assert "does not say the prosecutor's level" in found["text"]
    assert "gravity" not in found["text"]  # not the words of an unknown offence


def test_the_cassation_courts_receipt_starts_six_months(recorded):
    (open_,) = _findings(recorded, "2026-03-10T12:00:00+05:00", "KZ-CASSATION-TERM")
    assert open_["status"] == "open" and open_["due_at"].startswith("2026-03-11T00:00")
    (late,) = _findings(recorded, "2026-03-12T12:00:00+05:00", "KZ-CASSATION-TERM")
    assert late["status"] == "breached"
