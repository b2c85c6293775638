"""A case's offence read in Kazakh names the article by its Kazakh heading in the Code (the
offence catalogue's `title_kk`), not by the Russian one the pages fell back to before."""

from __future__ import annotations

from tests.api.conftest import DETENTION_CASE


def test_the_offence_of_a_case_read_in_kazakh_has_the_codes_kazakh_title(sqlite_api):
    headers = sqlite_api.sign_in("admin")
    url = f"/api/v1/cases/{DETENTION_CASE}"
    kk = sqlite_api.client.get(url, params={"lang": "kk"}, headers=headers).json()["summary"]["offence"]
    ru = sqlite_api.client.get(url, params={"lang": "ru"}, headers=headers).json()["summary"]["offence"]
    assert kk["article"] == "293"
    # CC art. 293 "Бұзақылық" (kaz/sec006-ch009.md @ b71affc4); in Russian "Хулиганство"
    assert kk["titles"]["kk"] == "Бұзақылық"
    assert kk["text"].startswith("ҚК 293-бабы, 1-бөлігі: Бұзақылық")
    assert ru["text"].split(": ", 1)[1].startswith("Хулиганство")
