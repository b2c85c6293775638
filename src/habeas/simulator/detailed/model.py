"""The detailed caseload's pieces: names, a case and its suspects, time helpers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from habeas.law.workdays import WorkingCalendar

MALE = (
    "Aidar",
    "Nurlan",
    "Yerlan",
    "Daniyar",
    "Askar",
    "Marat",
    "Serik",
    "Timur",
    "Arman",
    "Dmitry",
    "Sergey",
    "Alexey",
    "Ruslan",
    "Bauyrzhan",
    "Yerzhan",
    "Azamat",
    "Olzhas",
)
FEMALE = (
    "Aigerim",
    "Dana",
    "Saule",
    "Gulnara",
    "Madina",
    "Aliya",
    "Elena",
    "Olga",
    "Zhanna",
    "Asel",
    "Dinara",
    "Kamila",
)
SURNAMES = (
    "Akhmetov",
    "Nurpeisov",
    "Bekov",
    "Omarov",
    "Ivanov",
    "Petrov",
    "Tulegenov",
    "Zhakupov",
    "Suleimenov",
    "Abenov",
    "Smagulov",
    "Karimov",
    "Sadykov",
    "Ismailov",
    "Kuznetsov",
    "Baimukhanov",
    "Yessenov",
    "Mukanov",
)
SURNAMES_PLAIN = ("Kim", "Li", "Tsoi", "Seitkali", "Nurmukhambet")
CHANNELS = ("in_person", "phone_102", "online", "written", "police_initiative")
DETAINED_AT = ("street", "home", "workplace", "scene of the offence", "shopping centre")
FACILITY_KINDS = ("ivs", "sizo", "ec")
# where the judges the law may name for a measure sit, and how many a region has: (prefix,
# court, pool). Which of them decides is the law's (competence.yaml, by the case's stage).
BENCHES = {
    "investigating_judge": ("ij", "court-{region}-investigating", 8),
    "judge": ("j", "court-{region}-district-1", 6),
}


def _h(hours: float) -> timedelta:
    return timedelta(minutes=max(1, round(hours * 60)))


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(
        moment.day,
        [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][
            month - 1
        ],
    )
    return moment.replace(year=year, month=month, day=day)


def _office(moment: datetime, rng: random.Random, calendar: WorkingCalendar | None = None) -> datetime:
    """The same or the next working day (the law's calendar: weekends and days off), during
    office hours (for unhurried acts)."""
    if moment.hour >= 17:
        moment += timedelta(days=1)
    day = moment.date()
    if calendar is not None:
        day = calendar.next_working_day(day)[0]
    else:
        while day.weekday() >= 5:
            day += timedelta(days=1)
    if day != moment.date():
        moment = datetime.combine(day, moment.time(), moment.tzinfo)
    if not 9 <= moment.hour < 17:
        moment = datetime.combine(moment.date(), time(9), moment.tzinfo) + timedelta(minutes=rng.randrange(0, 420))
    return moment


@dataclass(slots=True)
class _Suspect:
    person: str
    minor: bool
    language: str
    detained: bool = False
    in_custody: bool = False
    custody_from: datetime | None = None
    until: datetime | None = None
    lawyer: dict | None = None
    done: bool = False  # released for good, or the flow ended
    party: dict | None = None  # the party.added of this suspect (the facts the law asks about)
    detention: dict | None = None  # the person.detained, while it counts
    order: dict | None = None  # the custody.ordered that opened the series of orders
    cap: datetime | None = None  # the latest `until` the custody ladder allows


@dataclass(slots=True)
class _Case:
    case: str
    region: str
    article: str
    part: int
    gravity: str | None
    investigator: dict
    prosecutor: dict
    suspects: list[_Suspect] = field(default_factory=list)
    victim: bool = False
    in_court: bool = False
    registration: dict | None = None  # the case.registered (its article and part)


def _time(item: tuple) -> datetime:
    return item[0]
