"""Kazakh and Russian throughout: every page of the web UI, rendered in kk and ru for a
signed-in official with a detention on the board, holds no English text — neither one of
the register's own English words (its catalogue's msgids, the labels of its codes, the
package's region names and finding texts) nor any run of English words at all. Recorded
data (a name, a place, a case number, a code in the law's own spelling) is shown as it was
recorded; it is told apart by being what the test itself recorded."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.test_pages import CASE, World, detain, world  # noqa: F401 (the fixture)

# what the world records, shown as recorded (data, not words of the UI)
RECORDED = {"Aidar Example", "Almaty police, Bostandyk", "Almaty police", "almaty-police"}
# an English run: two or more Latin words of letters only (a code like KZ-ARREST-48H is no word)
ENGLISH = re.compile(r"\b[A-Za-z][a-z]+(?:[ ,:'-]+[A-Za-z][a-z]+)+\b")
NOT_WORDS = re.compile(
    r"\b(?:[a-z]{2,3}(?:, [a-z]{2,3})+|[A-Z0-9]+[-_.][A-Z0-9_.-]+|[a-z]+[._][a-z_.]+|https?://\S+|UTC[+-]\d\d:\d\d)\b"
)


class Text(HTMLParser):
    """The text a reader sees (and screen readers say): text nodes, titles, labels, alt texts."""

    SKIP = {"script", "style", "code"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def english_in(html: str) -> list[str]:
    found = []
    parser = Text()
    parser.feed(html)
    for part in parser.parts:
        if part in RECORDED or part in ("English", "Русский", "Қазақша", "habeas"):
            continue
        text = NOT_WORDS.sub(" ", part)
        for name in RECORDED:
            text = text.replace(name, " ")
        found += [m.group(0) for m in ENGLISH.finditer(text)]
    return found


def pages(w: World) -> list[str]:
    """Every page a signed-in investigator reaches."""
    client = w.client
    chooser = client.get("/record").text
    kinds = set(re.findall(r'href="/record/([a-z_.]+)', chooser))
    on_case = set(re.findall(r'href="/record/([a-z_.]+)', client.get(f"/record?case={CASE}").text))
    assert on_case, "the chooser offers no form"
    law = client.get("/law").text
    codes = sorted(set(re.findall(r'href="/law/([A-Z0-9-]+)"', law)))[:40]
    return [
        "/",
        "/cases",
        "/detention",
        "/law",
        "/statistics",
        "/record",
        *[f"/record/{k}?case={CASE}" for k in sorted(on_case)],
        *[f"/record/{k}" for k in sorted(kinds - on_case)],  # a second registration: only without the case
        *[f"/law/{c}" for c in codes],
    ]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_page_is_in_the_language_asked(world, lang):  # noqa: F811
    detain(world, hours_ago=60)  # past the 48-hour limit: a breach on the board and in the file
    world.sign_in("inv")
    world.client.headers["Accept-Language"] = lang
    untranslated: dict[str, list[str]] = {}
    for path in pages(world):
        answer = world.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        assert f'<html lang="{lang}">' in answer.text
        found = english_in(answer.text)
        if found:
            untranslated[path] = found
    case_file = world.read(CASE)
    assert case_file.status_code == 200
    if found := english_in(case_file.text):
        untranslated[f"/cases/{CASE}"] = found
    missing = world.client.get("/law/NO-SUCH-RULE")  # an error page
    assert missing.status_code == 404
    if found := english_in(missing.text):
        untranslated["/law/NO-SUCH-RULE"] = found
    world.sign_in("suspect")  # the person in the case: who looked at it
    world.client.headers["Accept-Language"] = lang
    for path in ("/", "/me/reads"):
        answer = world.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        if found := english_in(answer.text):
            untranslated[f"{path} (person)"] = found
    words = sorted({w for found in untranslated.values() for w in found})
    assert not untranslated, f"{len(words)} English texts on {lang} pages: {words}\n{untranslated}"


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_refusal_is_in_the_language_asked(world, lang):  # noqa: F811
    """A form sent without its person, and one naming a person who is no party: each reason
    under its field, in the page's language."""
    world.sign_in("inv")
    world.client.headers["Accept-Language"] = lang
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', world.client.get("/record").text).group(1)
    form = {"csrf": token, "case": CASE, "occurred_at": "2026-11-25T08:00", "data.place": "Almaty police"}
    for person in ("", "P9"):
        answer = world.client.post("/record/person.detained", data={**form, "data.person": person})
        assert answer.status_code in (403, 422), answer.text
        error = re.search(r'<p class="field-error" id="error-data\.person"[^>]*>(.*?)</p>', answer.text)
        assert error, answer.text
        assert not english_in(f"<p>{error.group(1)}</p>"), error.group(1)
        assert re.search("[а-яәіңғүұқөһ]", error.group(1)), error.group(1)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_policy_refusal_page_is_in_the_language_asked(world, lang):  # noqa: F811
    """An official refused a page by the access policy reads why in the page's language: the
    right that is missing, worded, never the register's English."""
    world.sign_in("inv")
    world.client.headers["Accept-Language"] = lang
    answer = world.client.get("/reads/unassigned")
    assert answer.status_code == 403, answer.text
    assert not english_in(answer.text), english_in(answer.text)
    assert re.search("[а-яәіңғүұқөһ]{4,}", answer.text)
