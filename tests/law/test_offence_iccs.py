"""The ICCS codes of the offence catalogue (`offences/chNN.csv`): each is a code of the ICCS
list the package ships (`reference/iccs.csv`), one per row, and the Code's own lists of
terrorist and corruption crimes (CC art. 3 items 30, 29) carry the matching ICCS codes, with
every deviation named in `reference/iccs.yaml` (`law_lists`) and still needed."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache

import pytest
import yaml

from habeas.jurisdictions import load, package_root

ROOT = package_root("kz")


@cache
def iccs_list() -> dict[str, tuple[int, str]]:
    with (ROOT / "reference" / "iccs.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: (int(row["level"]), row["name"]) for row in csv.DictReader(handle)}


@cache
def law_lists() -> dict:
    return yaml.safe_load((ROOT / "reference" / "iccs.yaml").read_text(encoding="utf-8"))["law_lists"]


@cache
def catalogue() -> list[dict[str, str]]:
    rows = []
    for path in sorted((ROOT / "offences").glob("ch*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += [{**row, "file": path.name} for row in csv.DictReader(handle)]
    return rows


def unknown_codes(rows, codes) -> list[str]:
    """The rows whose `iccs` is not exactly one code of `codes`, as 'file article.part: code'."""
    return [f"{r['file']} {r['article']}.{r['part']}: {r['iccs']!r}" for r in rows if r["iccs"] not in codes]


def rows_of(entry: str) -> list[dict[str, str]]:
    """The catalogue rows of a list entry: "ART" (every part) or "ART.PART"."""
    article, _, part = entry.partition(".")
    return [r for r in catalogue() if r["article"] == article and (not part or r["part"] == part)]


def deviations(entries, allowed: tuple[str, ...], exceptions: dict) -> tuple[list[str], set[str]]:
    """(rows coded outside `allowed` and not as their exception says, exceptions used)."""
    wrong, used = [], set()
    for entry in entries:
        rows = rows_of(entry)
        assert rows, f"{entry} is listed but not in the catalogue"
        for r in rows:
            if r["iccs"].startswith(allowed):
                continue
            if entry in exceptions and r["iccs"] == exceptions[entry]["iccs"]:
                used.add(entry)
                continue
            wrong.append(f"{entry} part {r['part'] or '-'} from {r['valid_from']}: {r['iccs']}")
    return wrong, used


def test_the_iccs_list_is_a_tree_of_four_levels():
    codes = iccs_list()
    assert len(codes) == 320
    assert [c for c, (level, _) in codes.items() if level == 1] == [f"{n:02d}" for n in range(1, 12)]
    for code, (level, name) in codes.items():
        assert name and len(code) == {1: 2, 2: 4, 3: 5, 4: 6}[level], code
        if level > 1:
            assert (code[:2] if level == 2 else code[:-1]) in codes, f"{code} has no parent"
    assert codes["020111"][1] == "Serious assault"
    assert codes["11011"][1] == "Torture"
    assert codes["08011"][1] == "Violent public disorder offences"


def test_every_row_of_the_catalogue_carries_one_code_of_the_list():
    rows = catalogue()
    assert len(rows) > 1800
    assert unknown_codes(rows, iccs_list()) == []


def test_a_code_outside_the_list_or_two_codes_are_named():
    rows = [
        {"file": "chXX.csv", "article": "129", "part": "1", "iccs": "0299"},
        {"file": "chXX.csv", "article": "188", "part": "2", "iccs": "0502 0501"},
        {"file": "chXX.csv", "article": "99", "part": "1", "iccs": "0101"},
    ]
    assert unknown_codes(rows, iccs_list()) == ["chXX.csv 129.1: '0299'", "chXX.csv 188.2: '0502 0501'"]


def test_offences_of_the_statute_get_their_iccs_codes():
    by_row = {(r["article"], r["part"]): r["iccs"] for r in catalogue() if not r["valid_until"]}
    assert by_row[("146", "1")] == "11011"  # torture
    assert by_row[("106", "1")] == "020111"  # grave harm to health: serious assault
    assert by_row[("293", "1")] == "08011"  # hooliganism: violent public disorder
    assert by_row[("366", "1")] == "070312"  # taking a bribe: passive bribery
    assert by_row[("367", "1")] == "070311"  # giving a bribe: active bribery
    assert by_row[("297", "1")].startswith("06")  # drug trafficking


@pytest.mark.parametrize("day", [date(2015, 1, 1), date(2025, 9, 16)])
def test_terrorist_crimes_are_acts_against_public_safety_or_a_named_exception(day):
    spec = law_lists()["terrorist"]
    articles = load("kz").value(spec["articles_from"], day)
    assert "255" in articles
    wrong, used = deviations(articles, tuple(spec["iccs"]), spec["exceptions"])
    assert wrong == []
    assert used == set(spec["exceptions"]), "an exception no row needs any more"


def test_corruption_crimes_are_corruption_or_fraud_codes_or_a_named_exception():
    spec = law_lists()["corruption"]
    wrong, used = deviations(spec["articles"], tuple(spec["iccs_articles"]), {})
    assert wrong == []
    wrong, used = deviations(spec["parts"], tuple(spec["iccs_parts"]), spec["exceptions"])
    assert wrong == []
    assert used == set(spec["exceptions"]), "an exception no row needs any more"


def test_the_statistics_reference_names_codes_of_the_list():
    reference = ROOT / "reference"
    un_cts = yaml.safe_load((reference / "un-cts.yaml").read_text(encoding="utf-8"))
    named = [code for category in un_cts["categories"] for code in category["iccs"]]
    named.append(yaml.safe_load((reference / "indicators.yaml").read_text(encoding="utf-8"))["corruption_iccs"])
    assert [code for code in named if code not in iccs_list()] == []


def test_a_un_cts_category_named_as_an_iccs_code_counts_that_code():
    # "Serious assault" is 020111: its parent 02011 would count minor assaults too
    by_name = {name.lower(): code for code, (_, name) in iccs_list().items()}
    un_cts = yaml.safe_load((ROOT / "reference" / "un-cts.yaml").read_text(encoding="utf-8"))
    named = [(c["label"], c["iccs"]) for c in un_cts["categories"] if c["label"].lower() in by_name]
    assert len(named) >= 8
    assert [(label, codes) for label, codes in named if codes != [by_name[label.lower()]]] == []
