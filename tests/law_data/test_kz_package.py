"""The Kazakhstan law package as data: it loads, every value is cited, versions do not overlap,
offences agree with CC art. 11, and a broken file is reported by file and key."""

from __future__ import annotations

import shutil
import types
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import yaml

import habeas.jurisdictions as jurisdictions
from habeas.jurisdictions import load, read_documents
from habeas.law.offences import (
    gravities,
    gravity_of,
    iccs_of,
    max_imprisonment_years,
    offence,
    offences,
)
from habeas.law.package import Law, LawDataError

PACKAGE = Path(str(resources.files("habeas.jurisdictions") / "kz"))


@pytest.fixture(scope="module")
def law() -> Law:
    return load("kz")


def test_package_loads(law):
    assert law.jurisdiction == "kz"
    assert "detention.limit.adult" in law.parameters
    assert offences(law)


def test_every_version_is_cited_and_has_a_known_certainty(law):
    for key, param in law.parameters.items():
        for version in param.versions:
            assert version.citations, key
            assert all(c.act for c in version.citations), key
            assert version.certainty in ("C", "P", "M", "U", "policy"), key


def test_confirmed_values_say_how_they_were_verified(law):
    # a value raised to C by this package's checks carries its `verified` note
    for key in (
        "custody.decision",
        "custody.maximum.initial",
        "detention.consulate_notice",
        "detention.limit.exceptional_gravities",
        "reconciliation.eligible_gravities",
    ):
        for version in law.parameter(key).versions:
            assert version.certainty == "C"
            assert version.verified, key


def test_no_overlapping_versions_in_the_files():
    # checked on the raw YAML too, so the test does not rely on the loader alone
    for path in sorted((PACKAGE / "parameters").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, param in doc["parameters"].items():
            spans = sorted((v["valid_from"], v.get("valid_until") or date.max) for v in param["versions"])
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                assert end < start, f"{path.name}: {key} versions overlap"


def test_law_kz_values_are_kept(law):
    """The values law-kz.md states (its codes are a fixed contract)."""
    assert law.value("detention.limit.adult", date(2017, 6, 1)) == 72
    assert law.value("detention.limit.adult", date(2018, 1, 1)) == 48
    assert law.value("detention.limit.minor", date(2019, 1, 1)) == 24
    assert law.value("detention.limit.exceptional", date(2019, 1, 1)) == 72
    assert law.value("detention.protocol", date(2019, 1, 1)) == 3
    assert law.value("detention.relatives_notice", date(2019, 1, 1)) == 12
    assert law.value("detention.prosecutor_notice", date(2019, 1, 1)) == 12
    assert law.value("custody.decision", date(2019, 1, 1)) == 8
    assert law.value("custody.maximum.initial", date(2019, 1, 1)) == 2
    # the art. 151 ladder (second edition): 9 for every crime, 18 at most for the listed ones
    assert law.value("custody.maximum.default", date(2019, 1, 1)) == 9
    assert law.value("custody.maximum.absolute", date(2019, 1, 1)) == 18
    assert law.value("custody.petition_lead", date(2019, 1, 1)) == 8
    assert law.value("qualification.term", date(2019, 1, 1)) == 10
    assert law.value("qualification.term.long", date(2019, 1, 1)) == 30
    assert law.value("investigation.term.inquiry", date(2019, 1, 1)) == 1
    assert law.value("investigation.term.expedited", date(2019, 1, 1)) == 15
    assert law.value("detention.consulate_notice", date(2019, 1, 1)) == 24
    assert law.version("detention.relatives_notice", date(2019, 1, 1)).certainty == "policy"
    assert law.value("investigation.term", date(2019, 1, 1)) == 2
    assert law.value("appeal.term", date(2019, 1, 1)) == 15
    assert law.value("report.registration", date(2019, 1, 1)) == 24
    assert "255" in law.value("offences.terrorist_articles", date(2019, 1, 1))
    assert "404.2" in law.value("offences.extremist_articles", date(2019, 1, 1))


# --- offences -------------------------------------------------------------------------------


# every row's gravity from its sanction and form: tests/law_data/test_catalogue_statute.py
NAMES = ("misdemeanour", "minor", "medium", "grave", "especially_grave")


def test_the_gravity_categories_are_cc_art_10_and_11(law):
    assert gravities(law).names == NAMES


def test_cc_art_11_thresholds(law):
    gravity_for_penalty = gravities(law).for_penalty
    assert gravity_for_penalty("no imprisonment (arrest up to 50 days)") == "misdemeanour"
    assert gravity_for_penalty("imprisonment up to 2 years") == "minor"
    assert gravity_for_penalty("imprisonment up to 3 years") == "medium"
    assert gravity_for_penalty("imprisonment 2-5 years") == "medium"
    assert gravity_for_penalty("imprisonment 5-12 years") == "grave"
    assert gravity_for_penalty("imprisonment 8-15 years") == "especially_grave"
    assert gravity_for_penalty("imprisonment 10-12 years or life") == "especially_grave"
    assert gravity_for_penalty("imprisonment up to 5 years", intentional=False) == "minor"
    assert gravity_for_penalty("imprisonment up to 7 years", intentional=False) == "medium"
    with pytest.raises(ValueError):
        max_imprisonment_years("five years")


def test_a_mislabelled_gravity_is_caught(law):
    # the check above can fail: a theft row claiming 'minor' with a 3-year maximum
    assert gravities(law).for_penalty("imprisonment up to 3 years") != "minor"


def test_gravity_of_known_articles(law):
    day = date(2024, 4, 1)
    assert gravity_of(law, "99", 1, day) == "especially_grave"
    assert gravity_of(law, "99", None, day) == "especially_grave"
    assert gravity_of(law, "188", 2, day) == "medium"
    assert gravity_of(law, "192", 1, day) == "grave"
    assert gravity_of(law, "367", 1, day) == "medium"
    assert gravity_of(law, "9999", 1, day) is None
    assert gravity_of(law, None, None, day) is None


def test_offences_are_dated(law):
    # CC art. 146 was reworded in 2023: torture alone was medium, cruel treatment is minor now
    assert gravity_of(law, "146", 1, date(2020, 1, 1)) == "medium"
    assert gravity_of(law, "146", 1, date(2024, 1, 1)) == "minor"
    assert gravity_of(law, "146", 2, date(2024, 1, 1)) == "grave"
    assert offence(law, "146", 1, date(2014, 12, 31)) is None


def test_iccs_of(law):
    day = date(2024, 4, 1)
    assert iccs_of(law, "99", 1, day) == ("0101",)
    assert iccs_of(law, "146", 2, day) == ("11011",)
    assert iccs_of(law, "366", None, day)[0].startswith("07031")  # bribery
    assert iccs_of(law, "9999", None, day) == ()


# --- a broken copy of the package ------------------------------------------------------------


@pytest.fixture
def broken_copy(tmp_path, monkeypatch):
    """A copy of the kz package under tmp_path, read by `read_documents` in place of the real one."""
    shutil.copytree(PACKAGE, tmp_path / "kz")
    monkeypatch.setattr(jurisdictions, "resources", types.SimpleNamespace(files=lambda _package: tmp_path))
    return tmp_path / "kz"


def test_a_version_without_citations_names_file_and_key(broken_copy):
    path = broken_copy / "parameters" / "custody.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["parameters"]["custody.decision"]["versions"][0]["citations"] = []
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(LawDataError) as caught:
        Law.from_documents(read_documents("kz"))
    assert caught.value.file == "parameters/custody.yaml"
    assert "custody.decision" in caught.value.key
    assert "citations" in caught.value.key


def test_a_bad_unit_names_file_and_key(broken_copy):
    path = broken_copy / "parameters" / "detention.yaml"
    text = path.read_text(encoding="utf-8").replace("unit: hours", "unit: weeks", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LawDataError) as caught:
        Law.from_documents(read_documents("kz"))
    assert caught.value.file == "parameters/detention.yaml"
    assert caught.value.key.startswith("parameters.detention.limit.adult.versions.0.unit")


def test_invalid_yaml_names_file_and_line(broken_copy):
    path = broken_copy / "parameters" / "investigation.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n  bad: [unclosed\n", encoding="utf-8")
    with pytest.raises(LawDataError) as caught:
        read_documents("kz")
    assert caught.value.file == "parameters/investigation.yaml"
    assert caught.value.key.startswith("line ")
