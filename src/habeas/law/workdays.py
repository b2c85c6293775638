"""Non-working days: the dated table a term's last day is moved past (e.g. CPC art. 48 part 4).

Pure: `WorkingCalendar.from_document` takes the parsed `calendar/non-working-days.yaml`
of a jurisdiction package. A day is non-working when it is a weekend day that no
transfer made a working day, or a listed day off (a holiday, a day off moved by the
holiday law or by the government's yearly transfer). A year without a table is never
guessed silently: `is_non_working` answers None for it and the caller says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.law.package import Certainty, Citation, LawDataError, validated

FILE = "calendar/non-working-days.yaml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Day(_Model):
    date: date
    why: str = Field(min_length=1)


class Year(_Model):
    certainty: Certainty
    citations: list[Citation] = Field(min_length=1)
    days_off: list[Day] = Field(default_factory=list)
    working_days: list[Day] = Field(default_factory=list)
    note: str | None = None


class CalendarDocument(_Model):
    jurisdiction: str
    description: str | None = None
    weekend: list[Literal[WEEKDAYS]] = Field(min_length=1)  # type: ignore[valid-type]
    citations: list[Citation] = Field(min_length=1)
    years: dict[int, Year] = Field(min_length=1)

    @model_validator(mode="after")
    def _days_in_their_year(self) -> CalendarDocument:
        for year, table in self.years.items():
            for day in (*table.days_off, *table.working_days):
                if day.date.year != year:
                    raise ValueError(f"years.{year}: {day.date} is not in {year}")
        return self


@dataclass(frozen=True)
class WorkingCalendar:
    weekend: frozenset[int]  # ISO weekday numbers, Monday = 1
    days_off: frozenset[date]
    working_days: frozenset[date]
    years: frozenset[int]
    citations: tuple[Citation, ...] = ()

    @classmethod
    def from_document(cls, raw: Any, jurisdiction: str) -> WorkingCalendar:
        doc = validated(CalendarDocument, raw, FILE, jurisdiction)
        return cls(
            weekend=frozenset(WEEKDAYS.index(name) + 1 for name in doc.weekend),
            days_off=frozenset(d.date for y in doc.years.values() for d in y.days_off),
            working_days=frozenset(d.date for y in doc.years.values() for d in y.working_days),
            years=frozenset(doc.years),
            citations=tuple(doc.citations),
        )

    def is_non_working(self, day: date) -> bool | None:
        """Whether `day` is a day off; None when the table has no such year."""
        if day.year not in self.years:
            return None
        if day in self.days_off:
            return True
        return day.isoweekday() in self.weekend and day not in self.working_days

    def next_working_day(self, day: date) -> tuple[date, list[int]]:
        """`day` itself if it is a working day, else the next one; and the years the
        answer had to assume weekends only for (no table)."""
        unknown: list[int] = []
        for _ in range(60):  # no run of days off is this long
            off = self.is_non_working(day)
            if off is None:
                if day.year not in unknown:
                    unknown.append(day.year)
                off = day.isoweekday() in self.weekend
            if not off:
                return day, unknown
            day += timedelta(days=1)
        raise LawDataError(FILE, "-", f"no working day within 60 days of {day}")


def working_calendar(documents: Mapping[str, Any], jurisdiction: str) -> WorkingCalendar | None:
    raw = documents.get(FILE)
    return None if raw is None else WorkingCalendar.from_document(raw, jurisdiction)
