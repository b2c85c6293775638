"""Offences: Criminal Code articles (and parts) to gravity (CC art. 11) and UN ICCS.

Read from the package's `offences.csv` (dated rows, each with its source). The
gravity of a case comes from its article and part; an article listed without a
part applies to every part not listed on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from habeas.law.package import Law, LawDataError

GRAVITIES = ("misdemeanour", "minor", "medium", "grave", "especially_grave")
FILE = "offences.csv"


@dataclass(frozen=True, slots=True)
class Offence:
    article: str
    part: int | None
    title: str
    gravity: str
    max_penalty: str
    iccs: tuple[str, ...]
    valid_from: date
    valid_until: date | None
    certainty: str
    source: str

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def parse_offences(rows: Iterable[Mapping[str, str]]) -> list[Offence]:
    offences = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            gravity = row["gravity"].strip()
            if gravity not in GRAVITIES:
                raise ValueError(f"gravity {gravity!r} not one of {', '.join(GRAVITIES)}")
            offences.append(
                Offence(
                    article=row["article"].strip(),
                    part=int(row["part"]) if row.get("part", "").strip() else None,
                    title=row["title"].strip(),
                    gravity=gravity,
                    max_penalty=row.get("max_penalty", "").strip(),
                    iccs=tuple(c for c in row.get("iccs", "").split() if c),
                    valid_from=date.fromisoformat(row["valid_from"].strip()),
                    valid_until=date.fromisoformat(row["valid_until"].strip())
                    if row.get("valid_until", "").strip()
                    else None,
                    certainty=row.get("certainty", "").strip() or "U",
                    source=row.get("source", "").strip(),
                )
            )
        except (KeyError, ValueError) as exc:
            raise LawDataError(FILE, f"line {number}", str(exc)) from None
    return offences


def offences(law: Law) -> list[Offence]:
    cached = law.extra.get("_offences")
    if cached is None:
        cached = parse_offences(law.extra.get(FILE, []))
        # Law is frozen, its `extra` mapping is not: the parsed table is kept beside the rows.
        law.extra["_offences"] = cached  # type: ignore[index]
    return cached


def offence(law: Law, article: str | None, part: int | None, day: date) -> Offence | None:
    """The offence row for an article (and part) on a day; the part's own row wins."""
    if article is None:
        return None
    whole = None
    for row in offences(law):
        if row.article != article or not row.applies_on(day):
            continue
        if row.part == part and part is not None:
            return row
        if row.part is None:
            whole = row
    return whole


def gravity_of(law: Law, article: str | None, part: int | None, day: date) -> str | None:
    """The gravity category of an offence on a day, or None when the table does not know it."""
    row = offence(law, article, part, day)
    return row.gravity if row else None
