"""Units are law too (issue 24, item 2): a term counts in its own unit, every value has its
unit's type, and an overlay is checked as the package is — a term in days is never read as
hours, and a lead in days is never taken off as hours."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load
from habeas.law.package import LawDataError, Overlay
from habeas.law.rules import judge
from habeas.law.rules.loading import load_rules

DAY = "2025-03-03"


def detained():
    raw = {
        "id": "e1",
        "kind": "person.detained",
        "case": "KZ-1",
        "occurred_at": f"{DAY}T10:00:00+05:00",
        "actor": {"id": "i", "role": "investigator"},
        "data": {"person": "P1", "place": "street"},
    }
    return fold_all([parse_event(raw)])


def petition_due(law) -> tuple[datetime, datetime]:
    """The custody petition's due time, and the detention limit it is counted back from."""
    at = datetime.fromisoformat(f"{DAY}T11:00:00+05:00")
    found = {f.code: f for f in judge(detained(), law, at)}
    return found["KZ-CUSTODY-PETITION-TIMING"].due_at, found["KZ-DETENTION-LIMIT"].due_at


def overlay(key: str, value, unit: str | None = None) -> Overlay:
    change = {"value": value, "valid_from": "2025-01-01", "note": "a what-if"}
    if unit:
        change["unit"] = unit
    return Overlay.parse({"name": f"{key}-{value}-{unit}", "parameters": {key: [change]}})


@pytest.mark.parametrize(("value", "unit", "lead"), [(8, None, 8), (8, "hours", 8), (1, "days", 24), (2, "days", 48)])
def test_a_lead_counts_in_its_own_unit(value, unit, lead):
    """The petition is due `custody.petition_lead` before the detention limit ends (CPC art.
    147 part 3: 8 hours); an overlay of "1 day" moves it by a day, not by an hour as before."""
    due, limit = petition_due(load("kz").with_overlay(overlay("custody.petition_lead", value, unit)))
    assert limit - due == timedelta(hours=lead)


def test_a_limit_counts_in_its_own_unit():
    """48 hours run to the minute; 2 days are days of CPC art. 48 (to 24:00 of the last day),
    never 2 hours."""
    start = datetime.fromisoformat(f"{DAY}T10:00:00+05:00")
    _, in_hours = petition_due(load("kz").with_overlay(overlay("detention.limit.adult", 48, "hours")))
    _, in_days = petition_due(load("kz").with_overlay(overlay("detention.limit.adult", 2, "days")))
    assert in_hours - start == timedelta(hours=48)
    # the detention's limit counts its first day (it runs from the moment of actual detention,
    # CPC art. 48 as read in the package: `start_day_counted`): 2 days end at 24:00 of the 4th
    assert in_days == datetime.fromisoformat("2025-03-05T00:00:00+05:00") and DAY == "2025-03-03"


@pytest.mark.parametrize(
    ("key", "value", "unit", "said"),
    [
        ("detention.limit.adult", "forty-eight", None, "is not a value in hours"),
        ("detention.limit.adult", True, None, "is not a value in hours"),
        ("detention.limit.adult", 2, "count", "counts a term by it"),
        ("detention.limit.adult", -5, None, "is negative"),
        ("custody.petition_lead", 1, "months", "counts a term by it"),
        ("custody.maximum.initial", 2.5, "months", "is not a value in months"),
    ],
)
def test_an_overlay_with_a_value_or_unit_the_term_cannot_count_is_refused(key, value, unit, said):
    law = load("kz").with_overlay(overlay(key, value, unit))
    with pytest.raises(LawDataError) as refused:
        load_rules(law)
    assert key in str(refused.value) and said in str(refused.value)


def test_every_term_of_the_package_is_in_a_unit_of_time():
    law = load("kz")
    rules = load_rules(law)
    counted = {
        key
        for rule in rules.rules
        for term in rule.terms()
        for key in [term.parameter, *(c.parameter for c in term.choose or [])]
        if key
    }
    assert counted  # the package counts terms by parameters
    for key in counted:
        for version in law.parameters[key].versions:
            assert version.unit in ("hours", "days", "months", "years"), key
