"""`law.rules.due`, what a driver that plans acts (the simulator) asks: a duty opens as the judge opens it."""

from __future__ import annotations

from datetime import datetime

import pytest

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.rules import due, evaluate
from tests.conftest import event

DETAINED = "2024-03-01T10:00:00+05:00"


def detention(citizenship: str | None):
    party = {"person": "P1", "role": "suspect", "name": "A B", "birth_date": "1990-01-01"}
    if citizenship:
        party["citizenship"] = citizenship
    raws = [
        event(
            "case.registered",
            {"erdr_number": "1", "article": "188", "part": 2, "region": "astana"},
            at="2024-03-01T09:00:00+05:00",
            id="e1",
        ),
        event("party.added", party, at="2024-03-01T09:30:00+05:00", id="e2"),
        event("person.detained", {"person": "P1", "place": "street"}, at=DETAINED, id="e3"),
    ]
    events = [parse_event(raw) for raw in raws]
    return fold_all(events), events[-1]


@pytest.mark.parametrize("citizenship", [None, "KZ", "KAZ"])
def test_a_nationals_detention_opens_no_consular_notice(law, citizenship):
    """The rule's `when` (citizenship not the state's own) decides, as it does for the judge:
    the simulator told the consulate of nearly every detention while `due` ignored it."""
    state, detained = detention(citizenship)
    assert due(law, "KZ-CONSULAR-NOTICE", state, detained) is None
    assert not [f for f in evaluate(state, law) if f.code == "KZ-CONSULAR-NOTICE"]


def test_a_foreigners_detention_opens_it_due_when_the_judge_says(law):
    state, detained = detention("UZ")
    when = due(law, "KZ-CONSULAR-NOTICE", state, detained)
    (finding,) = [f for f in evaluate(state, law) if f.code == "KZ-CONSULAR-NOTICE"]
    assert when is not None and when > datetime.fromisoformat(DETAINED)
    assert when == finding.due_at
