"""Acts checked like rights (issue 23 item 1): each way issue 23 found to write around the
policy, tried over HTTP as the attacker would, now refused, with the lawful act beside it.

The court case (Astana, police-astana-almaty-district's, before court-astana-district-2,
adv-1 admitted for the suspect P1, V1 the victim) and the detention case (Almaty,
police-almaty-bostandyk's, P1 detained) of `tests/api/conftest.py`."""

from __future__ import annotations

import json

from habeas.services import users
from tests.api.conftest import COURT_CASE, DETENTION_CASE, is_error
from tests.conftest import NOW, event

EVENTS = "/api/v1/events"
AT = "2024-03-02T10:00:00+05:00"
COURT_AT = "2024-05-22T10:00:00+05:00"


def someone(api, login, role, agency=None, region=None, person=None, title=None) -> dict[str, str]:
    """A user the conftest's PEOPLE do not hold, signed in: their bearer headers."""
    added = users.add(
        api.engine, api.law, users.operator("op"), NOW, login, role, agency, region, person=person, title=title
    )
    answer = api.client.post("/api/v1/sessions", json={"login": login, "token": added.token})
    assert answer.status_code == 201, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def act(kind, data, case=DETENTION_CASE, at=AT, **actor) -> dict:
    raw = {"kind": kind, "case": case, "occurred_at": at, "data": data}
    if actor:
        raw["actor"] = actor
    return raw


def post(api, raw, headers):
    return api.client.post(EVENTS, json=raw, headers=headers)


def reads(api, case, who):
    answer = api.client.get(f"/api/v1/cases/{case}", params={"purpose": "test"}, headers=api.sign_in(who))
    return answer.status_code


def test_assigning_needs_the_heads_title_not_just_a_right_to_record(sqlite_api):
    api = sqlite_api
    api.add_user("adv-2")
    assigning = act("case.assigned", {"official": "adv-2"})
    error = is_error(post(api, assigning, api.sign_in("inv-1")), 403, "forbidden")
    assert "case:assign" in error["message"]
    assert reads(api, DETENTION_CASE, "adv-2") == 403
    head = someone(api, "inv-head", "investigator", "police-almaty-bostandyk", "almaty-city", title="head")
    assert post(api, assigning, head).status_code == 201
    assert post(api, act("case.assigned", {"official": "adv-2"}), api.sign_in("pr-almaty")).status_code == 201


def test_an_acts_agency_is_the_signed_in_users_own(sqlite_api):
    api = sqlite_api
    opened = act("report.received", {"channel": "in_person", "summary": "x"}, case="KZ-2024-000950")
    theirs = {**opened, "actor": {"id": "inv-1", "role": "investigator", "agency": "police-astana-almaty-district"}}
    is_error(post(api, theirs, api.sign_in("inv-1")), 403, "forbidden", "actor")
    assert reads(api, "KZ-2024-000950", "admin") == 404
    assert post(api, opened, api.sign_in("inv-1")).status_code == 201
    assert reads(api, "KZ-2024-000950", "inv-301") == 403  # the other unit did not get the case


def test_a_case_moves_to_another_region_only_by_the_prosecutors_transfer(api):
    again = act("case.registered", {"erdr_number": "2", "article": "293", "region": "astana"})
    error = is_error(post(api, again, api.sign_in("inv-1")), 403, "forbidden")
    assert "case:transfer" in error["message"]
    assert reads(api, DETENTION_CASE, "pr-almaty") == 200 and reads(api, DETENTION_CASE, "pr-12") == 403
    # the region spelt otherwise is the same region: no transfer, nobody loses the case
    same = act("case.registered", {"erdr_number": "2", "article": "293", "region": "750000000"})
    assert post(api, same, api.sign_in("inv-1")).status_code == 201
    assert reads(api, DETENTION_CASE, "pr-almaty") == 200
    assert post(api, again, api.sign_in("pr-almaty")).status_code == 201  # the supervising prosecutor's transfer
    assert reads(api, DETENTION_CASE, "pr-12") == 200 and reads(api, DETENTION_CASE, "pr-almaty") == 403


def test_a_case_registered_under_its_kato_code_is_its_regions(sqlite_api):
    api = sqlite_api
    case = "KZ-2024-000951"
    opened = act("report.received", {"channel": "in_person", "summary": "x"}, case=case)
    registered = act("case.registered", {"erdr_number": "5", "article": "188", "region": "750000000"}, case=case)
    for raw in (opened, registered):
        assert post(api, raw, api.sign_in("inv-1")).status_code == 201
    assert reads(api, case, "pr-almaty") == 200 and reads(api, case, "pr-12") == 403


def test_access_follows_a_correction_of_the_lawyer(api):
    assert reads(api, COURT_CASE, "adv-1") == 200 and reads(api, COURT_CASE, "adv-2") == 403
    fix = act(
        "record.corrected",
        {"event": "ex-0011", "reason": "wrong lawyer entered", "data": {"lawyer": "adv-2"}},
        case=COURT_CASE,
        at=COURT_AT,
    )
    answer = post(api, fix, api.sign_in("inv-301"))
    assert answer.status_code == 201, answer.text
    assert reads(api, COURT_CASE, "adv-1") == 403 and reads(api, COURT_CASE, "adv-2") == 200


def test_a_lawyer_admits_only_themselves(sqlite_api):
    api = sqlite_api
    other = act("counsel.admitted", {"person": "P1", "lawyer": "adv-2"}, case=COURT_CASE, at=COURT_AT)
    error = is_error(post(api, other, api.sign_in("adv-1")), 403, "forbidden")
    assert "names only themselves" in error["message"]
    assert reads(api, COURT_CASE, "adv-2") == 403
    itself = act("counsel.admitted", {"person": "P1", "lawyer": "adv-1"}, case=COURT_CASE, at=COURT_AT)
    assert post(api, itself, api.sign_in("adv-1")).status_code == 201


def test_a_clerk_cannot_move_a_trial_to_another_court(sqlite_api):
    api = sqlite_api
    clerk = someone(api, "clerk-2", "court_clerk", "court-astana-district-2", "astana")
    moved = act("trial.started", {"court": "court-almaty-district-1"}, case=COURT_CASE, at=COURT_AT)
    is_error(post(api, moved, clerk), 403, "forbidden")
    almaty_judge = someone(api, "j-almaty", "judge", "court-almaty-district-1", "almaty-city")
    assert (
        api.client.get(f"/api/v1/cases/{COURT_CASE}", params={"purpose": "t"}, headers=almaty_judge).status_code == 403
    )
    here = act("trial.started", {"court": "court-astana-district-2"}, case=COURT_CASE, at=COURT_AT)
    assert post(api, here, clerk).status_code == 201


def test_a_person_acts_only_in_their_own_name(sqlite_api):
    api = sqlite_api
    victim = someone(api, "v1-court", "person", person=(COURT_CASE, "V1"))
    complaint = {"complaint": "c-9", "about": "ill_treatment"}
    for_the_suspect = act("complaint.filed", {**complaint, "person": "P1"}, case=COURT_CASE, at=COURT_AT)
    error = is_error(post(api, for_the_suspect, victim), 403, "forbidden")
    assert "own name" in error["message"]
    own = act("complaint.filed", {**complaint, "person": "V1"}, case=COURT_CASE, at=COURT_AT)
    assert post(api, own, victim).status_code == 201


def test_a_section_grant_limits_what_is_recorded(sqlite_api):
    api = sqlite_api
    officer = someone(api, "po-1", "prison_officer", "penitentiary-almaty", "almaty-city")
    assigned = act("case.assigned", {"official": "po-1"}, case=COURT_CASE, at=COURT_AT)
    assert post(api, assigned, api.sign_in("pr-12")).status_code == 201
    outside = act("appeal.filed", {"person": "P1", "by": "P1"}, case=COURT_CASE, at=COURT_AT)
    error = is_error(post(api, outside, officer), 403, "forbidden")
    assert "detention_and_complaints" in error["message"]
    inside = act("medical.examined", {"person": "P1", "injuries": False}, case=COURT_CASE, at=COURT_AT)
    assert post(api, inside, officer).status_code == 201


def test_a_batch_is_judged_act_by_act_as_its_actors(sqlite_api):
    """An import brings in other systems' records, but a user of this register named in one
    is held to their own rights: a lawyer admits no other lawyer through a registrar."""
    api = sqlite_api
    api.add_user("adv-2")
    other = event("counsel.admitted", {"person": "P1", "lawyer": "adv-9"}, role="defence_lawyer", actor="adv-2")
    body = (json.dumps(other) + "\n").encode()
    headers = {"content-type": "application/x-ndjson", **api.sign_in("registrar")}
    answer = api.client.post("/api/v1/events:batch", content=body, headers=headers)
    error = is_error(answer, 422, "invalid")
    assert "names only themselves" in error["message"] and error["lines"][0]["field"] == "actor"


def test_a_batch_cannot_assign_for_a_user_without_the_title(sqlite_api):
    """A user of this register named as an import's actor is held to their own rights."""
    api = sqlite_api
    api.add_user("inv-1")
    assigning = event("case.assigned", {"official": "adv-2"})
    body = (json.dumps(assigning) + "\n").encode()
    headers = {"content-type": "application/x-ndjson", **api.sign_in("registrar")}
    error = is_error(api.client.post("/api/v1/events:batch", content=body, headers=headers), 422, "invalid")
    assert "case:assign" in error["message"]


def test_a_party_reads_their_own_part_of_the_file_not_another_partys_data(sqlite_api):
    api = sqlite_api
    examined = act(
        "medical.examined", {"person": "P1", "injuries": True, "notes": "bruises"}, case=COURT_CASE, at=COURT_AT
    )
    doctor = someone(api, "doc-1", "doctor", "penitentiary-astana", "astana")
    assert (
        post(
            api, act("case.assigned", {"official": "doc-1"}, case=COURT_CASE, at=COURT_AT), api.sign_in("pr-12")
        ).status_code
        == 201
    )
    assert post(api, examined, doctor).status_code == 201
    victim = someone(api, "v1-court", "person", person=(COURT_CASE, "V1"))
    seen = api.client.get(f"/api/v1/cases/{COURT_CASE}", params={"purpose": "mine"}, headers=victim)
    assert seen.status_code == 200, seen.text
    file = seen.json()
    assert {p["person"] for p in file["parties"]} == {"V1"}
    assert not any(e["data"].get("person") not in (None, "V1") for e in file["events"])
    assert "bruises" not in seen.text and "Aidar" not in seen.text
    suspect = api.client.get(f"/api/v1/cases/{COURT_CASE}", params={"purpose": "mine"}, headers=api.sign_in("p1-court"))
    assert "bruises" in suspect.text and "Saule" not in suspect.text
