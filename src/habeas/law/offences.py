"""Offences: Criminal Code articles (and parts) to gravity (CC art. 11) and UN ICCS.

Read from the package's `offences.csv` (dated rows, each with its source). The
gravity of a case comes from its article and part; a row without a part gives
the article's gravity for any part not listed on its own (by convention the
gravity of the article's first part, see the jurisdiction's README).

`max_penalty` is written in a small fixed form so that the gravity can be
checked against it (`gravity_for_penalty`):
``imprisonment up to N years``, ``imprisonment N-M years``, either optionally
followed by ``or life``, or ``no imprisonment (...)`` for a criminal misdemeanour.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from habeas.law.package import Law, LawDataError

GRAVITIES = ("misdemeanour", "minor", "medium", "grave", "especially_grave")
CERTAINTIES = ("C", "P", "M", "U", "policy", "-")
FILE = "offences.csv"
_ICCS = re.compile(r"^\d{4,6}$")
_PENALTY = re.compile(
    r"^imprisonment (?:up to (?P<upto>\d+(?:\.\d+)?)|(?P<low>\d+(?:\.\d+)?)-(?P<high>\d+(?:\.\d+)?))"
    r" years(?P<life> or life)?$"
)


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


def max_imprisonment_years(max_penalty: str) -> float | None:
    """Longest imprisonment in years (inf for life), None when the act carries none.

    Raises ValueError for a text not in the fixed form.
    """
    text = max_penalty.strip()
    if text.startswith("no imprisonment"):
        return None
    match = _PENALTY.match(text)
    if not match:
        raise ValueError(
            f"max_penalty {max_penalty!r} not of the form 'imprisonment up to N years', "
            "'imprisonment N-M years' [' or life'] or 'no imprisonment (...)'"
        )
    if match["life"]:
        return math.inf
    return float(match["upto"] or match["high"])


def gravity_for_penalty(max_penalty: str, *, intentional: bool = True) -> str:
    """The category of CC art. 11 for a maximum penalty.

    Intentional acts: up to 2 years minor, up to 5 medium, up to 12 grave, more (or life)
    especially grave. Negligent acts: up to 5 years minor, more medium. No imprisonment:
    a criminal misdemeanour (CC art. 10).
    """
    years = max_imprisonment_years(max_penalty)
    if years is None:
        return "misdemeanour"
    if not intentional:
        return "minor" if years <= 5 else "medium"
    if years <= 2:
        return "minor"
    if years <= 5:
        return "medium"
    if years <= 12:
        return "grave"
    return "especially_grave"


def _date(row: Mapping[str, str | None], key: str) -> date | None:
    text = (row.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{key} {text!r} is not a date (YYYY-MM-DD)") from None


def _parse_row(row: Mapping[str, str | None]) -> Offence:
    for key in ("article", "title", "gravity", "valid_from"):
        if not (row.get(key) or "").strip():
            raise ValueError(f"{key} is missing")
    article = (row["article"] or "").strip()
    part_text = (row.get("part") or "").strip()
    try:
        part = int(part_text) if part_text else None
    except ValueError:
        raise ValueError(f"part {part_text!r} is not a whole number") from None
    gravity = (row["gravity"] or "").strip()
    if gravity not in GRAVITIES:
        raise ValueError(f"gravity {gravity!r} not one of {', '.join(GRAVITIES)}")
    iccs = tuple((row.get("iccs") or "").split())
    for code in iccs:
        if not _ICCS.match(code):
            raise ValueError(f"iccs code {code!r} is not 4 to 6 digits")
    certainty = (row.get("certainty") or "").strip() or "U"
    if certainty not in CERTAINTIES:
        raise ValueError(f"certainty {certainty!r} not one of {', '.join(CERTAINTIES)}")
    valid_from = _date(row, "valid_from")
    valid_until = _date(row, "valid_until")
    assert valid_from is not None
    if valid_until is not None and valid_until < valid_from:
        raise ValueError("valid_until is before valid_from")
    max_penalty = (row.get("max_penalty") or "").strip()
    if max_penalty:
        max_imprisonment_years(max_penalty)  # the form is checked here
    return Offence(
        article=article,
        part=part,
        title=(row["title"] or "").strip(),
        gravity=gravity,
        max_penalty=max_penalty,
        iccs=iccs,
        valid_from=valid_from,
        valid_until=valid_until,
        certainty=certainty,
        source=(row.get("source") or "").strip(),
    )


def parse_offences(rows: Iterable[Mapping[str, str | None]], file: str = FILE) -> list[Offence]:
    """Parse the rows of `offences.csv`; a bad row raises LawDataError naming file, line, reason.

    Two rows for the same article and part whose periods overlap are an error too.
    """
    offences: list[Offence] = []
    lines: list[int] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:  # csv.DictReader puts surplus fields under the key None
            raise LawDataError(file, f"line {number}", "more fields than the header")
        try:
            offence_row = _parse_row(row)
        except ValueError as exc:
            raise LawDataError(file, f"line {number}", str(exc)) from None
        for earlier, line in zip(offences, lines, strict=True):
            if (earlier.article, earlier.part) == (offence_row.article, offence_row.part) and _overlap(
                earlier, offence_row
            ):
                raise LawDataError(
                    file,
                    f"line {number}",
                    f"article {offence_row.article} part {offence_row.part} overlaps line {line}",
                )
        offences.append(offence_row)
        lines.append(number)
    return offences


def _overlap(a: Offence, b: Offence) -> bool:
    a_end = a.valid_until or date.max
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def offences(law: Law) -> list[Offence]:
    cached = law.cache.get("offences")
    if cached is None:
        cached = law.cache["offences"] = parse_offences(law.extra.get(FILE, []))
    return cached


def offence(law: Law, article: str | None, part: int | None, day: date) -> Offence | None:
    """The offence row for an article (and part) on a day; the part's own row wins."""
    if article is None:
        return None
    article = str(article).strip()
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


def iccs_of(law: Law, article: str | None, part: int | None, day: date) -> tuple[str, ...]:
    """The UN ICCS code(s) of an offence on a day; empty when the table does not know it."""
    row = offence(law, article, part, day)
    return row.iccs if row else ()
