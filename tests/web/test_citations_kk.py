"""Citations of several articles (or parts) on the law pages: Kazakh words them in the plural
(`ҚК 10-11-баптары`, `ҚК 68-бабының 1, 2-бөліктері`), one article in the singular
(`ҚК 68-бабының 4-бөлігі`), an inserted article (`108-1`) being one."""

from __future__ import annotations

import html

from habeas.presentation.wording import several
from tests.web.test_pages import world  # noqa: F401 (the fixture)


def test_several_articles_are_cited_in_the_plural_in_kazakh(world):  # noqa: F811
    world.sign_in("inv")
    world.client.headers["Accept-Language"] = "kk"
    unknown = html.unescape(world.client.get("/law/KZ-OFFENCE-UNKNOWN").text)
    assert "ҚК 10-11-баптары" in unknown  # rules.yaml: CC art. 10-11
    assert "10-11-бабы" not in unknown
    reconciliation = html.unescape(world.client.get("/law/KZ-RECONCILIATION-GRAVITY").text)
    assert "ҚК 68-бабының 1, 2-бөліктері" in reconciliation
    assert "ҚК 68-бабының 4-бөлігі" in reconciliation


def test_an_inserted_article_or_part_is_one():
    assert not several("108-1") and not several("3-1") and not several("1-1") and not several("151")
    assert several("484-498") and several("1, 2") and several("3-5")
