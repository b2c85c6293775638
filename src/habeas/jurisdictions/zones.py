"""Local time: each region's IANA time zone, from the package's reference data.

`reference/regions.yaml` names a zone for each region (and one for the jurisdiction, for a
case whose region is not recorded); the offset in force on a day comes from the time-zone
database, never from a constant. The zones are read from the `tzdata` package, not the
system's files: a machine whose tz files predate a change (Kazakhstan's single zone of
1 March 2024) would otherwise show another hour than its neighbour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from habeas.jurisdictions.reference import load


class UnknownZone(ValueError):
    """A zone named in the reference data that the time-zone database does not hold."""


@cache
def named(key: str) -> tzinfo:
    """The IANA zone `key` (`Asia/Almaty`) as the `tzdata` package has it."""
    try:
        path = resources.files("tzdata.zoneinfo").joinpath(*key.split("/"))
        with path.open("rb") as handle:
            found = ZoneInfo.from_file(handle, key=key)
    except (FileNotFoundError, IsADirectoryError, ModuleNotFoundError, ValueError) as exc:
        try:  # no tzdata package: the system's database
            return ZoneInfo(key)
        except (ZoneInfoNotFoundError, ValueError):
            raise UnknownZone(f"no time zone {key!r} in the time-zone database") from exc
    return found


@cache
def _regions(jurisdiction: str) -> dict[str, dict]:
    """{a region's code, alias or KATO code, lower case: its entry in the reference data}."""
    out: dict[str, dict] = {}
    for region in load(jurisdiction)["regions"].get("regions") or []:
        for name in [region["code"], region.get("kato"), *(region.get("aliases") or [])]:
            if name:
                out[str(name).lower()] = region
    return out


def _region(jurisdiction: str, region: str | None) -> dict:
    return _regions(jurisdiction).get(str(region).strip().lower(), {}) if region else {}


def region_name(jurisdiction: str, region: str | None) -> str | None:
    """A region's name in the reference data (English: the catalogues translate it)."""
    return _region(jurisdiction, region).get("name")


def zone_name(jurisdiction: str, region: str | None = None) -> str:
    """The zone of `region` (code, alias or KATO code); the jurisdiction's own otherwise; UTC
    for a package that names none."""
    found = _region(jurisdiction, region).get("zone")
    return found or load(jurisdiction)["regions"].get("zone") or "UTC"


def zone(jurisdiction: str, region: str | None = None) -> tzinfo:
    """The time zone of `region` in `jurisdiction` (see `zone_name`)."""
    return named(zone_name(jurisdiction, region))


def local(moment: datetime, jurisdiction: str, region: str | None = None) -> datetime:
    """`moment` in the region's local time (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(jurisdiction, region))


def read_local(text: str, jurisdiction: str, region: str | None = None) -> datetime:
    """A time as typed in a form: with an offset, as written; without one (`2024-03-03T10:00`,
    a date-time picker's value), in the region's local time on that day. ValueError if it is
    no time."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        # the offset in force at that wall time (fold=0: a time shown twice when a clock is
        # set back is the first), written as a fixed offset, as the register stores times
        moment = moment.replace(tzinfo=zone(jurisdiction, region))
        moment = moment.replace(tzinfo=timezone(moment.utcoffset() or timedelta(0)))
    return moment


def fixed(jurisdiction: str, day: date, region: str | None = None) -> timezone:
    """The offset in force in the region at noon of `day`, as a fixed offset: for a writer
    (the simulator) that stamps a run's times with one offset."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone(jurisdiction, region))
    return timezone(noon.utcoffset() or timedelta(0))


def midnight(jurisdiction: str, day: date, region: str | None = None) -> datetime:
    """The start of `day` in the region's local time, at the offset in force that day."""
    return datetime(day.year, day.month, day.day, tzinfo=fixed(jurisdiction, day, region))
