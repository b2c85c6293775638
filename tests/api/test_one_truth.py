"""One truth for every role, over HTTP (issue 20, item 1): the ombudsman's section of a case
file shows each finding with the status of the whole file, on both stores; and a request
reads the register's clock once, so its file, its judging and its read record agree."""

from __future__ import annotations

from datetime import datetime, timedelta

from habeas.clock import FixedClock
from tests.api.conftest import COURT_CASE, DETENTION_CASE, Api, make_api
from tests.conftest import NOW

DURING = "2024-04-03T00:00:00+05:00"  # the court case's detention over, custody ordered
AFTER_LIMIT = "2024-03-04T12:00:00+05:00"


def findings(api, case, who, **params) -> dict[tuple[str, str | None], dict]:
    answer = api.client.get(f"/api/v1/cases/{case}", params=params, headers=api.sign_in(who))
    assert answer.status_code == 200, answer.text
    return {(f["code"], f["person"]): f for f in answer.json()["findings"]}


def test_the_ombudsman_sees_the_whole_file_s_statuses(api):
    for case, at in ((COURT_CASE, DURING), (COURT_CASE, None), (DETENTION_CASE, AFTER_LIMIT)):
        params = {"at": at} if at else {}
        whole = findings(api, case, "admin", **params)
        part = findings(api, case, "ombudsman", **params)
        assert part, case
        for key, finding in part.items():
            assert key in whole and whole[key]["status"] == finding["status"], (case, key)
    # met in the whole file (the prosecutor was told at 19:00, the notice is outside the section):
    # not "breached" for the ombudsman
    assert ("KZ-PROSECUTOR-NOTICE", "P1") not in findings(api, COURT_CASE, "ombudsman", at=DURING)
    assert findings(api, DETENTION_CASE, "ombudsman", at=AFTER_LIMIT)[("KZ-DETENTION-LIMIT", "P1")]["status"] == (
        "breached"
    )


def test_the_ombudsman_s_alerts_agree_with_the_admin_s(api):
    def board(who):
        answer = api.client.get("/api/v1/alerts", params={"at": DURING}, headers=api.sign_in(who))
        assert answer.status_code == 200, answer.text
        return {(a["case"], a["code"], a["person"]): a["status"] for a in answer.json()["items"]}

    theirs, mine = board("ombudsman"), board("admin")
    assert theirs and all(mine[key] == status for key, status in theirs.items())


class TickingClock(FixedClock):
    """A clock that moves a minute each time it is read: two reads in one request would differ."""

    def now(self) -> datetime:
        moment = super().now()
        self.advance(timedelta(minutes=1))
        return moment


def test_one_request_reads_the_clock_once(sqlite_url, law, tmp_path):
    from fastapi.testclient import TestClient

    app, clock = make_api(sqlite_url, law, tmp_path, clock=TickingClock(NOW))
    with TestClient(app) as client:
        api = Api(client, clock, sqlite_url, law)
        admin = api.sign_in("admin")
        answer = client.get(f"/api/v1/cases/{COURT_CASE}", headers=admin)
        assert answer.status_code == 200, answer.text
        at = datetime.fromisoformat(answer.json()["at"])
        reads = client.get(f"/api/v1/cases/{COURT_CASE}/reads", headers=admin).json()
        read = [r for r in reads if r["what"] == "case_file"][-1]
        assert datetime.fromisoformat(read["read_at"]) == at  # the file's "now" is its read's time
