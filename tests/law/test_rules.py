import copy
import itertools
import json
import random
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest
import yaml

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load, read_documents
from habeas.jurisdictions.messages import languages, render, render_finding
from habeas.law.findings import Finding
from habeas.law.package import Law, LawDataError
from habeas.law.rules import UnknownRule, deadlines, describe, evaluate, judge, parse_rules, rule_codes

ONE_CASE = Path(__file__).resolve().parents[1] / "data" / "one-case.jsonl"
ACTOR = {"id": "inv-1", "role": "investigator", "agency": "police-1"}


@pytest.fixture(scope="module")
def law():
    return load("kz")


def t(text):
    return datetime.fromisoformat(text)


def ev(n, kind, when, **data):
    return parse_event({"id": f"e{n}", "kind": kind, "case": "KZ-1", "occurred_at": when, "actor": ACTOR, "data": data})


def one_case():
    return [parse_event(json.loads(line)) for line in ONE_CASE.read_text().splitlines() if line]


def scenario_codes(value) -> set[str]:
    """Every finding code a law scenario names (`codes`, and `code` of `findings` and `met`)."""
    if isinstance(value, dict):
        found = {value["code"]} if isinstance(value.get("code"), str) else set()
        found.update(value.get("codes") or [])
        return found.union(*(scenario_codes(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(scenario_codes(v) for v in value))
    return set()


def test_the_rules_loaded_are_the_rules_written_and_the_law_scenarios_name_exactly_them(law):
    written = [rule["code"] for rule in read_documents("kz")["rules.yaml"]["rules"]]
    assert rule_codes(law) == written  # none dropped, none invented, in the order of the data
    scenarios = resources.files("habeas.jurisdictions") / "kz" / "cases"
    named = scenario_codes(
        [yaml.safe_load(f.read_text(encoding="utf-8")) for f in scenarios.iterdir() if f.name.endswith(".yaml")]
    )
    assert named - set(written) == set(), "scenarios name codes that are no rule"
    assert set(written) - named == set(), "rules that no law scenario exercises"


def test_the_shared_example_lacks_only_the_facts_of_the_second_edition(law):
    # medical examination at detention, the family told of the custody order, the
    # qualification decree: the example records none of them; every other duty is met
    state = fold_all(one_case())
    now = t("2026-11-25T12:00:00+05:00")
    assert sorted(f.code for f in judge(state, law, now)) == [
        "KZ-DETENTION-MEDICAL",
        "KZ-QUALIFICATION-TERM",
        "KZ-RELATIVES-NOTICE",
    ]
    assert sum(f.status_at(now) == "met" for f in deadlines(state, law)) >= 8


def test_finding_contract_shape(law):
    state = fold_all([ev(1, "person.detained", "2024-03-01T10:00:00+05:00", person="P1", place="street")])
    at = t("2024-03-04T12:00:00+05:00")
    found = {f.code: f for f in judge(state, law, at)}
    limit = found["KZ-DETENTION-LIMIT"].to_dict(at)
    assert limit["status"] == "breached"
    assert limit["person"] == "P1"
    assert limit["due_at"] == "2024-03-03T10:00:00+05:00"
    assert limit["citation"] == "CPC art. 131; Law of 21.12.2017 No. 118-VI"
    assert limit["evidence"] == ["e1"]
    assert limit["valid_from"] == "2018-01-01"
    assert limit["certainty"] == "P"
    assert limit["message"] == "KZ-DETENTION-LIMIT"
    json.dumps(limit)  # JSON-ready


def test_most_urgent_first(law):
    state = fold_all([ev(1, "person.detained", "2024-03-01T10:00:00+05:00", person="P1", place="street")])
    at = t("2024-03-01T23:00:00+05:00")
    codes = [(f.code, f.status_at(at)) for f in judge(state, law, at)]
    assert codes[0] == ("KZ-RELATIVES-NOTICE", "breached")
    # then the open clocks by due time: the petition 8 h before the 48 h limit, the limit
    assert codes[1] == ("KZ-CUSTODY-PETITION-TIMING", "open")
    assert codes[2] == ("KZ-DETENTION-LIMIT", "open")


def test_status_semantics():
    due = t("2024-03-03T10:00:00+05:00")
    base = dict(
        code="X", person=None, started_at=t("2024-03-01T10:00:00+05:00"), due_at=due, evidence=("e1",), citation="c"
    )
    running = Finding(met_at=None, **base)
    assert running.status_at(due) == "open"
    assert running.status_at(t("2024-03-03T10:00:01+05:00")) == "breached"
    on_time = Finding(met_at=due, **base)
    assert on_time.status_at(t("2024-03-09T00:00:00+05:00")) == "met"
    assert on_time.status_at(t("2024-03-02T00:00:00+05:00")) == "open"  # not yet met
    late = Finding(met_at=t("2024-03-03T11:00:00+05:00"), **base)
    assert late.status_at(t("2024-03-09T00:00:00+05:00")) == "breached"


def test_describe_shows_versions_dates_citations_certainty(law):
    rule = describe(law, "KZ-DETENTION-LIMIT")
    adult = rule["parameters"]["detention.limit.adult"]
    assert [(v["value"], v["valid_from"], v["valid_until"]) for v in adult] == [
        (72, "2015-01-01", "2017-12-31"),
        (48, "2018-01-01", None),
    ]
    assert all(v["certainty"] and v["citation"] for v in adult)
    assert "CPC art. 131" in rule["citation"]
    assert describe(law, "KZ-INCONSISTENT-TIMELINE")["citation"]


def test_unknown_code_is_a_clear_lookup_error(law):
    with pytest.raises(UnknownRule) as info:
        describe(law, "KZ-NO-SUCH-RULE")
    assert isinstance(info.value, LookupError)
    assert "KZ-NO-SUCH-RULE" in str(info.value)


def broken_law(mutate):
    documents = copy.deepcopy(read_documents("kz"))
    mutate(documents["rules.yaml"])
    return Law.from_documents(documents)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d["rules"][0]["term"].update(parameter="no.such.key"), "unknown parameter"),
        (lambda d: d["rules"][0]["start"].update(kinds=["person.vanished"]), "unknown event kind"),
        (lambda d: d["rules"].append(dict(d["rules"][0])), "defined twice"),
        (lambda d: d["rules"][0].pop("term"), "term: Field required"),
        (lambda d: d["rules"][0].update(mechanism="guess"), "does not match any of the expected tags"),
    ],
)
def test_broken_rules_name_file_key_and_reason(mutate, reason):
    with pytest.raises(LawDataError) as info:
        parse_rules(broken_law(mutate))
    assert info.value.file == "rules.yaml"
    assert reason in str(info.value)


def test_every_rule_has_a_message_in_every_language(law):
    assert {"en", "ru", "kk"} <= set(languages("kz"))
    for code in rule_codes(law):
        key = describe(law, code)["message"]
        for lang in ("en", "ru", "kk"):
            assert render(key, {}, lang) != key, (code, lang)


def test_rendered_finding_reads_like_a_sentence(law):
    state = fold_all([ev(1, "person.detained", "2024-03-01T10:00:00+05:00", person="P1", place="street")])
    at = t("2024-03-04T12:00:00+05:00")
    limit = next(f for f in judge(state, law, at) if f.code == "KZ-DETENTION-LIMIT")
    assert render_finding(limit, at) == (
        "breached: P1 detained 2024-03-01 10:00 (+05:00): the limit of 48 h without a court's "
        "order passes 2024-03-03 10:00 (+05:00); release or a custody order is needed."
    )
    assert render_finding(limit.to_dict(at), language="ru").startswith("нарушено: P1 задержан")


def test_judging_at_a_time_ignores_later_facts(law):
    events = one_case()
    state = fold_all(events)
    early = judge(state, law, t("2024-04-01T17:30:00+05:00"))
    assert {f.code for f in early} >= {"KZ-DETENTION-LIMIT", "KZ-RELATIVES-NOTICE"}
    assert all(f.started_at <= t("2024-04-01T17:30:00+05:00") for f in early)


def test_naive_time_is_refused(law):
    with pytest.raises(ValueError):
        judge(fold_all(one_case()), law, datetime(2024, 1, 1))


def test_odd_input_never_crashes(law):
    """Shuffled times, doubled detentions, parties never added: findings, never an error."""
    kinds = [
        ("person.detained", {"place": "x"}), ("person.released", {"ground": "g"}),
        ("custody.ordered", {"until": "2024-03-05T10:00:00+05:00"}),
        ("custody.extended", {"until": "2024-02-01T10:00:00+05:00"}),
        ("custody.petitioned", {}), ("person.questioned", {"counsel_present": False}),
        ("rights.explained", {"rights": ["counsel", "silence", "interpreter"]}),
        ("verdict.delivered", {"outcome": "convicted"}), ("appeal.filed", {"by": "x"}),
        ("case.closed", {"ground": "reconciliation"}), ("counsel.requested", {}),
        ("prisoner.admitted", {"facility": "f"}), ("detention.protocol_drawn", {}),
    ]  # fmt: skip
    rng = random.Random(7)
    for trial in range(60):
        events = [
            ev(
                1,
                "case.registered",
                "2017-06-01T10:00:00+05:00",
                erdr_number="1",
                article=rng.choice(["99", "188", "255", "1"]),
                part=1,
                region="r",
            )
        ]
        for n in range(2, 14):
            kind, data = rng.choice(kinds)
            person = rng.choice(["P1", "P2"])
            when = datetime(2017, 12, 30, 10, tzinfo=t("2024-01-01T00:00:00+05:00").tzinfo)
            when = when.replace(day=rng.randint(1, 28), month=rng.choice([1, 12]))
            extra = {} if kind == "case.closed" else {"person": person}
            events.append(ev(n, kind, when.isoformat(), **extra, **data))
        if trial % 3 == 0:
            events.append(
                parse_event(
                    {
                        "id": "c1",
                        "kind": "record.corrected",
                        "case": "KZ-1",
                        "occurred_at": "2018-02-01T00:00:00+05:00",
                        "actor": ACTOR,
                        "data": {"event": "e2", "reason": "r", "data": {"occurred_at": "2016-01-01T00:00:00+05:00"}},
                    }
                )
            )
        state = fold_all(events)
        ids = {e.id for e in events}
        for at in map(t, ("2017-12-31T00:00:00+05:00", "2018-03-01T00:00:00+05:00")):
            every = evaluate(state, law, at)  # met ones too
            found = judge(state, law, at)
            # judge keeps exactly the open and breached ones, the breached first
            assert sorted(map(repr, found)) == sorted(repr(f) for f in every if f.status_at(at) != "met")
            statuses = [f.status_at(at) for f in found]
            assert statuses == sorted(statuses, key=["breached", "open"].index)
            for finding in every:
                assert set(finding.evidence) <= ids, finding
                assert finding.started_at is None or finding.started_at <= at, finding
                json.dumps(finding.to_dict(at))


def test_findings_do_not_depend_on_the_order_the_facts_were_recorded(law):
    events = one_case()[:12]
    at = t("2024-04-03T00:00:00+05:00")
    expected = sorted((f.code, f.person, f.due_at) for f in judge(fold_all(events), law, at))
    for perm in itertools.islice(itertools.permutations(events[4:9]), 20):
        shuffled = events[:4] + list(perm) + events[9:]
        got = sorted((f.code, f.person, f.due_at) for f in judge(fold_all(shuffled), law, at))
        assert got == expected
