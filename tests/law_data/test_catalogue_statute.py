"""The kz offence catalogue (`offences/chNN.csv` + `chNN.yaml`) against the statute's own rules,
read here with the csv and yaml modules alone — not through `habeas.law.offences` — so that a
mistake in the loader and the same mistake in the data cannot hide each other:

- every row's gravity re-derived from its sanction and form by CC art. 10-11 as this test reads
  them (a second reading, written apart from `gravity.yaml`);
- the articles of each chapter's CSV are exactly its list; the lists run through the Special
  Part without a gap (articles 99 onwards, each chapter taking up where the last ended);
- the README's coverage table is the one the chapter files give now.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from importlib import resources
from pathlib import Path

import pytest
import yaml

PACKAGE = Path(str(resources.files("habeas.jurisdictions") / "kz"))
CHAPTERS = sorted((PACKAGE / "offences").glob("ch*.yaml")) if (PACKAGE / "offences").is_dir() else []
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "offence_coverage.py"

needs_catalogue = pytest.mark.skipif(not CHAPTERS, reason="the package has no offence catalogue (offences/)")


def _rows(listing: Path) -> list[dict[str, str]]:
    with listing.with_suffix(".csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = [(listing.stem, number, row) for listing in CHAPTERS for number, row in enumerate(_rows(listing), start=2)]


def art_11(kind: str, max_imprisonment: str, form: str) -> str:
    """CC art. 10-11 (2014 text, 2025-09-16 version): a criminal misdemeanour carries no
    imprisonment (art. 10 part 3); crimes by the longest imprisonment of the sanction: minor —
    intentional up to 2 years, negligent up to 5; medium — intentional up to 5, negligent over 5;
    grave — intentional up to 12; especially grave — intentional over 12 or life (art. 11 parts
    2-5). A sanction without imprisonment: "does not exceed two years" — minor."""
    if kind == "misdemeanour":
        return "misdemeanour"
    years = {"none": 0.0, "life": math.inf}.get(max_imprisonment)
    if years is None:
        years = float(max_imprisonment)
    if form == "negligent":
        return "minor" if years <= 5 else "medium"
    if years <= 2:
        return "minor"
    if years <= 5:
        return "medium"
    if years <= 12:
        return "grave"
    return "especially_grave"


def test_the_second_reading_of_art_11_itself():
    # the reading above, on the thresholds' edges (so that it can be wrong, and is not)
    assert art_11("crime", "2", "intentional") == "minor"
    assert art_11("crime", "2.5", "intentional") == "medium"
    assert art_11("crime", "12", "intentional") == "grave"
    assert art_11("crime", "13", "intentional") == "especially_grave"
    assert art_11("crime", "life", "intentional") == "especially_grave"
    assert art_11("crime", "none", "intentional") == "minor"
    assert art_11("crime", "5", "negligent") == "minor"
    assert art_11("crime", "10", "negligent") == "medium"
    assert art_11("misdemeanour", "none", "intentional") == "misdemeanour"


@needs_catalogue
@pytest.mark.parametrize(("chapter", "line", "row"), ROWS, ids=[f"{c}:{n}" for c, n, _ in ROWS])
def test_every_rows_gravity_follows_from_its_sanction_and_form(chapter, line, row):
    kind, years, form = row["kind"], row["max_imprisonment"], row["form"]
    assert kind in ("misdemeanour", "crime"), (chapter, line)
    assert form in ("intentional", "negligent"), (chapter, line)
    if kind == "misdemeanour":
        assert years == "none", f"{chapter} line {line}: a misdemeanour with imprisonment {years}"
    where = f"{chapter} line {line}: art. {row['article']} part {row['part']}"
    assert row["gravity"] == art_11(kind, years, form), where


@needs_catalogue
@pytest.mark.parametrize("listing", CHAPTERS, ids=lambda p: p.stem)
def test_the_articles_of_each_chapter_are_its_list(listing):
    doc = yaml.safe_load(listing.read_text(encoding="utf-8"))
    assert doc["chapter"] == int(listing.stem[2:])
    listed = [str(a) for a in doc["articles"]]
    in_csv = {row["article"] for row in _rows(listing)}
    assert len(listed) == len(set(listed)), "an article listed twice"
    assert in_csv == set(listed), (sorted(set(listed) - in_csv), sorted(in_csv - set(listed)))
    assert set(doc.get("excluded") or []) <= set(listed)


def _number(article: str) -> tuple[int, int]:
    main, _, inserted = article.partition("-")
    return int(main), int(inserted or 0)


@needs_catalogue
def test_the_chapters_run_through_the_special_part_without_a_gap():
    numbers: list[int] = []
    last = 98  # the Special Part begins at article 99
    for listing in CHAPTERS:
        articles = [str(a) for a in yaml.safe_load(listing.read_text(encoding="utf-8"))["articles"]]
        assert articles == sorted(articles, key=_number), f"{listing.stem}: not in the Code's order"
        first = _number(articles[0])[0]
        assert first == last + 1, f"{listing.stem} starts at {articles[0]}, the chapter before ended at {last}"
        last = _number(articles[-1])[0]
        numbers += [_number(a)[0] for a in articles]
    assert sorted(set(numbers)) == list(range(99, last + 1))  # no article number skipped


def _coverage():
    spec = importlib.util.spec_from_file_location("offence_coverage", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_coverage_table_is_current():
    coverage = _coverage()
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert coverage.with_table(readme, coverage.table(PACKAGE)) == readme, (
        "jurisdictions/kz/README.md: run `python scripts/offence_coverage.py --write`"
    )


def test_the_coverage_table_counts_what_the_files_hold(tmp_path):
    # the script on the fixture catalogue, counted by hand (tests/law_data/catalogue)
    (tmp_path / "offences").mkdir()
    for path in (Path(__file__).parent / "catalogue").iterdir():
        (tmp_path / "offences" / path.name).write_bytes(path.read_bytes())
    lines = _coverage().table(tmp_path).splitlines()
    assert lines[2] == "| 1 | Criminal offences against the person | 5 | 4 | 1 | 8 | 6 | 5 | 1 | 0 | 2 |"
    assert lines[3].startswith("| 12 | Criminal offences against public safety and public order | 2 | 2 | 0 | 3 | 3 |")
    assert lines[-1] == "| | **all** | **7** | **6** | **1** | **11** | **9** | **8** | **1** | **0** | **2** |"
