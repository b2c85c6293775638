"""The case file says which offence and gravity it judges by (`summary.offence`), as of `--at`:
a later qualification changes it from its date; an article the catalogue lacks is said so.
Driven through the real command, as a records officer reads a case."""

from __future__ import annotations

import json

import pytest

from tests.conftest import event
from tests.test_cli import habeas

CASE = "KZ-2024-000555"
UNKNOWN = "KZ-2024-000556"
REGISTERED = "2024-04-01T14:00:00+05:00"
QUALIFIED = "2024-04-03T10:00:00+05:00"


def _case(case: str, article: str, part: int) -> list[dict]:
    return [
        event("report.received", {"channel": "in_person", "summary": "a bag taken"}, case=case, at=REGISTERED),
        event(
            "case.registered",
            {"erdr_number": "555", "article": article, "part": part, "region": "astana"},
            case=case,
            at=REGISTERED,
            id=f"{case}-registered",
        ),
        event(
            "party.added",
            {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"},
            case=case,
            at=REGISTERED,
        ),
    ]


@pytest.fixture
def recorded(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    habeas("init", db=url)
    lines = [
        *_case(CASE, "188", 2),  # theft (aggravated): medium
        event(
            "suspicion.qualified",
            {"person": "P1", "article": "191", "part": 2},  # open theft with violence: grave
            case=CASE,
            at=QUALIFIED,
            id=f"{CASE}-qualified",
        ),
        *_case(UNKNOWN, "999", 1),  # no such article in the Code
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    habeas("import", str(path), db=url)
    return url


def _offence(db: str, case: str, *extra: str) -> dict:
    return json.loads(habeas("case", "show", case, "--json", *extra, db=db).stdout)["summary"]["offence"]


def test_the_case_file_names_its_offence_and_gravity(recorded):
    before = _offence(recorded, CASE, "--at", "2024-04-02T09:00:00+05:00")
    assert (before["article"], before["part"], before["gravity"]) == ("188", 2, "medium")
    assert before["known"] is True
    assert before["title"] and before["max_penalty"].startswith("imprisonment up to")
    assert before["certainty"] in ("C", "P", "M", "U") and before["source"]
    named = {"event": f"{CASE}-registered", "kind": "case.registered", "at": REGISTERED, "person": None}
    assert before["named_by"] == named


def test_a_later_qualification_changes_it_from_its_date(recorded):
    after = _offence(recorded, CASE)  # as of now
    assert (after["article"], after["part"], after["gravity"]) == ("191", 2, "grave")
    assert after["named_by"]["event"] == f"{CASE}-qualified"
    assert after["named_by"]["person"] == "P1"
    at_the_minute = _offence(recorded, CASE, "--at", QUALIFIED)
    assert at_the_minute["article"] == "191"


def test_the_offence_reads_in_the_readers_language(recorded):
    ru = _offence(recorded, CASE, "--lang", "ru")
    assert ru["text"].startswith("Ст. 191 ч. 2 УК: ")
    assert "тяжк" in ru["text"] and "лишение свободы до" in ru["text"]
    assert ru["titles"]["ru"] in ru["text"]
    en = _offence(recorded, CASE)
    assert en["text"].startswith("CC art. 191 part 2: ") and "grave" in en["text"]


def test_an_article_the_catalogue_lacks_gets_no_gravity(recorded):
    unknown = _offence(recorded, UNKNOWN)
    assert unknown["known"] is False
    assert unknown["gravity"] is None and unknown["title"] is None and unknown["max_penalty"] is None
    assert unknown["unknown"]["reason"] == "not_in_catalogue"
    assert unknown["unknown"]["day"] == "2024-04-01"
    assert "not in the offence catalogue on 2024-04-01" in unknown["text"]
    file = json.loads(habeas("case", "show", UNKNOWN, "--json", "--lang", "ru", db=recorded).stdout)
    (found,) = [f for f in file["findings"] if f["code"] == "KZ-OFFENCE-UNKNOWN"]
    assert found["status"] == "breached" and found["evidence"] == [f"{UNKNOWN}-registered"]
    assert found["text"].startswith("Ст. 999 ч. 1 УК, указанная 2024-04-01 14:00 (+05:00), отсутствует в каталоге")


def test_the_terminal_shows_the_offence(recorded):
    shown = habeas("case", "show", CASE, db=recorded).stdout
    assert "offence CC art. 191 part 2" in shown and "grave" in shown
    shown = habeas("case", "show", UNKNOWN, db=recorded).stdout
    assert "gravity unknown" in shown


def test_a_case_with_no_article_yet_has_no_offence(recorded, tmp_path):
    path = tmp_path / "report.jsonl"
    report = event("report.received", {"channel": "in_person", "summary": "x"}, case="KZ-2024-000557", at=REGISTERED)
    path.write_text(json.dumps(report) + "\n", encoding="utf-8")
    habeas("import", str(path), db=recorded)
    assert _offence(recorded, "KZ-2024-000557") is None
