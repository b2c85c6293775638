"""The regions as reference data (regions.yaml): KATO codes, districts with their sources,
and what a report says about districts (the log records none, so none is invented)."""

from datetime import datetime

from habeas.jurisdictions import reference
from habeas.statistics.episodes import Episode
from habeas.statistics.indicators import Regions, compute

REF = reference.load("kz")


def test_twenty_regions_each_with_a_kato_code():
    regions = REF["regions"]["regions"]
    assert len(regions) == 20 and sum(r["kind"] == "city" for r in regions) == 3
    codes = [r["kato"] for r in regions]
    assert len(set(codes)) == 20 and all(len(c) == 9 and c.endswith("0000000") for c in codes)
    assert {r["code"]: r["kato"][:2] for r in regions if r["code"] in ("abai", "turkistan", "ulytau")} == {
        "abai": "10", "turkistan": "61", "ulytau": "62"}  # the three read in the KATO copy of 17.10.2022


def test_districts_are_listed_with_a_source_and_belong_to_their_region():
    raw = REF["regions"]
    sources = raw["districts_source"]
    known = {r["code"]: r["kato"] for r in raw["regions"]}
    for region, districts in raw["districts"].items():
        assert region in known
        codes = [d["code"] for d in districts]
        assert len(codes) == len(set(codes)), region
        for d in districts:
            assert d["source"] in sources and d["name"]
            if "kato" in d:  # a district's KATO code starts with its region's two digits
                assert d["kato"][:2] == known[region][:2] and len(d["kato"]) == 9
    turkistan = raw["districts"]["turkistan"]
    assert len(turkistan) == 17 and sum(d["kind"] == "district" for d in turkistan) == 14
    assert len(raw["districts"]["almaty"]) == 8
    assert Regions(raw).districts["shymkent"][0]["name"] == "Abai district"


def test_a_region_recorded_as_its_kato_code_is_counted_in_that_region():
    regions = Regions(REF["regions"])
    assert regions.of("750000000") == "almaty" and regions.of("610000000") == "turkistan"
    assert regions.of("Bostandyk district") == "unknown"  # a district is not a region, and is not guessed
    cases = [Episode(case=f"K{n}", episode="detention", year=2024, region=region, started_at=datetime(2024, 3, 1),
                     flag2=True) for n, region in enumerate(["750000000"] * 5 + ["almaty"] * 2)]
    cells = {(c.measure, c.region): c.value for c in compute(cases, [2024], datetime(2025, 1, 1), REF, 5)
             if c.indicator == "L7"}
    assert cells[("L7.detentions", "almaty")] == 7 and cells[("L7.detentions", "unknown")] == 0


def test_every_report_says_it_stops_at_the_region():
    notes = REF["indicators"]["notes"]
    assert "does not record a district" in notes["district"]
