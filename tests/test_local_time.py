"""Local time from the package's reference data and the time-zone database: each region
names its IANA zone, the offset of the day comes from `tzdata` (Kazakhstan one zone, +05:00,
from 1 March 2024; the east +06:00 before), and the CLI shows the case region's local time
to the minute whatever offset a time was written with."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from habeas.jurisdictions import zones
from habeas.jurisdictions.reference import load
from habeas.presentation.wording import Wording
from tests.test_alerts import detention_case
from tests.test_cli import habeas


def test_every_region_names_a_zone_the_database_holds():
    regions = load("kz")["regions"]["regions"]
    assert regions and all(r.get("zone") for r in regions), [r["code"] for r in regions if not r.get("zone")]
    for region in regions:
        assert zones.zone("kz", region["code"]).utcoffset(datetime(2025, 1, 1)) is not None


@pytest.mark.parametrize(
    ("region", "moment", "local"),
    [
        ("almaty", "2024-02-29T05:00:00+00:00", "2024-02-29T11:00:00+06:00"),  # the east before the change
        ("almaty", "2024-03-01T05:00:00+00:00", "2024-03-01T10:00:00+05:00"),  # one zone since 1 March 2024
        ("750000000", "2024-02-29T05:00:00+00:00", "2024-02-29T11:00:00+06:00"),  # Almaty by its KATO code
        ("almaty-city", "2024-02-29T05:00:00+00:00", "2024-02-29T11:00:00+06:00"),  # and by an alias
        ("aktobe", "2024-02-29T05:00:00+00:00", "2024-02-29T10:00:00+05:00"),  # the west: +05:00 throughout
        ("kostanay", "2024-02-29T05:00:00+00:00", "2024-02-29T11:00:00+06:00"),  # Asia/Qostanay
        ("kyzylorda", "2020-06-01T05:00:00+00:00", "2020-06-01T10:00:00+05:00"),  # +05:00 since 2018
        (None, "2023-06-01T05:00:00+00:00", "2023-06-01T11:00:00+06:00"),  # no region: the capital's zone
        ("atlantis", "2023-06-01T05:00:00+00:00", "2023-06-01T11:00:00+06:00"),  # unknown: the same
    ],
)
def test_the_offset_in_force_on_the_day(region, moment, local):
    assert zones.local(datetime.fromisoformat(moment), "kz", region).isoformat() == local


def test_a_time_typed_without_offset_is_read_in_the_regions_zone():
    assert zones.read_local("2024-02-01T10:00", "kz", "pavlodar").isoformat() == "2024-02-01T10:00:00+06:00"
    assert zones.read_local("2024-03-02T10:00", "kz", "pavlodar").isoformat() == "2024-03-02T10:00:00+05:00"
    assert zones.read_local("2024-03-02T10:00+03:00", "kz").isoformat() == "2024-03-02T10:00:00+03:00"
    with pytest.raises(ValueError):
        zones.read_local("yesterday", "kz")
    assert Wording("ru").read_time("yesterday") == "yesterday"  # the register refuses it, under its field


def test_the_simulator_starts_at_local_midnight_from_the_package():
    assert zones.midnight("kz", date(2024, 1, 1)).isoformat() == "2024-01-01T00:00:00+06:00"
    assert zones.midnight("kz", date(2025, 9, 1)).isoformat() == "2025-09-01T00:00:00+05:00"


def test_words_and_numbers_in_the_readers_language():
    moment = datetime(2024, 2, 29, 5, 0, tzinfo=UTC)
    assert Wording("ru").when(moment, "almaty") == "29 февр. 2024, 11:00 (UTC+06:00)"
    assert Wording("en").stamp(moment, "aktobe") == "2024-02-29 10:00 (+05:00)"
    assert Wording("ru").number(1234.5) == "1\xa0234,5" and Wording("kk").number(12.5) == "12,5"
    assert Wording("en").number(1234.5) == "1,234.5"
    assert Wording("kk").label("person.detained") != "Person detained"
    assert Wording("ru").region("almaty-region") == "Алматинская область"


def test_the_cli_shows_the_case_regions_local_time(tmp_path):
    """The same UTC instant, written in UTC, shown as Almaty's 11:00 (+06:00) and, for a case
    in Aktobe, 10:00 (+05:00): the day before Kazakhstan's single zone."""
    db = f"sqlite:///{tmp_path / 'r.db'}"
    habeas("init", db=db)
    almaty = detention_case("KZ-2024-000901", detained="2024-02-29T05:00:00+00:00")
    aktobe = detention_case("KZ-2024-000902", detained="2024-02-29T05:00:00+00:00")
    aktobe[1]["data"]["region"] = "aktobe"
    for opening in [*almaty[:3], *aktobe[:3]]:  # reported and registered the day before
        opening["occurred_at"] = "2024-02-28T09:00:00+06:00"
    lines = tmp_path / "cases.jsonl"
    lines.write_text("\n".join(json.dumps(e) for e in [*almaty, *aktobe]) + "\n")
    habeas("import", str(lines), db=db)
    shown = habeas("case", "show", "KZ-2024-000901", "--purpose", "test", db=db).stdout
    assert "2024-02-29 11:00 (+06:00)" in shown and "05:00:00+00:00" not in shown
    shown = habeas("case", "show", "KZ-2024-000902", "--purpose", "test", db=db).stdout
    assert "2024-02-29 10:00 (+05:00)" in shown
