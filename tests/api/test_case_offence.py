"""`GET /api/v1/cases/{case}` carries `summary.offence`, as of `at`, like `case show --json`."""

from __future__ import annotations

from tests.api.conftest import COURT_CASE, DETENTION_CASE


def test_the_api_case_file_names_its_offence(sqlite_api):
    headers = sqlite_api.sign_in("admin")
    file = sqlite_api.client.get(f"/api/v1/cases/{COURT_CASE}", headers=headers).json()
    offence = file["summary"]["offence"]
    assert (offence["article"], offence["part"], offence["gravity"], offence["known"]) == ("188", 2, "medium", True)
    assert {"title", "max_penalty", "certainty", "source"} <= offence.keys()
    assert offence["text"].startswith("CC art. 188 part 2: ")
    kk = sqlite_api.client.get(f"/api/v1/cases/{COURT_CASE}?lang=kk", headers=headers).json()["summary"]["offence"]
    assert kk["text"].startswith("ҚК 188-бабы, 2-бөлігі: ")


def test_before_any_article_is_named_there_is_no_offence(sqlite_api):
    headers = sqlite_api.sign_in("admin")
    early = sqlite_api.client.get(
        f"/api/v1/cases/{DETENTION_CASE}", params={"at": "2024-02-29T08:00:00+05:00"}, headers=headers
    )
    assert early.status_code == 200, early.text
    assert early.json()["summary"]["offence"] is None
    later = sqlite_api.client.get(f"/api/v1/cases/{DETENTION_CASE}", headers=headers).json()["summary"]["offence"]
    assert later["article"] == "293" and later["part"] == 1
