"""`POST /api/v1/events:batch`: another system sends a day's records as JSONL, all or nothing."""

from __future__ import annotations

import json
import subprocess
import sys

from habeas.services import maintenance
from habeas.services.register import jsonl_lines
from tests.api.conftest import detention_case, is_error
from tests.conftest import event

BATCH = "/api/v1/events:batch"
NDJSON = {"content-type": "application/x-ndjson"}
NEW_CASE = "KZ-2024-000900"


def jsonl(*events: dict) -> bytes:
    return ("\n".join(json.dumps(e) for e in events) + "\n").encode("utf-8")


def send(api, body: bytes, who: str | None = "registrar"):
    headers = {**NDJSON, **(api.sign_in(who) if who else {})}
    return api.client.post(BATCH, content=body, headers=headers)


def test_a_registrar_imports_a_batch_and_re_sending_it_stores_nothing_twice(api):
    head = api.client.get("/api/v1/ledger/head").json()["events"]["position"]
    body = jsonl(*detention_case(NEW_CASE))
    first = send(api, body)
    assert first.status_code == 201, first.text
    assert first.json() == {"lines": 4, "stored": 4, "skipped": 0, "head_position": head + 4}
    again = send(api, body)
    assert again.status_code == 201 and again.json() == {
        "lines": 4,
        "stored": 0,
        "skipped": 4,
        "head_position": head + 4,
    }
    file = api.client.get(f"/api/v1/cases/{NEW_CASE}", headers=api.sign_in("admin")).json()
    assert [e["id"] for e in file["events"]] == [f"{NEW_CASE}-{n}" for n in range(1, 5)]
    assert maintenance.verify(api.engine).intact


def test_one_bad_line_refuses_the_whole_batch_listing_every_bad_line(api):
    # the events' head: signing in may add to the account log, which is not the batch's to change
    head = api.client.get("/api/v1/ledger/head").json()["events"]
    good = detention_case(NEW_CASE)
    no_offset = {**good[2], "occurred_at": "2024-02-29T09:00:00"}
    unknown_kind = {**good[3], "kind": "person.teleported"}
    answer = send(api, jsonl(good[0], good[1], no_offset, unknown_kind))
    error = is_error(answer, 422, "invalid", "occurred_at")
    assert [(line["line"], line["field"]) for line in error["lines"]] == [(3, "occurred_at"), (4, "kind")]
    assert all(line["reason"] for line in error["lines"])
    assert error["message"].startswith("2 line(s) refused; nothing stored. line 3: occurred_at")
    assert api.client.get("/api/v1/ledger/head").json()["events"] == head
    is_error(api.client.get(f"/api/v1/cases/{NEW_CASE}", headers=api.sign_in("admin")), 404, "not_found")


def test_a_line_that_is_no_json_is_named_by_its_number(sqlite_api):
    good = detention_case(NEW_CASE)
    body = jsonl(good[0]) + b"{broken\n" + jsonl(good[1])
    error = is_error(send(sqlite_api, body), 422, "invalid")
    assert [line["line"] for line in error["lines"]] == [2]


def test_a_batch_refused_by_competence_stores_nothing(sqlite_api):
    ordered = event("custody.ordered", {"person": "P1", "until": "2024-04-01T10:00:00+05:00"}, case=NEW_CASE)
    error = is_error(send(sqlite_api, jsonl(*detention_case(NEW_CASE), ordered)), 422, "invalid")
    assert [(line["line"], line["field"]) for line in error["lines"]] == [(5, "actor.role")]
    is_error(sqlite_api.client.get(f"/api/v1/cases/{NEW_CASE}", headers=sqlite_api.sign_in("admin")), 404)


def test_only_a_registrar_may_send_a_batch(api):
    body = jsonl(*detention_case(NEW_CASE))
    is_error(send(api, body, who="inv-1"), 403, "forbidden")
    is_error(send(api, body, who="admin"), 403, "forbidden")
    is_error(send(api, body, who=None), 401, "unauthenticated")
    is_error(api.client.get(f"/api/v1/cases/{NEW_CASE}", headers=api.sign_in("admin")), 404)


def test_a_batch_that_is_not_utf8_is_invalid_input(sqlite_api):
    is_error(send(sqlite_api, b"\xff\xfe{}\n"), 422, "invalid")


def test_a_batch_splits_lines_only_at_line_feeds_as_the_import_does(api, tmp_path):
    """U+2028, U+2029 and U+0085 are legal inside a JSON string: the batch used to split
    there (refusing a file `habeas import` stores, with shifted line numbers)."""
    case = "KZ-2024-000901"
    events = detention_case(case)
    events[2]["data"]["name"] = "Line\u2028sep\u2029para\u0085next"
    body = "\r\n".join(json.dumps(e, ensure_ascii=False) for e in events) + "\n"
    assert len(jsonl_lines(body)) == 5 and len(body.splitlines()) > 5
    answer = api.client.post(
        "/api/v1/events:batch",
        content=body.encode("utf-8"),
        headers={"content-type": "application/x-ndjson", **api.sign_in("registrar")},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["stored"] == 4
    file = tmp_path / "same.jsonl"
    file.write_text(body.replace(case, "KZ-2024-000902"), encoding="utf-8", newline="")
    done = subprocess.run(
        [sys.executable, "-m", "habeas", "--db", api.url, "import", str(file)], capture_output=True, text=True
    )
    assert done.returncode == 0 and "stored 4" in done.stdout, done.stderr
    stored = api.client.get(f"/api/v1/cases/{case}", headers=api.sign_in("admin")).json()
    assert "Line\u2028sep\u2029para\u0085next" in json.dumps(stored, ensure_ascii=False)
