"""A term in days or months whose last day is a non-working day ends on the next working day
(CPC art. 48 part 4), from the package's dated table; a year the table does not cover is said
so in the finding, never guessed silently; detention and custody never move."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load
from habeas.law.rules import judge
from habeas.law.rules.loading import load_calendar
from habeas.presentation.findings import explain


@pytest.fixture(scope="module")
def law():
    return load("kz")


def registered(when: str, **data):
    raw = {
        "id": "r",
        "kind": "case.registered",
        "case": "KZ-1",
        "occurred_at": when,
        "actor": {"id": "i", "role": "investigator"},
        "data": {"erdr_number": "1", "article": "188", "region": "almaty", **data},
    }
    return fold_all([parse_event(raw)])


def investigation(law, when: str, at: str, **data):
    moment = datetime.fromisoformat(at)
    (found,) = [f for f in judge(registered(when, **data), law, moment) if f.code == "KZ-INVESTIGATION-TERM"]
    return found, explain([found.to_dict(moment)], moment, law)[0]["text"]


def test_the_table_covers_2015_to_2026_and_knows_moved_days(law):
    table = load_calendar(law)
    assert all(year in table.years for year in range(2015, 2027))
    assert table.is_non_working(date(2024, 3, 8)) is True  # a holiday on a Friday
    assert table.is_non_working(date(2024, 5, 8)) is True  # a day off moved from Saturday 4 May
    assert table.is_non_working(date(2024, 5, 4)) is False  # the Saturday worked instead
    assert table.is_non_working(date(2022, 12, 1)) is False  # dropped from the holidays in 2022
    assert table.is_non_working(date(2027, 1, 1)) is None  # no table: unknown, not guessed


def test_a_last_day_on_a_holiday_moves_and_the_finding_says_why(law):
    found, text = investigation(law, "2024-03-01T10:00:00+05:00", "2024-04-01T00:00:00+05:00")
    assert found.due_at == datetime.fromisoformat("2024-05-03T00:00:00+05:00")  # 1 May -> 2 May, to 24:00
    assert "2024-05-01" in text and "next working day" in text


def test_a_year_without_a_table_is_said_so(law):
    found, text = investigation(law, "2027-03-10T10:00:00+05:00", "2027-03-11T00:00:00+05:00", form="inquiry")
    assert found.params["calendar_unknown_years"] == [2027]
    assert "No table of non-working days for 2027" in text


def test_detention_never_moves(law):
    raw = {
        "id": "d",
        "kind": "person.detained",
        "case": "KZ-1",
        "occurred_at": "2024-03-06T10:00:00+05:00",
        "actor": {"id": "i", "role": "investigator"},
        "data": {"person": "P1", "place": "street"},
    }
    at = datetime.fromisoformat("2024-03-06T11:00:00+05:00")
    (found,) = [f for f in judge(fold_all([parse_event(raw)]), law, at) if f.code == "KZ-DETENTION-LIMIT"]
    assert found.due_at == datetime.fromisoformat("2024-03-08T10:00:00+05:00")  # 8 March, a holiday: 48 h all the same
