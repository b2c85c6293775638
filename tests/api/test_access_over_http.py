"""The access matrix over HTTP: for a sample of who asks and what they ask, the status the API
answers is the one the access policy decides (`access.policy.of(law).decide`), and the policy's
answer is the one `tests/access/matrix.csv` expects for that relation to the case.

The case is the example case (Astana, brought by police-astana-almaty-district, before
court-astana-district-2, counsel adv-1 admitted for P1)."""

from __future__ import annotations

import pytest

from habeas.access import policy
from habeas.access.facts import PUBLIC, Principal, case_facts
from habeas.ledger import store
from tests.access.matrix import rows
from tests.api.conftest import COURT_CASE, PEOPLE, is_error

# who asks -> their relation to the case, in the matrix's words
SAMPLE = {
    "inv-301": "assigned",  # an investigator of the unit that brought it
    "inv-1": "unassigned",  # an investigator of another unit
    "pr-12": "assigned",  # the prosecutor of the region
    "pr-almaty": "unassigned",  # a prosecutor of another region
    "j-9": "assigned",  # a judge of the court it is before
    "adv-1": "assigned",  # the defence lawyer admitted
    "p1-court": "own",  # the suspect P1 themselves
    "ombudsman": "unassigned",
    "analyst": "unassigned",
    "anonymous": "unassigned",
}


def principal(who: str) -> Principal:
    if who == "anonymous":
        return Principal("public", PUBLIC)
    role, agency, region, person = PEOPLE[who]
    return Principal(who, role, agency, region, person)


def matrix_says(role: str, action: str, relation: str) -> bool:
    [row] = [r for r in rows() if r["role"] == role and r["action"] == action]
    return row[relation] in ("yes", "part")


@pytest.mark.parametrize("who", SAMPLE)
def test_http_answers_as_the_policy_decides(api, who):
    with api.engine.connect() as conn:
        facts = case_facts(COURT_CASE, store.stream_events(conn, COURT_CASE))
    asker = principal(who)

    def allowed(action: str, case=facts) -> bool:
        decided = policy.of(api.law).decide(asker, action, case).allowed
        assert decided == matrix_says(asker.role, action, SAMPLE[who]), (who, action)
        return decided

    def expect(answer, action: str, ok: int) -> None:
        if who == "anonymous":
            is_error(answer, 401, "unauthenticated")
        elif allowed(action):
            assert answer.status_code == ok, (who, action, answer.text)
        else:
            is_error(answer, 403, "forbidden")

    headers = {} if who == "anonymous" else api.sign_in(who)
    client = api.client
    expect(client.get(f"/api/v1/cases/{COURT_CASE}", headers=headers), "case:read", 200)
    expect(client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=headers), "reads:read", 200)
    complaint = {
        "id": f"api-complaint-{who}",
        "kind": "complaint.filed",
        "case": COURT_CASE,
        "occurred_at": "2024-05-22T10:00:00+05:00",
        "data": {"complaint": f"c-{who}", "person": "P1", "about": "ill_treatment"},
    }
    expect(client.post("/api/v1/events", json=complaint, headers=headers), "case:record", 201)

    statistics = client.get("/api/v1/statistics", params={"years": "2024"}, headers=headers)
    assert statistics.status_code == (200 if allowed("statistics:read", None) else 403)

    alerts = client.get("/api/v1/alerts", headers=headers)
    if who == "anonymous":
        is_error(alerts, 401, "unauthenticated")
    else:
        assert alerts.status_code == 200, alerts.text
        shown = {a["case"] for a in alerts.json()["items"]}
        assert (COURT_CASE in shown) == allowed("case:read"), (who, shown)


def test_the_sample_holds_both_answers_for_every_action():
    """So the test above checks refusals and grants alike, not one of them only."""
    for action in ("case:read", "reads:read", "case:record"):
        answers = {matrix_says(principal(who).role, action, relation) for who, relation in SAMPLE.items()}
        assert answers == {True, False}, action
