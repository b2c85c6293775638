"""The Kazakh titles of the kz offence catalogue (`offences/chNN.csv`, column `title_kk`), read
through `habeas.law.offences` as the pages and the API read them: every article in force on the
day of the statute's version the catalogue was read in has its Kazakh title, written in Kazakh,
and each chapter names the Kazakh text it was read from."""

from __future__ import annotations

import re
from datetime import date

import pytest

from habeas.jurisdictions import load
from habeas.law.offences import chapters, offences

# the version of the Code the catalogue was read in (kazakhstan-law/codes @ b71affc4)
VERSION_DAY = date(2025, 9, 16)
KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
# the statute's Kazakh text writes a Latin "i" for "і" in many words: the only Latin letter allowed
LATIN_BUT_I = re.compile(r"[A-HJ-Za-hj-z]")


@pytest.fixture(scope="module")
def law():
    return load("kz")


@pytest.fixture(scope="module")
def titles(law) -> dict[str, tuple[str, str]]:
    """article -> (title_ru, title_kk) of the catalogue's rows."""
    found: dict[str, tuple[str, str]] = {}
    for row in offences(law):
        if row.chapter is None:
            continue
        pair = (row.title_ru, row.title_kk)
        assert found.setdefault(row.article, pair) == pair, f"art. {row.article}: parts with different titles"
    return found


def test_every_article_in_force_has_a_kazakh_title(law):
    in_force = [row for row in offences(law) if row.chapter is not None and row.applies_on(VERSION_DAY)]
    assert len({row.article for row in in_force}) > 380  # the Special Part, not a fixture
    missing = sorted({row.article for row in in_force if not row.title_kk.strip()})
    assert not missing, f"no title_kk: arts. {', '.join(missing)}"
    assert all(row.titles["kk"] == row.title_kk for row in in_force)


def test_the_titles_are_written_in_kazakh(titles):
    not_cyrillic = [a for a, (_, kk) in titles.items() if kk and (not CYRILLIC.search(kk) or LATIN_BUT_I.search(kk))]
    assert not not_cyrillic, f"not in Cyrillic script: arts. {', '.join(not_cyrillic)}"
    given = {a: kk for a, (_, kk) in titles.items() if kk}
    with_kazakh_letters = [a for a, kk in given.items() if KAZAKH_LETTERS.search(kk)]
    assert len(with_kazakh_letters) >= 0.9 * len(given)


def test_the_titles_are_not_the_russian_ones(titles):
    same = {a: kk for a, (ru, kk) in titles.items() if kk and kk == ru}
    assert len(same) <= 0.05 * len(titles)
    # only a loanword the two languages share ("Геноцид", "Бандитизм") reads the same
    assert all(len(kk.split()) == 1 for kk in same.values()), same


def test_each_chapter_names_the_kazakh_text_it_was_read_from(law):
    unnamed = [
        chapter.number
        for chapter in chapters(law)
        if any(row.title_kk for row in chapter.rows)
        and not re.search(r"kaz/sec\d{3}\S*\.md", chapter.listing.note or "")
    ]
    assert not unnamed, f"chapters whose note names no kaz/ file: {unnamed}"
    for chapter in chapters(law):
        assert chapter.listing.title_kk, f"chapter {chapter.number} has no Kazakh title"
        assert KAZAKH_LETTERS.search(chapter.listing.title_kk)
