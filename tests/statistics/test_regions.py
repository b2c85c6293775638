"""The regions as reference data (regions.yaml): KATO codes, districts with their sources,
and what a report says about districts (the log records none, so none is invented)."""

from datetime import date, datetime

from habeas.jurisdictions import reference
from habeas.statistics.episodes import Episode
from habeas.statistics.indicators import Regions, compute

REF = reference.load("kz")


def test_twenty_regions_each_with_a_kato_code():
    regions = REF["regions"]["regions"]
    assert len(regions) == 20 and sum(r["kind"] == "city" for r in regions) == 3
    codes = [r["kato"] for r in regions]
    assert len(set(codes)) == 20 and all(len(c) == 9 and c.endswith("0000000") for c in codes)
    # all twenty as read in the KATO copy of 17.10.2022 (its level-1 objects)
    assert {r["code"]: r["kato"][:2] for r in regions} == {
        "astana": "71",
        "almaty": "75",
        "shymkent": "79",
        "abai": "10",
        "akmola": "11",
        "aktobe": "15",
        "almaty-region": "19",
        "atyrau": "23",
        "west-kazakhstan": "27",
        "jambyl": "31",
        "jetisu": "33",
        "karaganda": "35",
        "kostanay": "39",
        "kyzylorda": "43",
        "mangystau": "47",
        "pavlodar": "55",
        "north-kazakhstan": "59",
        "turkistan": "61",
        "ulytau": "62",
        "east-kazakhstan": "63",
    }


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


# the second level of the KATO of 17.10.2022, counted in the file: objects whose parent is a region
# or a city of republican significance ("Г.А." → city, "район" → district)
KATO_2022_SECOND_LEVEL = {
    "astana": 4,
    "almaty": 8,
    "shymkent": 4,
    "abai": 10,
    "akmola": 20,
    "aktobe": 13,
    "almaty-region": 10,
    "atyrau": 8,
    "east-kazakhstan": 11,
    "jambyl": 11,
    "jetisu": 10,
    "karaganda": 13,
    "kostanay": 20,
    "kyzylorda": 9,
    "mangystau": 7,
    "north-kazakhstan": 14,
    "pavlodar": 13,
    "turkistan": 17,
    "ulytau": 5,
    "west-kazakhstan": 13,
}
KATO_2022_CITIES = {  # cities of regional significance ("Г.А.") per region
    "abai": 2,
    "akmola": 3,
    "aktobe": 1,
    "almaty-region": 1,
    "atyrau": 1,
    "east-kazakhstan": 2,
    "jambyl": 1,
    "jetisu": 2,
    "karaganda": 6,
    "kostanay": 4,
    "kyzylorda": 2,
    "mangystau": 2,
    "north-kazakhstan": 1,
    "pavlodar": 3,
    "turkistan": 3,
    "ulytau": 3,
    "west-kazakhstan": 1,
}


def test_every_region_has_its_whole_second_level_with_unique_codes():
    raw = REF["regions"]
    regions = {r["code"]: r for r in raw["regions"]}
    districts = raw["districts"]
    assert set(districts) == set(regions)  # every region and city has its districts
    read = {region: [d for d in ds if d["source"] == "kato-2022-10-17"] for region, ds in districts.items()}
    assert {region: len(ds) for region, ds in read.items()} == KATO_2022_SECOND_LEVEL
    assert sum(KATO_2022_SECOND_LEVEL.values()) == 220
    assert {region: n for region, ds in read.items() if (n := sum(d["kind"] == "city" for d in ds))} == KATO_2022_CITIES
    every = [d for ds in districts.values() for d in ds]
    assert all(d["kind"] in ("district", "city") for d in every)
    # slugs unique over the whole country, and never a region's code or alias (a report names either)
    slugs = [d["code"] for d in every]
    region_names = set(regions) | {a for r in regions.values() for a in r.get("aliases", [])}
    assert len(slugs) == len(set(slugs)) and not set(slugs) & region_names
    assert all(s == s.lower() and s.replace("-", "").isascii() and s.replace("-", "").isalpha() for s in slugs)
    katos = [d["kato"] for d in every if "kato" in d]
    assert len(katos) == len(set(katos)) == 220
    for region, ds in districts.items():
        for d in ds:
            if d["source"] == "kato-2022-10-17":  # read in the file: a 9-digit code under the region's two digits
                k, own = d["kato"], regions[region]["kato"]
                assert len(k) == 9 and k.isdigit() and k[:2] == own[:2] and k != own
                assert d["name"].endswith("(city administration)" if d["kind"] == "city" else "district")
            else:  # not in the 2022 file: no code is invented
                assert d["source"] == "memory" and "kato" not in d
    # the cities of republican significance have districts only; those formed or named after the file are dated
    assert all(d["kind"] == "district" for r in ("astana", "almaty", "shymkent") for d in districts[r])
    later = {d["code"]: d.get("valid_from") for ds in districts.values() for d in ds if d["source"] == "memory"}
    assert set(later) == {"nura", "sarayshyk", "turan"}
    assert later["nura"] == date(2022, 12, 28) and later["sarayshyk"] == date(2024, 8, 27)


def test_a_region_recorded_as_its_kato_code_is_counted_in_that_region():
    regions = Regions(REF["regions"])
    assert regions.of("750000000") == "almaty" and regions.of("610000000") == "turkistan"
    assert regions.of("Bostandyk district") == "unknown"  # a district is not a region, and is not guessed
    cases = [
        Episode(
            case=f"K{n}", episode="detention", year=2024, region=region, started_at=datetime(2024, 3, 1), flag2=True
        )
        for n, region in enumerate(["750000000"] * 5 + ["almaty"] * 2)
    ]
    cells = {
        (c.measure, c.region): c.value
        for c in compute(cases, [2024], datetime(2025, 1, 1), REF, 5)
        if c.indicator == "L7"
    }
    assert cells[("L7.detentions", "almaty")] == 7 and cells[("L7.detentions", "unknown")] == 0


def test_every_report_says_it_stops_at_the_region():
    notes = REF["indicators"]["notes"]
    assert "does not record a district" in notes["district"]


def test_reference_data_reads_as_the_pure_python_safe_loader_reads_it():
    """`reference.load` uses libyaml's safe loader where there is one: the same documents."""
    import yaml

    from habeas.jurisdictions import package_root, reference

    folder = package_root("kz") / "reference"
    for stem in reference.FILES:
        path = folder / f"{stem}.yaml"
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert repr(yaml.load(text, Loader=reference._LOADER)) == repr(yaml.safe_load(text)), stem
