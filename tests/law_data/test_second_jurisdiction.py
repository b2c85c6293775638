"""A second jurisdiction is a data folder, not a code change: `tests/law_data/xx` has its own
categories of gravity, its own stages, its own age of majority and two rules, and the same
engine loads it from its path and judges by it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.domain.vocabulary import DATA_MODELS
from habeas.jurisdictions import load
from habeas.jurisdictions.messages import render
from habeas.law.competence import competence_problems
from habeas.law.offences import gravities
from habeas.law.rules import judge, rule_codes
from habeas.law.stages import stages_of

XX = str(Path(__file__).with_name("xx"))


@pytest.fixture(scope="module")
def law():
    return load(XX)


def events(*specs):
    out = [
        parse_event(
            {
                "id": "e0",
                "kind": "case.registered",
                "case": "XX-1",
                "occurred_at": specs[0][1],
                "actor": {"id": "i", "role": "investigator"},
                "data": {"erdr_number": "1", "article": specs[0][2], "region": "north"},
            }
        )
    ]
    out.append(
        parse_event(
            {
                "id": "p1",
                "kind": "party.added",
                "case": "XX-1",
                "occurred_at": specs[0][1],
                "actor": {"id": "i", "role": "investigator"},
                "data": {"person": "P", "role": "suspect", "name": "A", "birth_date": specs[0][3]},
            }
        )
    )
    for n, (kind, when, *rest) in enumerate(specs[1:], start=1):
        data = {**({"person": "P"} if "person" in DATA_MODELS[kind].model_fields else {}), **(rest[0] if rest else {})}
        out.append(
            parse_event(
                {
                    "id": f"e{n}",
                    "kind": kind,
                    "case": "XX-1",
                    "occurred_at": when,
                    "actor": {"id": "i", "role": "investigator"},
                    "data": data,
                }
            )
        )
    return fold_all(out)


def at(text):
    return datetime.fromisoformat(text)


def test_it_loads_with_its_own_words(law):
    assert law.jurisdiction == "xx"
    assert rule_codes(law) == ["XX-HOLD-LIMIT", "XX-COUNSEL"]
    assert gravities(law).names == ("petty", "ordinary", "serious")
    assert list(stages_of(law).stages) == ["investigation", "trial", "ended"]


@pytest.mark.parametrize(
    ("article", "born", "hours"),
    [
        ("10", "1990-01-01", 30),  # ordinary, adult: 30 h after its 2020 reform
        ("20", "1990-01-01", 60),  # serious: 60 h
        ("10", "2008-06-01", 30),  # 17 in 2025: an adult here (16), a minor in Kazakhstan
        ("10", "2010-06-01", 12),  # 15: a minor here too
    ],
)
def test_its_limits_are_its_own(law, article, born, hours):
    state = events(
        ("case", "2025-01-01T08:00:00+01:00", article, born),
        ("person.detained", "2025-01-01T10:00:00+01:00", {"place": "street"}),
    )
    (finding,) = judge(state, law, at("2025-01-01T10:00:00+01:00"))
    assert finding.code == "XX-HOLD-LIMIT"
    assert (finding.due_at - finding.started_at).total_seconds() == hours * 3600
    assert render(finding.message, finding.params, "en", XX).startswith("P may be held until")


def test_a_repealed_rule_ends_on_its_date(law):
    def questioned(day):
        state = events(
            ("case", f"{day}T08:00:00+01:00", "20", "1990-01-01"),
            ("person.questioned", f"{day}T10:00:00+01:00", {"counsel_present": False}),
        )
        return [f.code for f in judge(state, law, at(f"{day}T12:00:00+01:00"))]

    assert questioned("2022-12-31") == ["XX-COUNSEL"]
    assert questioned("2023-01-01") == []


def test_competence_follows_its_stages(law):
    def act(kind, actor_role, **data):
        return parse_event(
            {
                "id": "o",
                "kind": kind,
                "case": "XX-1",
                "occurred_at": "2025-03-02T10:00:00+01:00",
                "actor": {"id": "a", "role": actor_role},
                "data": data,
            }
        )

    order = act("custody.ordered", "judge", person="P", until="2025-04-01T10:00:00+01:00")
    state = events(("case", "2025-01-01T08:00:00+01:00", "10", "1990-01-01"))
    refused = competence_problems(law, order, state)  # in `investigation`: the investigating judge's
    assert refused and "investigating_judge" in refused[0].reason
    sent = act("case.sent_to_court", "prosecutor", court="c-1")
    in_court = events(
        ("case", "2025-01-01T08:00:00+01:00", "10", "1990-01-01"),
        ("case.sent_to_court", "2025-03-01T10:00:00+01:00", {"court": "c-1"}),
    )
    assert sent.kind == "case.sent_to_court" and competence_problems(law, order, in_court) == []
    # a kind the package does not list falls to its `default` roles
    assert competence_problems(law, act("party.added", "doctor", person="Q", role="witness", name="B"), state) == []
