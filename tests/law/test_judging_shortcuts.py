"""The judge's shortcuts find what the long way finds: rules chosen by the kinds a case holds,
a `when` that needs an event the case lacks, facts out of time order, the offence's row read
once per naming event, the catalogue's candidate rows."""

from __future__ import annotations

import random
from datetime import date

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.offences import offence, offences
from habeas.law.rules import evaluate, load_rules
from habeas.law.rules.conditions import possible
from habeas.law.rules.facts import Facts
from habeas.law.rules.mechanisms import _plan, _selected
from habeas.law.rules.qualified import qualified
from habeas.law.rules.schema import Condition
from tests.conftest import event


def _case(form: str | None, *, shuffled: bool = False):
    registered = {"erdr_number": "1", "article": "188", "part": 2, "region": "astana"}
    if form:
        registered["form"] = form
    raws = [
        event(
            "report.received", {"channel": "in_person", "summary": "a theft"}, at="2024-03-01T08:00:00+05:00", id="e0"
        ),
        event("case.registered", registered, at="2024-03-01T09:00:00+05:00", id="e1"),
        event(
            "party.added", {"person": "P1", "role": "suspect", "name": "A B"}, at="2024-03-01T09:30:00+05:00", id="e2"
        ),
        event("person.questioned", {"person": "P1", "counsel_present": True}, at="2024-03-01T11:00:00+05:00", id="e3"),
        event("person.questioned", {"person": "P1", "counsel_present": True}, at="2024-03-02T11:00:00+05:00", id="e4"),
    ]
    events = [parse_event(raw) for raw in raws]
    if shuffled:
        events = events[:2] + random.Random(3).sample(events[2:], 3)
    return fold_all(events), events


def test_a_when_that_needs_an_event_the_case_lacks_cannot_hold(law):
    when = Condition.model_validate(
        {
            "party_fields": {"role": ["suspect"]},
            "recorded": {"kinds": ["case.registered"], "fields": {"form": ["protocol"]}},
        }
    )
    for form, expected in ((None, False), ("inquiry", False), ("protocol", True)):
        state, _ = _case(form)
        assert possible(when, Facts.of(state)) is expected
    state, _ = _case(None)
    assert not possible(
        Condition.model_validate({"held": {"kinds": ["custody.ordered"], "until": ["person.released"]}}),
        Facts.of(state),
    )
    assert possible(Condition.model_validate({"minor": True}), Facts.of(state))  # about the person: may hold


def test_the_protocol_term_is_judged_only_where_it_can_apply(law):
    for form, found in ((None, 0), ("protocol", 1)):
        state, _ = _case(form)
        assert len([f for f in evaluate(state, law) if f.code == "KZ-MISDEMEANOUR-PROTOCOL"]) == found


def test_rules_are_selected_by_the_kinds_a_case_holds_in_the_documents_order(law):
    document = load_rules(law)
    state, _ = _case(None)
    facts = Facts.of(state)
    chosen = [rule.code for rule, _ in _selected(document, facts.by_kind)]
    expected = [rule.code for rule, _, on in _plan(document)[1] if not on.isdisjoint(facts.by_kind)]
    assert chosen == expected and "KZ-REPORT-REGISTRATION" in chosen
    assert _selected(document, facts.by_kind) is _selected(document, dict(facts.by_kind))  # once per set


def test_facts_out_of_time_order_are_indexed_in_time_order(law):
    state, events = _case("protocol", shuffled=True)
    assert [ev.id for ev in state.timeline] != sorted(ev.id for ev in state.timeline)
    facts = Facts.of(state)
    assert [ev.id for ev in facts.events] == ["e0", "e1", "e2", "e3", "e4"]
    assert [ev.id for ev in facts.of_kinds(["person.questioned"])] == ["e3", "e4"]
    assert [facts.rank[id(ev)] for ev in facts.events] == [0, 1, 2, 3, 4]
    assert set(facts.parties) == {"P1"} and facts.article == "188"
    in_order, _ = _case("protocol")
    spelt = sorted(f.to_dict(events[0].occurred_at).__repr__() for f in evaluate(in_order, law))
    assert sorted(f.to_dict(events[0].occurred_at).__repr__() for f in evaluate(state, law)) == spelt


def test_the_offence_is_read_once_per_naming_event(law):
    state, events = _case(None)
    facts = Facts.of(state)
    first = qualified(law, facts, None, events[3].occurred_at)
    assert first.row is not None and first.row.article == "188"
    assert qualified(law, facts, "P1", events[4].occurred_at) is first


def test_the_catalogues_candidate_rows_answer_as_all_its_rows_do(law):
    """`offence` against the rule written out over every row of the article, for every
    article and part of the catalogue (and parts it lacks) on days across its history."""

    def long_way(article, part, day):
        in_force = [r for r in offences(law) if r.article == article and r.applies_on(day)]
        exact = next((r for r in in_force if r.part == part), None)
        if exact is not None:
            return exact
        whole = next((r for r in in_force if r.part is None), None)
        if part is None:
            return next((r for r in in_force if r.part == 1), None)
        return whole if whole is not None and (whole.covers_unlisted_parts or part == 1) else None

    articles = sorted({row.article for row in offences(law)})[::7]
    for article in articles:
        for part in (None, 1, 2, 3, 9, "3-1"):
            for day in (date(2015, 6, 1), date(2020, 1, 15), date(2025, 9, 30)):
                assert offence(law, article, part, day) is long_way(article, part, day), (article, part, day)
