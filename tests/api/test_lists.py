"""Lists are reads too (issue 23): the case list shows only the cases the policy lets its
reader read, whatever the filter, and every case it names leaves a read record; on both stores."""

from __future__ import annotations

from sqlalchemy import select

from habeas.db.schema import reads
from tests.api.conftest import COURT_CASE, DETENTION_CASE


def _listed(api, who: str, query: str = "") -> list[str]:
    answer = api.client.get(f"/api/v1/cases{query}", headers=api.sign_in(who))
    assert answer.status_code == 200, answer.text
    return [row["case"] for row in answer.json()["items"]]


def test_an_official_lists_only_the_cases_they_may_read(api):
    assert _listed(api, "inv-1") == [DETENTION_CASE]  # their unit's case, not the court case in Astana
    assert _listed(api, "inv-301") == [COURT_CASE]
    assert _listed(api, "admin") == [COURT_CASE, DETENTION_CASE]  # the operator reads every case


def test_a_filter_tells_nothing_of_a_case_its_reader_may_not_read(api):
    assert _listed(api, "inv-1", "?region=astana") == []
    assert _listed(api, "inv-1", "?agency=police-astana-almaty-district") == []
    assert _listed(api, "inv-301", "?region=astana") == [COURT_CASE]


def test_each_case_listed_leaves_a_read_record(api):
    _listed(api, "inv-1")
    with api.engine.connect() as conn:
        found = conn.execute(
            select(reads.c.actor_id, reads.c.case, reads.c.what, reads.c.allowed).where(reads.c.what == "case_list")
        ).fetchall()
    assert found == [("inv-1", DETENTION_CASE, "case_list", True)]


def test_the_list_pages_through_the_readers_cases_only(api):
    headers = api.sign_in("admin")
    first = api.client.get("/api/v1/cases?limit=1", headers=headers).json()
    assert [r["case"] for r in first["items"]] == [COURT_CASE] and first["next_cursor"]
    second = api.client.get(f"/api/v1/cases?limit=1&cursor={first['next_cursor']}", headers=headers).json()
    assert [r["case"] for r in second["items"]] == [DETENTION_CASE] and second["next_cursor"] is None
    only = api.client.get("/api/v1/cases?limit=1", headers=api.sign_in("inv-1")).json()
    assert [r["case"] for r in only["items"]] == [DETENTION_CASE] and only["next_cursor"] is None
