"""Only facts that can be true, over HTTP (issue 20, item 2): every contradiction of
`tests/test_truth.py` sent as a registrar's batch is refused (422, the line and the field) or
stored and flagged, on both stores; one official's fact dated in the future, on no party, or
with a key given twice is refused with a clear message."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.api.conftest import DETENTION_CASE, is_error
from tests.conftest import NOW, event
from tests.test_truth import CASE, FLAGGED, REFUSED, opening

BATCH = "/api/v1/events:batch"
EVENTS = "/api/v1/events"


def send(api, facts: list[dict]):
    body = ("\n".join(json.dumps(e) for e in facts) + "\n").encode("utf-8")
    return api.client.post(
        BATCH, content=body, headers={**api.sign_in("registrar"), "content-type": "application/x-ndjson"}
    )


@pytest.mark.parametrize("name", REFUSED)
def test_a_batch_with_a_fact_that_cannot_be_true_is_refused(api, name):
    facts, field, words = REFUSED[name]
    error = is_error(send(api, [*opening(), *facts]), 422, "invalid")
    (line,) = error["lines"]
    assert line["line"] == 3 + len(facts) and line["field"] == field and words in line["reason"], line
    is_error(api.client.get(f"/api/v1/cases/{CASE}", headers=api.sign_in("admin")), 404)  # nothing stored


@pytest.mark.parametrize("name", FLAGGED)
def test_a_batch_with_a_contradiction_is_stored_and_flagged(api, name):
    answer = send(api, [*opening(), *FLAGGED[name]])
    assert answer.status_code == 201, answer.text
    file = api.client.get(f"/api/v1/cases/{CASE}", params={"at": NOW.isoformat()}, headers=api.sign_in("admin"))
    codes = [f["code"] for f in file.json()["findings"]]
    assert "KZ-INCONSISTENT-TIMELINE" in codes


def _detention(**changes) -> dict:
    raw = event(
        "person.detained", {"person": "P1", "place": "street"}, case=DETENTION_CASE, at="2024-03-05T10:00:00+05:00"
    )
    raw.pop("actor")
    raw.update(changes)
    return raw


def test_an_official_s_fact_dated_in_the_future_is_refused(api):
    future = _detention(occurred_at=(NOW + timedelta(days=2)).isoformat())
    error = is_error(api.client.post(EVENTS, json=future, headers=api.sign_in("inv-1")), 422, "invalid", "occurred_at")
    assert "after the register's clock" in error["message"]


def test_an_official_s_act_on_no_party_is_refused_naming_party_added(api):
    ghost = _detention(data={"person": "P9", "place": "street"})
    error = is_error(api.client.post(EVENTS, json=ghost, headers=api.sign_in("inv-1")), 422, "invalid", "data.person")
    assert "party.added" in error["message"]
    board = api.client.get("/api/v1/alerts", headers=api.sign_in("admin")).json()["items"]
    assert all(a["person"] != "P9" for a in board)  # no phantom detainee


def test_a_body_with_a_key_given_twice_is_refused(api):
    text = json.dumps(_detention(id="first"))
    text = text.replace('"id": "first"', '"id": "first", "id": "second"')
    answer = api.client.post(EVENTS, content=text, headers={**api.sign_in("inv-1"), "content-type": "application/json"})
    error = is_error(answer, 422, "invalid", "id")
    assert "twice" in error["message"]
    assert api.client.post(EVENTS, json=_detention(id="second"), headers=api.sign_in("inv-1")).status_code == 201


def test_statistics_show_no_period_after_the_clock(api):
    # the clock reads NOW (2026): 2025 has closed; 2026 has begun but not closed; 2027 has not begun
    assert api.client.get("/api/v1/statistics", params={"years": "2025"}).status_code == 200
    error = is_error(api.client.get("/api/v1/statistics", params={"years": "2025-2027"}), 422, "invalid", "years")
    assert "2027" in error["message"] and "has not begun" in error["message"]
    error = is_error(api.client.get("/api/v1/statistics", params={"years": "2026"}), 422, "invalid", "years")
    assert "2026 has not closed yet" in error["message"]
    later = (NOW + timedelta(days=400)).isoformat()
    is_error(api.client.get("/api/v1/statistics", params={"years": "2026", "at": later}), 422, "invalid", "at")


def test_the_statistics_service_refuses_a_year_after_its_time(api):
    from habeas.services import statistics as stats

    spec = stats.ReportSpec.parse("years=2027&sections=detention")
    with pytest.raises(stats.SpecError, match="has not begun"):
        stats.report(api.engine, spec, NOW, jurisdiction="kz", load=lambda: api.law)
    with pytest.raises(stats.SpecError, match="has not begun"):
        stats.export(api.engine, "offences", spec, NOW, jurisdiction="kz", load=lambda: api.law)
