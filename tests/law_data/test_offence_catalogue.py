"""The offence catalogue (`offences/chNN.csv` + `chNN.yaml`): how it is read, looked up and
refused, on a small fixture catalogue (`tests/law_data/catalogue`) put into a copy of the kz
package in place of its own chapter files."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import yaml

from habeas.jurisdictions import load, read_documents
from habeas.law.offences import chapters, gravities, gravity_of, iccs_of, offence, offences
from habeas.law.package import Law, LawDataError

PACKAGE = Path(str(resources.files("habeas.jurisdictions") / "kz"))
FIXTURE = Path(__file__).parent / "catalogue"
DAY = date(2024, 9, 1)


def _package(tmp_path: Path, name: str = "kz") -> Path:
    root = tmp_path / name
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("offences", "cases"))
    shutil.copytree(FIXTURE, root / "offences")
    return root


@pytest.fixture(scope="module")
def law(tmp_path_factory) -> Law:
    return load(str(_package(tmp_path_factory.mktemp("catalogue"))))


def _law_of(root: Path) -> Law:
    law = Law.from_documents(read_documents(str(root)))
    offences(law)
    return law


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


# --- reading and looking up --------------------------------------------------------------------


def test_the_chapters_are_read_with_their_lists(law):
    found = {c.number: c for c in chapters(law)}
    assert sorted(found) == [1, 12]
    assert found[1].listing.articles == ["99", "104", "108", "108-1", "120"]
    assert found[1].listing.excluded == ["108"]
    assert [r.line for r in found[12].rows] == [2, 3, 4]
    assert found[12].rows[0].file == "offences/ch12.csv"


def test_an_article_without_a_part_is_its_part_1(law):
    assert offence(law, "99", None, DAY).part == 1
    assert offence(law, "99", 2, DAY).max_penalty == "life imprisonment"


def test_an_article_without_numbered_parts_is_its_only_row(law):
    assert offence(law, "104", None, DAY).title == "Causing death by negligence"
    assert offence(law, "104", 1, DAY) is offence(law, "104", None, DAY)
    assert offence(law, "104", 2, DAY) is None  # no such part: unknown, not the article's


def test_a_part_the_catalogue_lacks_is_unknown_not_the_articles(law):
    assert gravity_of(law, "99", 3, DAY) is None
    assert gravity_of(law, "99", 9, DAY) is None
    assert gravity_of(law, "9999", 1, DAY) is None
    assert gravity_of(law, None, None, DAY) is None


def test_an_inserted_part_is_looked_up_by_its_number(law):
    assert offence(law, "120", "3-1", DAY).gravity == "especially_grave"
    assert offence(law, "120", "3", DAY).part == 3  # "3" is part 3


def test_rows_are_dated(law):
    assert gravity_of(law, "120", 3, date(2019, 1, 1)) == "grave"
    assert gravity_of(law, "120", 3, date(2021, 1, 1)) == "especially_grave"
    assert gravity_of(law, "120", "3-1", date(2019, 1, 1)) is None  # not yet in the Code
    assert gravity_of(law, "108", 1, date(2024, 6, 30)) == "misdemeanour"
    assert gravity_of(law, "108", 1, date(2024, 7, 1)) is None  # excluded
    assert gravity_of(law, "108-1", 1, date(2024, 7, 1)) == "minor"
    assert offence(law, "99", 1, date(2014, 12, 31)) is None


def test_a_crime_without_imprisonment_is_minor_and_a_misdemeanour_is_by_kind(law):
    assert gravity_of(law, "296", 1, DAY) == "minor"
    assert offence(law, "296", 1, DAY).max_penalty == "no imprisonment"
    assert gravity_of(law, "293", 1, DAY) == "misdemeanour"
    assert offence(law, "293", 1, DAY).max_penalty == "no imprisonment (criminal misdemeanour)"


def test_titles_in_three_languages_and_one_iccs_code(law):
    murder = offence(law, "99", 1, DAY)
    assert murder.title == "Murder"
    assert murder.titles == {"en": "Murder", "ru": "Убийство", "kk": "Кісі өлтіру"}
    negligent = offence(law, "104", None, DAY)
    assert negligent.titles == {"en": "Causing death by negligence", "ru": "Причинение смерти по неосторожности"}
    assert iccs_of(law, "293", 2, DAY) == ("08011",)


def test_the_catalogue_wins_over_the_single_file(law):
    # the package's offences.csv (if still there) lists 99 part 9 through its whole-article
    # row; the catalogue holds 99, so that row is set aside
    from_single = {r.article for r in offences(law) if r.file == "offences.csv"}
    assert "99" not in from_single
    if (PACKAGE / "offences.csv").exists():
        assert "188" in from_single  # an article only the single file holds is still known
        assert gravity_of(law, "188", 2, DAY) is not None


def test_the_gravity_categories_follow_cc_art_10_and_11(law):
    category = gravities(law).category
    assert category("misdemeanour", None, "intentional") == "misdemeanour"
    assert category("crime", None, "intentional") == "minor"
    assert category("crime", 2, "intentional") == "minor"
    assert category("crime", 2.5, "intentional") == "medium"
    assert category("crime", 5, "intentional") == "medium"
    assert category("crime", 12, "intentional") == "grave"
    assert category("crime", 12.5, "intentional") == "especially_grave"
    assert category("crime", float("inf"), "intentional") == "especially_grave"
    assert category("crime", 5, "negligent") == "minor"
    assert category("crime", 7, "negligent") == "medium"
    assert category("crime", 15, "negligent") == "medium"  # a negligent crime is never grave


def test_the_gravity_file_is_read_from_the_statute(law):
    g = gravities(law)
    assert g.certainty == "C"
    assert {c.article for c in g.citations} >= {"10", "11"}


# --- what the loader refuses -------------------------------------------------------------------


def _broken(tmp_path: Path, file: str, change) -> LawDataError:
    root = _package(tmp_path)
    path = root / "offences" / file
    if file.endswith(".csv"):
        rows = _rows(path)
        change(rows)
        _write(path, rows)
    else:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LawDataError) as caught:
        _law_of(root)
    return caught.value


def test_a_stored_gravity_other_than_the_computed_one_is_refused_by_file_and_line(tmp_path):
    error = _broken(tmp_path, "ch01.csv", lambda rows: rows[2].update(gravity="medium"))
    assert (error.file, error.key) == ("offences/ch01.csv", "line 4")
    assert "'minor'" in error.reason and "gravity.yaml" in error.reason


def test_a_misdemeanour_with_imprisonment_is_refused(tmp_path):
    error = _broken(tmp_path, "ch12.csv", lambda rows: rows[0].update(max_imprisonment="1"))
    assert (error.file, error.key) == ("offences/ch12.csv", "line 2")
    assert "no imprisonment" in error.reason


def test_two_iccs_codes_on_a_row_are_refused(tmp_path):
    error = _broken(tmp_path, "ch12.csv", lambda rows: rows[1].update(iccs="08011 0801"))
    assert error.key == "line 3" and "one code per row" in error.reason


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "felony"}, "kind 'felony'"),
        ({"form": "reckless"}, "form 'reckless'"),
        ({"max_imprisonment": "ten"}, "max_imprisonment 'ten'"),
        ({"part": "two"}, "part 'two'"),
        ({"iccs": ""}, "iccs is missing"),
        ({"title_en": ""}, "title_en is missing"),
        ({"valid_from": "2015-13-01"}, "valid_from"),
        ({"article": "99a"}, "article '99a'"),
    ],
)
def test_a_bad_row_names_file_line_and_reason(tmp_path, change, reason):
    error = _broken(tmp_path, "ch01.csv", lambda rows: rows[0].update(change))
    assert (error.file, error.key) == ("offences/ch01.csv", "line 2")
    assert reason in error.reason


def test_overlapping_periods_of_one_part_are_refused(tmp_path):
    error = _broken(tmp_path, "ch01.csv", lambda rows: rows[6].update(valid_from="2020-06-30"))
    assert error.key == "line 8" and "overlaps line 7" in error.reason


def test_an_article_in_the_csv_but_not_in_the_list_is_refused(tmp_path):
    error = _broken(tmp_path, "ch01.yaml", lambda doc: doc["articles"].remove("104"))
    assert error.file == "offences/ch01.csv" and "article 104 is not in offences/ch01.yaml" in error.reason


def test_an_article_listed_without_rows_is_refused(tmp_path):
    error = _broken(tmp_path, "ch01.yaml", lambda doc: doc["articles"].append("105"))
    assert (error.file, error.key) == ("offences/ch01.yaml", "articles") and "105" in error.reason


def test_an_excluded_article_still_in_force_is_refused(tmp_path):
    error = _broken(tmp_path, "ch01.yaml", lambda doc: doc["excluded"].append("104"))
    assert error.file == "offences/ch01.csv" and "needs its valid_until" in error.reason


def test_an_ended_article_not_listed_as_excluded_is_refused(tmp_path):
    error = _broken(tmp_path, "ch01.yaml", lambda doc: doc.update(excluded=[]))
    assert (error.file, error.key) == ("offences/ch01.yaml", "excluded") and "108" in error.reason


def test_an_article_in_two_chapters_is_refused(tmp_path):
    root = _package(tmp_path)
    listing = root / "offences" / "ch12.yaml"
    doc = yaml.safe_load(listing.read_text(encoding="utf-8"))
    doc["articles"].append("104")
    listing.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    rows = _rows(root / "offences" / "ch12.csv")
    rows.append({**_rows(root / "offences" / "ch01.csv")[2], "valid_from": "2030-01-01"})  # no overlap in time
    _write(root / "offences" / "ch12.csv", rows)
    with pytest.raises(LawDataError) as caught:
        _law_of(root)
    assert (caught.value.file, caught.value.key) == ("offences/ch12.yaml", "articles")
    assert "article 104 is listed in offences/ch01.yaml too" in caught.value.reason


def test_the_single_file_format_still_reads_a_whole_article_row_for_any_part():
    xx = load(str(Path(__file__).with_name("xx")))
    assert chapters(xx) == []
    assert gravity_of(xx, "10", None, DAY) == "ordinary"
    assert gravity_of(xx, "10", 4, DAY) == "ordinary"  # that format's convention, kept
    assert gravity_of(xx, "30", None, DAY) == "petty"


def test_a_chapter_number_other_than_the_files_is_refused(tmp_path):
    error = _broken(tmp_path, "ch12.yaml", lambda doc: doc.update(chapter=11))
    assert (error.file, error.key) == ("offences/ch12.yaml", "chapter")


def test_a_chapter_csv_without_its_list_is_refused(tmp_path):
    root = _package(tmp_path)
    (root / "offences" / "ch12.yaml").unlink()
    with pytest.raises(LawDataError) as caught:
        _law_of(root)
    assert caught.value.file == "offences/ch12.yaml" and "missing" in caught.value.reason


def test_a_wrong_header_is_refused(tmp_path):
    root = _package(tmp_path)
    path = root / "offences" / "ch12.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("max_imprisonment", "max_penalty", 1), encoding="utf-8")
    with pytest.raises(LawDataError) as caught:
        _law_of(root)
    assert (caught.value.file, caught.value.key) == ("offences/ch12.csv", "line 1")
    assert "missing columns max_imprisonment" in caught.value.reason
