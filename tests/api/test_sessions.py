"""Signing in and out: a session token is the API's key, and it stops working when it should."""

from __future__ import annotations

from datetime import timedelta

from habeas.services import sessions, users
from tests.api.conftest import bearer, is_error
from tests.conftest import NOW


def test_signing_in_gives_a_session_token_for_a_working_day(api):
    token = api.add_user("inv-1")
    answer = api.client.post("/api/v1/sessions", json={"login": "inv-1", "token": token})
    assert answer.status_code == 201, answer.text
    opened = answer.json()
    assert len(opened["token"]) >= 32 and opened["token"] != token
    assert opened["expires_at"] == (NOW + sessions.LIFETIME).isoformat()
    assert opened["user"] == {
        "login": "inv-1",
        "role": "investigator",
        "agency": "police-almaty-bostandyk",
        "region": "almaty-city",
        "person": None,
    }
    me = api.client.get("/api/v1/me", headers=bearer(opened["token"]))
    assert me.status_code == 200 and me.json() == opened["user"]


def test_a_person_sees_their_case_and_party_in_me(api):
    me = api.client.get("/api/v1/me", headers=api.sign_in("p1-court")).json()
    assert me["role"] == "person" and me["person"] == "KZ-2024-000123:P1"


def test_a_wrong_token_or_unknown_login_is_refused_alike(api):
    api.add_user("inv-1")
    wrong = api.client.post("/api/v1/sessions", json={"login": "inv-1", "token": "not-the-token"})
    nobody = api.client.post("/api/v1/sessions", json={"login": "no-such-user", "token": "whatever"})
    assert is_error(wrong, 401, "unauthenticated")["message"] == is_error(nobody, 401, "unauthenticated")["message"]


def test_without_a_session_or_with_a_made_up_one_the_api_says_401(api):
    is_error(api.client.get("/api/v1/me"), 401, "unauthenticated")
    is_error(api.client.get("/api/v1/me", headers=bearer("made-up-token")), 401, "unauthenticated")
    is_error(api.client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthenticated")


def test_after_signing_out_the_session_token_no_longer_works(api):
    headers = api.sign_in("inv-1")
    assert api.client.delete("/api/v1/sessions/current", headers=headers).status_code == 204
    is_error(api.client.get("/api/v1/me", headers=headers), 401, "unauthenticated")
    is_error(api.client.get("/api/v1/cases/KZ-2024-000777", headers=headers), 401)


def test_signing_out_one_session_leaves_the_users_other_sessions_open(api):
    first, second = api.sign_in("inv-1"), api.sign_in("inv-1", fresh=True)
    assert api.client.delete("/api/v1/sessions/current", headers=first).status_code == 204
    assert api.client.get("/api/v1/me", headers=second).status_code == 200


def test_a_session_expires_after_its_lifetime(api):
    headers = api.sign_in("inv-1")
    api.clock.advance(sessions.LIFETIME - timedelta(seconds=1))
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    api.clock.advance(timedelta(seconds=1))
    is_error(api.client.get("/api/v1/me", headers=headers), 401, "unauthenticated")


def test_a_disabled_users_sessions_stop_at_once_and_they_cannot_sign_in_again(api):
    headers = api.sign_in("inv-1")
    users.disable(api.engine, api.law, users.operator("op"), NOW, "inv-1")
    is_error(api.client.get("/api/v1/me", headers=headers), 401, "unauthenticated")
    again = api.client.post("/api/v1/sessions", json={"login": "inv-1", "token": api.tokens["inv-1"]})
    is_error(again, 401, "unauthenticated")


def test_a_sign_in_form_without_a_token_is_invalid_input(api):
    is_error(api.client.post("/api/v1/sessions", json={"login": "inv-1"}), 422, "invalid", "token")
