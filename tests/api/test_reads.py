"""Reading the register over HTTP: the case list, the case file as of a time, alerts, who read
what, the law, the ledger's head and checkpoints, the public statistics."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys

import pytest

from habeas.services import checkpoints, maintenance
from tests.api.conftest import ALMATY, COURT_CASE, DETENTION_CASE, detention_case, is_error
from tests.conftest import event

QUIET_CASES = [f"KZ-2024-00080{n}" for n in range(1, 4)]  # registered in Shymkent, nobody detained
BEFORE_LIMIT = "2024-03-02T10:00:00+05:00"  # a day after P1's detention
AFTER_LIMIT = "2024-03-04T12:00:00+05:00"  # the 48 h passed 2024-03-03 10:00 with no order or release


def add_quiet_cases(api) -> None:
    lines = []
    for case in QUIET_CASES:
        for raw in detention_case(case)[:3]:
            if raw["kind"] == "case.registered":
                raw["data"]["region"] = "shymkent"
            raw["actor"]["agency"] = "police-shymkent"
            lines.append(json.dumps(raw))
    answer = api.client.post(
        "/api/v1/events:batch",
        content="\n".join(lines),
        headers={**api.sign_in("registrar"), "content-type": "application/x-ndjson"},
    )
    assert answer.status_code == 201, answer.text


def cases(api, headers, **params) -> list[str]:
    answer = api.client.get("/api/v1/cases", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return [row["case"] for row in answer.json()["items"]]


# --- the case list -------------------------------------------------------------------------


def test_the_case_list_filters_by_region_stage_agency_and_finding(api):
    add_quiet_cases(api)
    admin = api.sign_in("admin")
    assert cases(api, admin) == sorted([COURT_CASE, DETENTION_CASE, *QUIET_CASES])
    assert cases(api, admin, region="shymkent") == QUIET_CASES
    assert cases(api, admin, region=ALMATY) == [DETENTION_CASE]
    assert cases(api, admin, stage="court") == [COURT_CASE]
    assert cases(api, admin, stage="pre_trial") == sorted([DETENTION_CASE, *QUIET_CASES])
    assert cases(api, admin, agency="police-almaty-bostandyk") == [DETENTION_CASE]
    assert cases(api, admin, agency="police-shymkent") == QUIET_CASES
    assert cases(api, admin, code="KZ-DETENTION-LIMIT") == [COURT_CASE, DETENTION_CASE]
    assert cases(api, admin, region="nowhere") == []


def test_the_case_list_pages_with_a_cursor_through_every_case_exactly_once(api):
    add_quiet_cases(api)
    admin = api.sign_in("admin")
    seen, cursor = [], None
    for _ in range(20):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/v1/cases", params=params, headers=admin).json()
        assert len(page["items"]) == 1
        seen.append(page["items"][0]["case"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == cases(api, admin) and len(seen) == 5


@pytest.mark.parametrize("cursor", ["a", "ab=c", "////"])
def test_a_cursor_the_api_did_not_give_is_invalid_input(sqlite_api, cursor):
    admin = sqlite_api.sign_in("admin")
    is_error(sqlite_api.client.get("/api/v1/cases", params={"cursor": cursor}, headers=admin), 422, "invalid", "cursor")
    is_error(
        sqlite_api.client.get("/api/v1/alerts", params={"cursor": cursor}, headers=admin), 422, "invalid", "cursor"
    )


def test_a_made_up_cursor_is_refused_not_taken_as_the_first_page(sqlite_api):
    admin = sqlite_api.sign_in("admin")
    made_up = base64.urlsafe_b64encode(b"foo").decode()
    is_error(sqlite_api.client.get("/api/v1/cases", params={"cursor": "!!!!"}, headers=admin), 422, "invalid")
    is_error(sqlite_api.client.get("/api/v1/alerts", params={"cursor": made_up}, headers=admin), 422, "invalid")


def test_the_case_list_needs_a_session(sqlite_api):
    is_error(sqlite_api.client.get("/api/v1/cases"), 401, "unauthenticated")


# --- the case file -------------------------------------------------------------------------


def case_file(api, case, headers, **params):
    answer = api.client.get(f"/api/v1/cases/{case}", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_case_file_is_the_one_case_show_json_prints(sqlite_api):
    """The same file as the command line's `habeas case show --json` (same `at`)."""
    api = sqlite_api
    http = case_file(api, COURT_CASE, api.sign_in("admin"), at=AFTER_LIMIT)
    env = {**os.environ, "HABEAS_DATABASE_URL": api.url}
    env.pop("HABEAS_USER", None)
    cli = subprocess.run(
        [sys.executable, "-m", "habeas", "case", "show", COURT_CASE, "--json", "--at", AFTER_LIMIT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    # the API's document declares `section` (null unless the reader is given one section)
    assert {k: v for k, v in http.items() if (k, v) != ("section", None)} == json.loads(cli.stdout)
    assert {"case", "events", "findings"} <= http.keys()
    for finding in http["findings"]:
        assert {"code", "status", "person", "due_at", "citation", "evidence"} <= finding.keys()
        assert finding["status"] in ("open", "breached") and isinstance(finding["evidence"], list)


def test_the_whole_case_file_names_no_section(sqlite_api):
    assert "section" not in case_file(sqlite_api, COURT_CASE, sqlite_api.sign_in("admin"))


def test_an_ombudsman_reads_the_detention_section_of_the_file(sqlite_api):
    file = case_file(sqlite_api, COURT_CASE, sqlite_api.sign_in("ombudsman"))
    assert file["section"] == "detention_and_complaints"
    kinds = {e["kind"] for e in file["events"]}
    assert "person.detained" in kinds and "verdict.delivered" not in kinds and "trial.started" not in kinds


def test_an_ongoing_detention_is_open_before_its_limit_and_breached_after(api):
    admin = api.sign_in("admin")

    def limits(at):
        file = case_file(api, DETENTION_CASE, admin, at=at)
        return [f for f in file["findings"] if f["code"] == "KZ-DETENTION-LIMIT"]

    [before], [after] = limits(BEFORE_LIMIT), limits(AFTER_LIMIT)
    assert before["status"] == "open" and after["status"] == "breached"
    assert before["person"] == after["person"] == "P1"
    assert before["due_at"] == after["due_at"] == "2024-03-03T10:00:00+05:00"
    assert before["evidence"] == [f"{DETENTION_CASE}-4"]
    assert "CPC art. 131" in after["citation"]
    released = event(
        "person.released", {"person": "P1", "ground": "no_grounds"}, at="2024-03-02T12:00:00+05:00", id="api-released"
    )
    assert api.client.post("/api/v1/events", json=released, headers=api.sign_in("inv-1")).status_code == 201
    assert limits(AFTER_LIMIT) == []  # released within the limit: nothing to find


def test_the_case_file_speaks_russian_when_asked(sqlite_api):
    admin = sqlite_api.sign_in("admin")
    english = case_file(sqlite_api, DETENTION_CASE, admin, at=AFTER_LIMIT)["findings"]
    russian = case_file(sqlite_api, DETENTION_CASE, admin, at=AFTER_LIMIT, lang="ru")["findings"]
    by_code = {f["code"]: f["text"] for f in english}
    for finding in russian:
        assert any("\u0400" <= c <= "\u04ff" for c in finding["text"]), finding["text"]
        assert finding["text"] != by_code[finding["code"]]
    is_error(
        sqlite_api.client.get(f"/api/v1/cases/{DETENTION_CASE}", params={"lang": "fr"}, headers=admin),
        422,
        "invalid",
        "lang",
    )


def test_a_time_that_is_no_time_is_invalid_input(sqlite_api):
    admin = sqlite_api.sign_in("admin")
    for at in ("2024-03-02T10:00:00", "soon"):
        is_error(
            sqlite_api.client.get(f"/api/v1/cases/{DETENTION_CASE}", params={"at": at}, headers=admin),
            422,
            "invalid",
            "at",
        )


def test_the_findings_are_the_case_files_findings(api):
    admin = api.sign_in("admin")
    answer = api.client.get(f"/api/v1/cases/{DETENTION_CASE}/findings", params={"at": AFTER_LIMIT}, headers=admin)
    assert answer.status_code == 200
    assert answer.json() == case_file(api, DETENTION_CASE, admin, at=AFTER_LIMIT)["findings"] != []


def test_an_unknown_case_is_404_to_an_admin_and_403_to_anyone_who_may_not_read_it_anyway(api):
    is_error(api.client.get("/api/v1/cases/KZ-2024-404404", headers=api.sign_in("admin")), 404, "not_found")
    stranger = api.sign_in("inv-1")
    missing = is_error(api.client.get("/api/v1/cases/KZ-2024-404404", headers=stranger), 403, "forbidden")
    existing = is_error(api.client.get(f"/api/v1/cases/{COURT_CASE}", headers=stranger), 403, "forbidden")
    assert missing["message"].replace("KZ-2024-404404", "CASE") == existing["message"].replace(COURT_CASE, "CASE")
    is_error(api.client.get("/api/v1/cases/KZ-2024-404404/findings", headers=stranger), 403, "forbidden")


def test_a_read_needs_a_purpose(sqlite_api):
    is_error(
        sqlite_api.client.get(
            f"/api/v1/cases/{COURT_CASE}", params={"purpose": ""}, headers=sqlite_api.sign_in("admin")
        ),
        422,
        "invalid",
        "purpose",
    )


# --- alerts --------------------------------------------------------------------------------


def test_alerts_filter_by_code_and_region_and_page_through_every_alert_once(api):
    admin = api.sign_in("admin")
    everything = api.client.get("/api/v1/alerts", params={"at": AFTER_LIMIT}, headers=admin).json()
    assert everything["total"] == len(everything["items"]) > 2 and everything["next_cursor"] is None
    limits = api.client.get(
        "/api/v1/alerts", params={"at": AFTER_LIMIT, "code": "KZ-DETENTION-LIMIT"}, headers=admin
    ).json()["items"]
    assert [(a["case"], a["status"], a["person"]) for a in limits] == [(DETENTION_CASE, "breached", "P1")]
    almaty = api.client.get("/api/v1/alerts", params={"at": AFTER_LIMIT, "region": ALMATY}, headers=admin).json()
    assert {a["case"] for a in almaty["items"]} == {DETENTION_CASE} and almaty["total"] == len(almaty["items"])
    early = api.client.get(
        "/api/v1/alerts", params={"at": BEFORE_LIMIT, "code": "KZ-DETENTION-LIMIT"}, headers=admin
    ).json()["items"]
    assert [(a["case"], a["status"]) for a in early] == [(DETENTION_CASE, "open")]
    seen, cursor = [], None
    while True:
        params = {"at": AFTER_LIMIT, "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/v1/alerts", params=params, headers=admin).json()
        seen += [(a["case"], a["code"], a["person"]) for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None or len(seen) > 100:
            break
    assert seen == [(a["case"], a["code"], a["person"]) for a in everything["items"]]


def test_an_investigator_sees_only_the_alerts_of_their_units_cases(api):
    mine = api.client.get("/api/v1/alerts", headers=api.sign_in("inv-1")).json()
    everything = api.client.get("/api/v1/alerts", headers=api.sign_in("admin")).json()
    assert {a["case"] for a in everything["items"]} == {COURT_CASE, DETENTION_CASE}
    assert mine["items"] and {a["case"] for a in mine["items"]} == {DETENTION_CASE}
    assert api.client.get("/api/v1/alerts", headers=api.sign_in("analyst")).json()["items"] == []
    is_error(api.client.get("/api/v1/alerts"), 401, "unauthenticated")


def test_the_board_total_is_told_only_to_a_reader_of_every_case(sqlite_api):
    for who in ("inv-1", "analyst"):
        page = sqlite_api.client.get("/api/v1/alerts", headers=sqlite_api.sign_in(who)).json()
        assert page["total"] is None and page["next_cursor"] is None, (who, page)
    board = sqlite_api.client.get("/api/v1/alerts", headers=sqlite_api.sign_in("admin")).json()
    assert board["total"] == len(board["items"]) > 0


# --- who read what -------------------------------------------------------------------------


def test_a_person_sees_who_read_their_case(api):
    read = api.client.get(
        f"/api/v1/cases/{COURT_CASE}", params={"purpose": "preparing the indictment"}, headers=api.sign_in("inv-301")
    )
    assert read.status_code == 200
    answer = api.client.get("/api/v1/me/reads", headers=api.sign_in("p1-court"))
    assert answer.status_code == 200, answer.text
    theirs = [r for r in answer.json() if r["actor"]["id"] == "inv-301"]
    assert len(theirs) == 1
    assert theirs[0]["case"] == COURT_CASE and theirs[0]["what"] == "case_file" and theirs[0]["allowed"] is True
    assert theirs[0]["purpose"] == "preparing the indictment" and theirs[0]["actor"]["role"] == "investigator"
    is_error(api.client.get("/api/v1/me/reads", headers=api.sign_in("inv-301")), 403, "forbidden")


def test_the_prosecutor_of_the_region_sees_who_read_a_case_and_an_investigator_may_not(api):
    api.client.get(f"/api/v1/cases/{COURT_CASE}", headers=api.sign_in("j-9"))
    answer = api.client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=api.sign_in("pr-12"))
    assert answer.status_code == 200, answer.text
    assert [(r["actor"]["id"], r["what"], r["allowed"]) for r in answer.json() if r["actor"]["id"] == "j-9"] == [
        ("j-9", "case_file", True)
    ]
    is_error(api.client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=api.sign_in("inv-301")), 403, "forbidden")
    is_error(api.client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=api.sign_in("pr-almaty")), 403)
    after = api.client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=api.sign_in("admin")).json()
    refused = {(r["actor"]["id"], r["what"]) for r in after if not r["allowed"]}
    assert {("inv-301", "reads"), ("pr-almaty", "reads")} <= refused


def test_a_person_reads_their_own_case_file_and_no_other(sqlite_api):
    headers = sqlite_api.sign_in("p1-court")
    assert case_file(sqlite_api, COURT_CASE, headers)["case"] == COURT_CASE
    is_error(sqlite_api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=headers), 403, "forbidden")


def test_a_monitor_sees_the_reads_no_assignment_stands_behind(api):
    api.client.get(f"/api/v1/cases/{COURT_CASE}", headers=api.sign_in("inv-301"))  # the unit's case, unassigned
    answer = api.client.get("/api/v1/reads/unassigned", headers=api.sign_in("ombudsman"))
    assert answer.status_code == 200, answer.text
    assert ("inv-301", COURT_CASE, "case_file") in {(r["actor"]["id"], r["case"], r["what"]) for r in answer.json()}
    assert all(r["allowed"] and not r["assigned"] for r in answer.json())
    is_error(api.client.get("/api/v1/reads/unassigned", headers=api.sign_in("inv-301")), 403, "forbidden")


# --- the law, the ledger -------------------------------------------------------------------


def test_the_law_is_public(sqlite_api):
    rule = sqlite_api.client.get("/api/v1/law/KZ-DETENTION-LIMIT")
    assert rule.status_code == 200 and rule.json()["code"] == "KZ-DETENTION-LIMIT"
    assert "CPC art. 131" in json.dumps(rule.json())
    assert "KZ-DETENTION-LIMIT" in sqlite_api.client.get("/api/v1/law").json()
    is_error(sqlite_api.client.get("/api/v1/law/NOPE"), 404, "not_found")


def test_the_ledger_head_is_public_and_is_the_head_verify_walks_to(api):
    answer = api.client.get("/api/v1/ledger/head")
    assert answer.status_code == 200
    checked = maintenance.verify(api.engine)
    assert checked.intact
    assert answer.json()["events"] == {"position": checked.head_position, "hash": checked.head_hash}
    assert answer.json()["reads"] == {"position": checked.reads.position, "hash": checked.reads.head.hex()}


def test_an_admin_gets_a_signed_checkpoint_that_verifies_and_an_investigator_may_not(api, tmp_path):
    key = tmp_path / "keys" / "signing.key"  # never in the database's folder
    checkpoints.ensure_key(key)
    answer = api.client.get("/api/v1/ledger/checkpoint", headers=api.sign_in("admin"))
    assert answer.status_code == 200, answer.text
    said = checkpoints.verify(api.engine, answer.json(), checkpoints.public_key(key))
    assert "match" in said
    is_error(api.client.get("/api/v1/ledger/checkpoint", headers=api.sign_in("inv-1")), 403, "forbidden")
    is_error(api.client.get("/api/v1/ledger/checkpoint"), 401, "unauthenticated")


def test_a_checkpoint_without_a_signing_key_is_503_not_500(sqlite_api):
    is_error(
        sqlite_api.client.get("/api/v1/ledger/checkpoint", headers=sqlite_api.sign_in("admin")), 503, "unavailable"
    )


def test_an_unknown_path_or_method_answers_in_the_error_shape(sqlite_api):
    is_error(sqlite_api.client.get("/api/v1/nothing-here"), 404, "not_found")
    is_error(sqlite_api.client.put("/api/v1/events", headers=sqlite_api.sign_in("inv-1")), 405, "method_not_allowed")


# --- statistics ----------------------------------------------------------------------------


def test_the_statistics_are_public_as_json_and_csv(api):
    answer = api.client.get("/api/v1/statistics", params={"years": "2024"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    report = answer.json()
    assert report["years"] == [2024] and report["query"].startswith("years=2024") and report["cells"]
    assert all(cell["year"] == 2024 for cell in report["cells"])
    csv = api.client.get("/api/v1/statistics", params={"years": "2024", "format": "csv"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    header, *rows = csv.text.splitlines()
    assert header.split(",")[:2] == ["indicator", "measure"] and len(rows) == len(report["cells"])


@pytest.mark.parametrize("years", ["abc", "99999", "2024-2019"])
def test_statistics_for_years_that_are_no_years_are_invalid_input(sqlite_api, years):
    error = is_error(sqlite_api.client.get("/api/v1/statistics", params={"years": years}), 422, "invalid")
    assert "years" in error["message"]


def test_statistics_bad_years_names_the_field(sqlite_api):
    is_error(sqlite_api.client.get("/api/v1/statistics", params={"years": "abc"}), 422, "invalid", "years")
