"""`POST /api/v1/events`: an official records one fact; the answer says where the log put it,
or why nothing was stored."""

from __future__ import annotations

import re

import pytest

from habeas.services import maintenance
from tests.api.conftest import DETENTION_CASE, is_error
from tests.conftest import event

EVENTS = "/api/v1/events"
DELIVERED = event("person.delivered", {"person": "P1", "place": "Bostandyk police"}, id="api-delivered")


def test_an_investigator_records_a_fact_of_their_units_case(api):
    head = api.client.get("/api/v1/ledger/head").json()["events"]["position"]
    answer = api.client.post(EVENTS, json=DELIVERED, headers=api.sign_in("inv-1"))
    assert answer.status_code == 201, answer.text
    stored = answer.json()
    assert stored["id"] == "api-delivered" and stored["status"] == "stored"
    assert stored["position"] == head + 1
    assert re.fullmatch(r"[0-9a-f]{64}", stored["hash"])
    checked = maintenance.verify(api.engine)
    assert checked.intact and (checked.head_position, checked.head_hash) == (stored["position"], stored["hash"])
    file = api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=api.sign_in("inv-1")).json()
    shown = next(e for e in file["events"] if e["id"] == "api-delivered")
    assert shown["position"] == stored["position"] and shown["data"] == DELIVERED["data"]
    assert shown["actor"]["id"] == "inv-1"


def test_an_event_without_actor_is_the_signed_in_officials_own_act(api):
    mine = {k: v for k, v in DELIVERED.items() if k != "actor"}
    assert api.client.post(EVENTS, json=mine, headers=api.sign_in("inv-1")).status_code == 201
    file = api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=api.sign_in("admin")).json()
    shown = next(e for e in file["events"] if e["id"] == "api-delivered")
    assert shown["actor"] == {"id": "inv-1", "role": "investigator", "agency": "police-almaty-bostandyk"}


def test_an_event_without_id_gets_one_from_the_register(api):
    anonymous = {k: v for k, v in DELIVERED.items() if k != "id"}
    answer = api.client.post(EVENTS, json=anonymous, headers=api.sign_in("inv-1"))
    assert answer.status_code == 201 and answer.json()["id"].startswith("ev-")


def test_sending_the_same_event_again_is_a_no_op_with_the_stored_answer(api):
    headers = api.sign_in("inv-1")
    first = api.client.post(EVENTS, json=DELIVERED, headers=headers)
    again = api.client.post(EVENTS, json=DELIVERED, headers=headers)
    assert first.status_code == 201 and again.status_code == 200, again.text
    assert again.json()["status"] == "skipped"
    assert {k: again.json()[k] for k in ("id", "position", "hash")} == {
        k: first.json()[k] for k in ("id", "position", "hash")
    }
    assert api.client.get("/api/v1/ledger/head").json()["events"]["position"] == first.json()["position"]


def test_an_investigator_opens_a_new_case_of_their_unit(api):
    headers = api.sign_in("inv-1")
    opened = event(
        "report.received", {"channel": "in_person", "summary": "a theft"}, case="KZ-2024-000901", id="api-open"
    )
    registered = event(
        "case.registered",
        {"erdr_number": "9", "article": "188", "region": "almaty-city"},
        case="KZ-2024-000901",
        id="api-register",
    )
    assert api.client.post(EVENTS, json=opened, headers=headers).status_code == 201
    assert api.client.post(EVENTS, json=registered, headers=headers).status_code == 201
    assert api.client.get("/api/v1/cases/KZ-2024-000901", headers=headers).status_code == 200
    is_error(api.client.get("/api/v1/cases/KZ-2024-000901", headers=api.sign_in("inv-301")), 403, "forbidden")


def test_the_same_id_with_other_content_is_a_conflict(api):
    headers = api.sign_in("inv-1")
    assert api.client.post(EVENTS, json=DELIVERED, headers=headers).status_code == 201
    other = {**DELIVERED, "data": {"person": "P1", "place": "somewhere else"}}
    is_error(api.client.post(EVENTS, json=other, headers=headers), 409, "conflict", "id")


BAD_INPUT = {
    "a data field missing": ({**DELIVERED, "data": {"person": "P1"}}, "data.place"),
    "a time without its offset": ({**DELIVERED, "occurred_at": "2024-03-01T10:00:00"}, "occurred_at"),
    "a time that is no time": ({**DELIVERED, "occurred_at": "yesterday"}, "occurred_at"),
    "a kind not in the vocabulary": ({**DELIVERED, "kind": "person.teleported"}, "kind"),
    "a field the kind does not have": ({**DELIVERED, "data": {**DELIVERED["data"], "colour": "red"}}, "data.colour"),
    "a string where a boolean goes": (
        event("person.questioned", {"person": "P1", "counsel_present": "yes"}),
        "data.counsel_present",
    ),
    "a huge string": ({**DELIVERED, "data": {"person": "P1", "place": "x" * 200_000}}, "data.place"),
    "no kind at all": ({k: v for k, v in DELIVERED.items() if k != "kind"}, "kind"),
}


@pytest.mark.parametrize("body, field", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(sqlite_api, body, field):
    head = sqlite_api.client.get("/api/v1/ledger/head").json()
    error = is_error(
        sqlite_api.client.post(EVENTS, json=body, headers=sqlite_api.sign_in("inv-1")), 422, "invalid", field
    )
    assert error["message"].startswith(f"{field}: ")
    assert sqlite_api.client.get("/api/v1/ledger/head").json()["events"] == head["events"]


@pytest.mark.parametrize("body", [[DELIVERED], "an event", 42, None], ids=["a list", "a string", "a number", "null"])
def test_a_body_that_is_no_json_object_is_invalid_input(sqlite_api, body):
    is_error(sqlite_api.client.post(EVENTS, json=body, headers=sqlite_api.sign_in("inv-1")), 422, "invalid")


def test_a_body_that_is_no_json_is_invalid_input(sqlite_api):
    headers = {**sqlite_api.sign_in("inv-1"), "content-type": "application/json"}
    is_error(sqlite_api.client.post(EVENTS, content=b'{"kind": ', headers=headers), 422, "invalid")


def test_a_body_that_is_no_json_names_no_field(sqlite_api):
    headers = {**sqlite_api.sign_in("inv-1"), "content-type": "application/json"}
    error = is_error(sqlite_api.client.post(EVENTS, content=b'{"kind": ', headers=headers), 422, "invalid")
    assert error.get("field") is None


@pytest.mark.parametrize("path", [EVENTS, "/api/v1/sessions"])
def test_a_body_that_is_not_utf8_is_invalid_input_as_documented(sqlite_api, path):
    """Found by schemathesis: such a body once got FastAPI's undeclared 400."""
    headers = {**sqlite_api.sign_in("inv-1"), "content-type": "application/json"}
    answer = sqlite_api.client.post(path, content=b"n\xc3\x28|\xff", headers=headers)
    is_error(answer, 422, "invalid")
    declared = sqlite_api.client.get("/openapi.json").json()["paths"][path]["post"]["responses"]
    assert "422" in declared


def test_an_event_on_a_case_that_does_not_exist_is_refused_naming_the_case(api):
    orphan = {**DELIVERED, "case": "KZ-2024-999999"}
    is_error(api.client.post(EVENTS, json=orphan, headers=api.sign_in("registrar")), 422, "invalid", "case")


def test_without_a_session_nothing_is_recorded(api):
    is_error(api.client.post(EVENTS, json=DELIVERED), 401, "unauthenticated")
    is_error(api.client.post(EVENTS, json=DELIVERED, headers={"Authorization": "Bearer nope"}), 401)
    assert not any(e["id"] == "api-delivered" for e in _events(api))


def test_an_act_the_law_gives_to_a_judge_is_refused_to_an_investigator(api):
    ordered = event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, id="api-order")
    error = is_error(
        api.client.post(EVENTS, json=ordered, headers=api.sign_in("inv-1")), 403, "forbidden", "actor.role"
    )
    assert "investigating_judge" in error["message"]
    assert not any(e["id"] == "api-order" for e in _events(api))


def test_the_investigating_judge_assigned_may_order_custody(api):
    assign = event(
        "case.assigned",
        {"official": "ij-almaty", "role": "investigating_judge"},
        role="prosecutor",
        actor="pr-almaty",
        id="api-assign-ij",
    )
    assign["actor"]["agency"] = "prosecutor-almaty"
    assert api.client.post(EVENTS, json=assign, headers=api.sign_in("pr-almaty")).status_code == 201
    ordered = {
        "id": "api-order",
        "kind": "custody.ordered",
        "case": DETENTION_CASE,
        "occurred_at": "2024-03-03T09:00:00+05:00",
        "data": {"person": "P1", "until": "2024-05-01T10:00:00+05:00"},
    }
    answer = api.client.post(EVENTS, json=ordered, headers=api.sign_in("ij-almaty"))
    assert answer.status_code == 201, answer.text


def test_an_investigator_of_another_unit_may_not_record_and_the_attempt_is_logged(api):
    theirs = {
        **DELIVERED,
        "actor": {"id": "inv-301", "role": "investigator", "agency": "police-astana-almaty-district"},
    }
    is_error(api.client.post(EVENTS, json=theirs, headers=api.sign_in("inv-301")), 403, "forbidden")
    assert not any(e["id"] == "api-delivered" for e in _events(api))
    reads = api.client.get(f"/api/v1/cases/{DETENTION_CASE}/reads", headers=api.sign_in("pr-almaty"))
    assert reads.status_code == 200, reads.text
    refused = [r for r in reads.json() if r["actor"]["id"] == "inv-301" and r["action"] == "case:record"]
    assert len(refused) == 1 and refused[0]["allowed"] is False and refused[0]["what"] == "person.delivered"


def test_an_official_records_only_their_own_acts(api):
    for_another = {**DELIVERED, "actor": {"id": "inv-2", "role": "investigator", "agency": "police-almaty-bostandyk"}}
    is_error(api.client.post(EVENTS, json=for_another, headers=api.sign_in("inv-1")), 403, "forbidden", "actor")
    as_a_judge = {**DELIVERED, "actor": {"id": "inv-1", "role": "investigating_judge", "agency": "x"}}
    is_error(api.client.post(EVENTS, json=as_a_judge, headers=api.sign_in("inv-1")), 403, "forbidden", "actor")
    assert not any(e["id"] == "api-delivered" for e in _events(api))


def test_an_ombudsman_who_may_record_on_every_case_still_records_only_their_own_acts(api):
    complaint = {
        "id": "api-complaint",
        "kind": "complaint.filed",
        "case": DETENTION_CASE,
        "occurred_at": "2024-03-02T10:00:00+05:00",
        "data": {"complaint": "c-1", "person": "P1", "about": "ill_treatment"},
    }
    as_investigator = {**complaint, "actor": DELIVERED["actor"]}
    is_error(api.client.post(EVENTS, json=as_investigator, headers=api.sign_in("ombudsman")), 403, "forbidden", "actor")
    assert api.client.post(EVENTS, json=complaint, headers=api.sign_in("ombudsman")).status_code == 201


def test_a_registrar_records_for_the_officials_of_other_systems(api):
    answer = api.client.post(EVENTS, json=DELIVERED, headers=api.sign_in("registrar"))
    assert answer.status_code == 201, answer.text
    shown = next(e for e in _events(api) if e["id"] == "api-delivered")
    assert shown["actor"]["id"] == "inv-1"
    assert shown["registrar"]["id"] == "registrar" and shown["registrar"]["role"] == "registrar"
    assert maintenance.verify(api.engine).intact


def test_a_registrar_is_still_held_to_the_laws_competence(api):
    ordered = event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, id="api-order")
    is_error(api.client.post(EVENTS, json=ordered, headers=api.sign_in("registrar")), 403, "forbidden", "actor.role")


def _events(api) -> list[dict]:
    answer = api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=api.sign_in("admin"))
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]
