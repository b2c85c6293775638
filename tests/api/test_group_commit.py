"""Many clerks at once: concurrent `POST /events` are committed in groups, and each request
still gets its own answer (its position, or its own refusal)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from habeas.services import maintenance
from tests.api.conftest import DETENTION_CASE, is_error
from tests.conftest import REGISTRAR, event

SENDERS = 32
COMPETENCE_REFUSED = {5, 17, 29}  # an investigator ordering custody: the law's refusal, 403
NO_SUCH_CASE = {11, 23}  # a fact of a case never opened: 422 naming `case`


def sent_by(n: int) -> dict:
    if n in COMPETENCE_REFUSED:
        return event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, id=f"group-{n}")
    if n in NO_SUCH_CASE:
        return event("relatives.notified", {"person": "P1"}, case="KZ-2024-555555", id=f"group-{n}")
    return event("complaint.filed", {"complaint": f"c-{n}", "person": "P1", "about": "other"}, id=f"group-{n}")


def test_concurrent_events_are_stored_once_each_in_groups_with_their_own_answers(api):
    headers = api.sign_in("registrar")  # records for the investigator inv-1, as a police system does
    committer = api.ctx.committer
    groups_before = committer.groups
    head = maintenance.verify(api.engine).head_position
    start = threading.Barrier(SENDERS)

    def send(n: int):
        start.wait()
        return n, api.client.post("/api/v1/events", json=sent_by(n), headers=headers)

    with ThreadPoolExecutor(SENDERS) as pool:
        answers = dict(pool.map(send, range(SENDERS)))

    stored = {}
    for n, answer in answers.items():
        if n in COMPETENCE_REFUSED:
            assert "custody.ordered" in is_error(answer, 403, "forbidden", "actor.role")["message"]
        elif n in NO_SUCH_CASE:
            assert "KZ-2024-555555" in is_error(answer, 422, "invalid", "case")["message"]
        else:
            assert answer.status_code == 201, (n, answer.text)
            assert answer.json()["id"] == f"group-{n}" and answer.json()["status"] == "stored"
            stored[n] = answer.json()
    good = SENDERS - len(COMPETENCE_REFUSED) - len(NO_SUCH_CASE)
    assert len(stored) == good
    assert sorted(s["position"] for s in stored.values()) == list(range(head + 1, head + good + 1))
    assert len({s["hash"] for s in stored.values()}) == good

    checked = maintenance.verify(api.engine)
    assert checked.intact and checked.head_position == head + good
    events = api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=api.sign_in("admin")).json()["events"]
    ids = [e["id"] for e in events if e["id"].startswith("group-")]
    assert sorted(ids) == sorted(f"group-{n}" for n in stored)  # each once, no refused one
    by_id = {e["id"]: e["position"] for e in events}
    assert all(by_id[f"group-{n}"] == s["position"] for n, s in stored.items())
    assert 1 <= committer.groups - groups_before < SENDERS  # grouped, not one transaction each


def test_a_refusal_in_a_group_goes_to_its_sender_only_when_submitted_directly(api):
    """The committer itself, without HTTP: the same answers, one each."""
    committer = api.ctx.committer
    groups_before = committer.groups
    start = threading.Barrier(SENDERS)

    def submit(n: int):
        start.wait()
        try:
            return n, committer.submit(sent_by(n), REGISTRAR).event.id
        except Exception as exc:  # noqa: BLE001 - the refusal is the answer under test
            return n, exc

    with ThreadPoolExecutor(SENDERS) as pool:
        answers = dict(pool.map(submit, range(SENDERS)))
    for n, answer in answers.items():
        if n in COMPETENCE_REFUSED or n in NO_SUCH_CASE:
            assert isinstance(answer, Exception) and answer.problems[0].field == (
                "actor.role" if n in COMPETENCE_REFUSED else "case"
            ), (n, answer)
        else:
            assert answer == f"group-{n}"
    assert committer.groups - groups_before < SENDERS
    assert maintenance.verify(api.engine).intact
