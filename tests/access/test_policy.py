"""The access policy decides from data, deny by default, and says why."""

from __future__ import annotations

import copy

import pytest

from habeas.access import policy as access
from habeas.access.facts import Principal
from habeas.jurisdictions import load, read_documents
from habeas.law.package import LawDataError
from tests.access.matrix import ALL_ROLES, RELATIONS, case, principal, rows

POLICY = access.of(load("kz"))
MATRIX = rows()


def answer(decision: access.Decision) -> str:
    if not decision.allowed:
        return "no"
    return "part" if decision.section else "yes"


def test_the_matrix_names_every_role_and_every_action_once():
    assert sorted((r["role"], r["action"]) for r in MATRIX) == sorted(
        (role, action) for role in ALL_ROLES for action in access.ACTIONS
    )
    assert len(MATRIX) * len(RELATIONS) == 15 * 10 * 3  # case:transfer the tenth action


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r['role']}-{r['action']}" for r in MATRIX])
def test_each_role_action_and_relation_has_its_expected_answer(row):
    for relation in RELATIONS:
        decision = POLICY.decide(principal(row["role"]), row["action"], case(relation, row["role"]))
        assert answer(decision) == row[relation], (relation, decision.reason)


def test_a_refusal_names_the_missing_right_and_nothing_of_the_case():
    decision = POLICY.decide(principal("investigator"), "case:read", case("unassigned", "investigator"))
    assert not decision.allowed
    assert decision.reason == (
        "refused: case:read on KZ-OTHER needs the right to act on a case assigned to you or on a case of your unit"
    )
    assert "almaty" not in decision.reason and "lawyer-9" not in decision.reason


def test_a_role_without_the_right_is_told_so():
    decision = POLICY.decide(principal("analyst"), "case:read", case("assigned", "analyst"))
    assert decision.reason == "refused: case:read on KZ-MINE is no right of the role analyst"


def test_an_unknown_action_or_role_is_refused():
    assert not POLICY.decide(principal("admin"), "case:delete", case("assigned", "admin")).allowed
    assert not POLICY.decide(Principal("x", "spy"), "statistics:read").allowed


def test_a_case_action_without_a_case_needs_a_grant_everywhere():
    assert POLICY.decide(principal("ombudsman"), "reads:read").allowed
    assert not POLICY.decide(principal("prosecutor"), "reads:read").allowed


def test_the_head_of_the_unit_and_the_chair_of_the_court_assign_their_cases():
    from dataclasses import replace

    for role, title in (("investigator", "head"), ("inquiry_officer", "head"), ("judge", "chair")):
        plain = principal(role)
        holder = replace(plain, title=title)
        assert not POLICY.decide(plain, "case:assign", case("assigned", role)).allowed
        granted = POLICY.decide(holder, "case:assign", case("assigned", role))
        assert granted.allowed and f"({title})" in granted.reason
        assert not POLICY.decide(holder, "case:assign", case("unassigned", role)).allowed
    refused = POLICY.decide(principal("investigator"), "case:assign", case("assigned", "investigator"))
    assert "as the head" in refused.reason


def test_a_title_the_policy_does_not_give_the_role_is_refused():
    raw = {
        "jurisdiction": "kz",
        "titles": {"chair": {"description": "x", "roles": ["judge"]}},
        "roles": {"investigator": [{"actions": ["case:assign"], "scope": "unit", "title": "chair"}]},
    }
    with pytest.raises(LawDataError, match=r"roles\.investigator\.0\.title"):
        access.parse(raw)


def test_an_assigned_read_says_so():
    assert POLICY.decide(principal("investigator"), "case:read", case("assigned", "investigator")).assigned
    assert not POLICY.decide(principal("admin"), "case:read", case("unassigned", "admin")).assigned


def test_the_ombudsman_reads_the_detention_section():
    decision = POLICY.decide(principal("ombudsman"), "case:read", case("unassigned", "ombudsman"))
    assert decision.section == "detention_and_complaints"
    assert "person.detained" in POLICY.section_kinds(decision.section)
    assert "suspicion.qualified" not in POLICY.section_kinds(decision.section)


def test_a_second_jurisdiction_is_a_second_policy_file():
    xx = access.of(load("tests/law_data/xx"))
    prosecutor = principal("prosecutor")
    assert not xx.decide(prosecutor, "case:read", case("unassigned", "prosecutor")).allowed
    assert xx.decide(prosecutor, "case:read", case("assigned", "prosecutor")).allowed
    assert POLICY.decide(prosecutor, "case:read", case("assigned", "prosecutor")).allowed


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["roles"]["judge"][0]["actions"].append("case:burn"), "unknown action"),
        (lambda d: d["roles"]["judge"][0].update(scope="anywhere"), "unknown scope"),
        (lambda d: d["roles"].update(sheriff=[]), "unknown role"),
        (lambda d: d["sections"]["detention_and_complaints"]["kinds"].append("person.vanished"), "unknown event kind"),
        (lambda d: d["roles"]["doctor"][0].update(section="everything"), "unknown section"),
    ],
)
def test_a_policy_that_names_what_habeas_does_not_know_is_refused(change, where):
    document = copy.deepcopy(read_documents("kz")["policy.yaml"])
    change(document)
    with pytest.raises(LawDataError, match=where):
        access.parse(document)


def test_what_a_role_holds_at_all_is_read_from_its_grants():
    assert POLICY.holds("investigator", "case:read", "unit") and POLICY.holds("investigator", "case:record")
    assert not POLICY.holds("investigator", "case:read", "everywhere")
    assert POLICY.holds("ombudsman", "reads:read", "everywhere")
    assert not POLICY.holds("analyst", "case:read") and POLICY.holds("analyst", "statistics:read")
    assert not POLICY.holds("spy", "statistics:read")
