"""The dated table of non-working days of Kazakhstan (kz/calendar/non-working-days.yaml).

Read with `yaml.safe_load` directly: these tests check the data, not the engine that uses it.
The facts at the end are each taken from a source cited in that year of the file.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest
import yaml

PATH = Path(str(resources.files("habeas.jurisdictions") / "kz" / "calendar" / "non-working-days.yaml"))
YEARS = range(2015, 2027)
YEAR_KEYS = {"certainty", "citations", "days_off", "working_days", "note"}
CITATION_KEYS = {"act", "article", "part", "title", "source", "note"}


@pytest.fixture(scope="module")
def table() -> dict:
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def entries(table: dict, year: int, key: str) -> list[dict]:
    return table["years"][year].get(key) or []


def non_working(table: dict, day: date) -> bool:
    """The rule the file states: a weekend day not made a working day, or a listed day off."""
    year = table["years"][day.year]
    if any(e["date"] == day for e in year.get("days_off") or []):
        return True
    return day.weekday() >= 5 and not any(e["date"] == day for e in year.get("working_days") or [])


def check_citations(citations, where: str) -> None:
    assert citations, f"{where}: no citations"
    for c in citations:
        assert set(c) <= CITATION_KEYS, f"{where}: unknown citation keys {set(c) - CITATION_KEYS}"
        assert c.get("act"), f"{where}: a citation without an act"
        for key, value in c.items():
            assert isinstance(value, str) and value.strip(), f"{where}: citation {key} must be a non-empty string"


# --- the shape the engine reads ---------------------------------------------------------------


def test_header(table):
    assert table["jurisdiction"] == "kz"
    assert table["weekend"] == ["saturday", "sunday"]
    assert isinstance(table["description"], str) and table["description"].strip()
    check_citations(table["citations"], "general")
    assert any(c.get("article") == "5" and "267-II" in c["act"] for c in table["citations"])


def test_every_year_2015_to_2026_is_present_and_no_other():
    years = yaml.safe_load(PATH.read_text(encoding="utf-8"))["years"]
    assert sorted(years) == list(YEARS)


@pytest.mark.parametrize("year", YEARS)
def test_year_has_certainty_citations_and_allowed_keys(table, year):
    entry = table["years"][year]
    assert set(entry) <= YEAR_KEYS, f"{year}: unknown keys {set(entry) - YEAR_KEYS}"
    assert entry["certainty"] in ("C", "P", "U")
    check_citations(entry["citations"], str(year))
    if entry["certainty"] == "U":
        assert entry.get("note"), f"{year}: an uncertain year must say why in its note"


@pytest.mark.parametrize("year", YEARS)
def test_dates_lie_in_their_year_and_have_a_reason(table, year):
    for key in ("days_off", "working_days"):
        for e in entries(table, year, key):
            assert set(e) == {"date", "why"}, f"{year} {key}: {e}"
            assert type(e["date"]) is date, f"{year} {key}: {e['date']!r} is not a date"
            assert e["date"].year == year, f"{year} {key}: {e['date']} is in another year"
            assert isinstance(e["why"], str) and e["why"].strip()


@pytest.mark.parametrize("year", YEARS)
def test_days_off_are_weekdays_and_working_days_are_weekends(table, year):
    # a holiday on a Saturday or Sunday is not listed (its moved day off is)
    for e in entries(table, year, "days_off"):
        assert e["date"].weekday() < 5, f"{year}: day off {e['date']} is a Saturday/Sunday"
    for e in entries(table, year, "working_days"):
        assert e["date"].weekday() >= 5, f"{year}: working day {e['date']} is a weekday"


@pytest.mark.parametrize("year", YEARS)
def test_no_date_is_listed_twice(table, year):
    off = [e["date"] for e in entries(table, year, "days_off")]
    work = [e["date"] for e in entries(table, year, "working_days")]
    assert len(off) == len(set(off)) and len(work) == len(set(work))
    assert off == sorted(off) and work == sorted(work)


@pytest.mark.parametrize("year", YEARS)
def test_every_working_weekend_day_is_balanced_by_a_day_off_it_cites(table, year):
    # a transfer makes a Saturday/Sunday working and a weekday off, both under the same act
    for e in entries(table, year, "working_days"):
        source = f"from {e['date']:%A} {e['date'].day} {e['date']:%B} "
        moved_to = [d for d in entries(table, year, "days_off") if source in d["why"]]
        assert moved_to, f"{year}: working day {e['date']} has no day off moved from it"


@pytest.mark.parametrize("year", YEARS)
def test_fixed_holidays_on_weekdays_are_days_off(table, year):
    fixed = [(1, 1), (1, 2), (1, 7), (3, 8), (3, 21), (3, 22), (3, 23), (5, 1), (5, 7), (5, 9), (7, 6), (12, 16)]
    if year <= 2025:
        fixed.append((8, 30))
    if year >= 2022:
        fixed.append((10, 25))
    else:
        fixed += [(12, 1), (12, 17)]
    for month, day in fixed:
        d = date(year, month, day)
        if d.weekday() < 5:
            assert non_working(table, d), f"{d} is a holiday on a weekday but not a day off"


@pytest.mark.parametrize("year", YEARS)
def test_a_year_has_about_the_usual_number_of_days_off(table, year):
    days = [date(year, 1, 1) + timedelta(n) for n in range(366) if (date(year, 1, 1) + timedelta(n)).year == year]
    count = sum(non_working(table, d) for d in days)
    assert 114 <= count <= 122, f"{year}: {count} non-working days"


# --- facts from the sources cited in the file -------------------------------------------------

# {source (cited in that year of the file): the days it states, ISO dates}
DAYS_OFF = {
    "2015 e-government calendar (Kapital.kz)": "2015-03-09 2015-03-24 2015-03-25 2015-05-11 2015-08-31 2015-09-24",
    "2016 Decree No. 67 (KazTAG); art. 5 (Zakon.kz); DUMK (ng.kz)": "2016-03-07 2016-05-10 2016-09-12",
    "2017 Decree No. 5 (Zakon.kz); Kurban Ait (Inbusiness.kz)": "2017-03-20 2017-07-07 2017-09-01",
    "2018 Decree No. 864 (primeminister.kz)": "2018-03-09 2018-04-30 2018-05-08 2018-08-31 2018-12-31",
    "2019 Sputnik (May); e-government calendar (Zakon.kz)": "2019-05-10 2019-03-25 2019-07-08 2019-12-02",
    "2020 Decree No. 820 (Kyzylorda-news)": "2020-01-03 2020-05-08 2020-12-18",
    "2020 art. 5 (Zakon.kz; kstnews.kz)": "2020-03-24 2020-08-31",
    "2021 kt.kz (January and July)": "2021-01-04 2021-07-05 2021-07-20 2021-12-01 2021-12-17",
    "2022 Decree No. 713 (pm.kz), No. 796 (NUR.KZ); the 2022 law": "2022-03-07 2022-08-29 2022-10-24 2022-10-25",
    "2023 Decree No. 326 (Zakon.kz); NUR.KZ": "2023-07-07 2023-06-28 2023-12-18",
    "2024 Order No. 109 (Sputnik); ng.kz": "2024-03-08 2024-03-25 2024-05-08",
    "2025 Order No. 436 (Kursiv); mgorod.kz": "2025-01-03 2025-06-06",
    "2026 e-government calendar (Kazinform); DUMK": "2026-03-09 2026-03-25 2026-05-11 2026-05-27 2026-10-26",
}

# Saturdays and Sundays that transfers made working days
WORKING_WEEKEND_DAYS = {
    "2016 Decree No. 67": "2016-03-05",
    "2017 Decree No. 5": "2017-03-18 2017-07-01",
    "2018 Decree No. 864 (primeminister.kz)": "2018-03-03 2018-04-28 2018-05-05 2018-08-25 2018-12-29",
    "2019 Decree No. 888": "2019-05-04",
    "2020 Decree No. 820": "2020-01-05 2020-12-20",
    "2021 Decree No. 930": "2021-07-03",
    "2022 Decrees No. 713 and 796": "2022-03-05 2022-08-27 2022-10-22",
    "2023 Decree No. 326": "2023-07-01",
    "2024 Order No. 109": "2024-05-04",
    "2025 Order No. 436": "2025-01-05",
}

# weekdays that are working days although a reader might expect a day off
WORKING_WEEKDAYS = {
    "2016: no transfer for Constitution Day (mgorod.kz)": "2016-08-29",
    "2020: its art. 5 day off moved to Friday 8 May by Decree No. 820": "2020-05-11",
    "2022: First President Day removed by the 2022 law": "2022-12-01",
    "2023: no transfer for Nauryz (qarmaqshy-tany.kz)": "2023-03-20",
    "2024: the May transfer was 4 to 8 May, not 18 to 10 May (Sputnik)": "2024-05-10",
    "2024: Kurban Ait fell on Sunday 16 June and is never moved (Tengrinews)": "2024-06-17",
    "Independence Day is 16 December only since 2022": "2024-12-17 2025-12-17",
    "2025: no May transfer (Informburo)": "2025-05-08",
    "2026: 30 August no longer a holiday (Taspanews, Ministry of Labour)": "2026-08-31",
}


def cases(facts: dict[str, str]) -> list[tuple[str, date]]:
    return [(source, date.fromisoformat(day)) for source, days in facts.items() for day in days.split()]


@pytest.mark.parametrize(("source", "day"), cases(DAYS_OFF))
def test_known_days_off(table, source, day):
    assert day.weekday() < 5, f"{day} ({source}) is a weekend day"
    assert non_working(table, day), f"{day} ({source})"


@pytest.mark.parametrize(("source", "day"), cases(WORKING_WEEKEND_DAYS))
def test_known_working_weekend_days(table, source, day):
    assert day.weekday() >= 5, f"{day} ({source}) is a weekday"
    assert not non_working(table, day), f"{day} ({source})"


@pytest.mark.parametrize(("source", "day"), cases(WORKING_WEEKDAYS))
def test_known_working_weekdays(table, source, day):
    assert day.weekday() < 5, f"{day} ({source}) is a weekend day"
    assert not non_working(table, day), f"{day} ({source})"


def test_religious_days_off_on_a_weekend_are_not_moved(table):
    # Orthodox Christmas on Saturday 7 January 2023 / Sunday 7 January 2024; Kurban Ait on
    # Sunday 11 August 2019 and Saturday 9 July 2022: the following Monday stays a working day
    for monday in (date(2023, 1, 9), date(2024, 1, 8), date(2019, 8, 12), date(2022, 7, 11)):
        assert not non_working(table, monday), monday


def test_moves_in_2024_and_2025_are_by_the_ministers_order_not_a_government_decree(table):
    for year in (2024, 2025):
        transfers = [e for e in entries(table, year, "days_off") if " by " in e["why"]]
        assert transfers and all("Order of the" in e["why"] for e in transfers), year


@pytest.mark.parametrize("year", YEARS)
def test_dropped_holidays_are_not_days_off(table, year):
    # 25 October was no holiday until 2022; 1 December and 17 December stopped being holidays in 2022
    dropped = [(10, 25)] if year < 2022 else [(12, 1), (12, 17)]
    for month, day in dropped:
        d = date(year, month, day)
        if d.weekday() < 5:
            assert not non_working(table, d), f"{d} is listed as a day off"


# first day of Kurban Ait by year, as the sources cited in each year give it
KURBAN_AIT = {
    2015: "2015-09-24", 2016: "2016-09-12", 2017: "2017-09-01", 2018: "2018-08-21", 2019: "2019-08-11",
    2020: "2020-07-31", 2021: "2021-07-20", 2022: "2022-07-09", 2023: "2023-06-28", 2024: "2024-06-16",
    2025: "2025-06-06", 2026: "2026-05-27",
}  # fmt: skip


@pytest.mark.parametrize("year", YEARS)
def test_kurban_ait_is_listed_on_its_date_only(table, year):
    day = date.fromisoformat(KURBAN_AIT[year])
    listed = [e["date"] for e in entries(table, year, "days_off") if "Kurban Ait" in e["why"]]
    assert listed == ([day] if day.weekday() < 5 else [])
