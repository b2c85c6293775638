"""One offence of the catalogue (an article, or a part of it, on the days it is in force) and
how the fields of a row read, whichever of the two formats holds it (`habeas.law.offences`)."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from habeas.law.package import LawDataError

CERTAINTIES = ("C", "P", "M", "U", "policy", "-")
FILE = "offences.csv"


_ICCS = re.compile(r"^\d{4,6}$")
ARTICLE = re.compile(r"^\d{1,4}(?:-\d{1,2})?$")
_PART = re.compile(r"^[1-9]\d?(?:-[1-9]\d?)?$")


@dataclass(frozen=True, slots=True)
class Offence:
    article: str
    part: int | str | None  # 2, or "3-1" for a part inserted later
    title: str  # English
    gravity: str
    max_penalty: str  # as words: "imprisonment up to 5 years", "life imprisonment", "no imprisonment …"
    iccs: tuple[str, ...]
    valid_from: date
    valid_until: date | None
    certainty: str
    source: str
    title_ru: str = ""
    title_kk: str = ""
    kind: str | None = None  # misdemeanour | crime (the catalogue; None in the single file)
    max_imprisonment: float | None = None  # years, inf for life, None for none
    form: str = "intentional"
    chapter: int | None = None
    file: str = FILE
    line: int = 0
    # True in the single file: a row without a part gives any part not listed on its own
    covers_unlisted_parts: bool = False

    def applies_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    @property
    def titles(self) -> dict[str, str]:
        """The title by language (those given): `en`, `ru`, `kk`."""
        found = {"en": self.title, "ru": self.title_ru, "kk": self.title_kk}
        return {lang: text for lang, text in found.items() if text}

    def to_dict(self) -> dict[str, Any]:
        """The offence as a case file shows it (`summary.offence`)."""
        return {
            "article": self.article,
            "part": self.part,
            "title": self.title,
            "titles": self.titles,
            "gravity": self.gravity,
            "max_penalty": self.max_penalty,
            "max_imprisonment": years_shown(self.max_imprisonment),
            "kind": self.kind,
            "form": self.form,
            "iccs": list(self.iccs),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "certainty": self.certainty,
            "source": self.source,
        }


def row_date(row: Mapping[str, str | None], key: str) -> date | None:
    text = (row.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{key} {text!r} is not a date (YYYY-MM-DD)") from None


def row_part(row: Mapping[str, str | None]) -> int | str | None:
    """A part's number: a whole number (1, 2, …), or "N-M" for a part inserted later (3-1)."""
    text = (row.get("part") or "").strip()
    if not text:
        return None
    if not _PART.match(text):
        raise ValueError(f"part {text!r} is not a part's number (1, 2, … or 3-1)")
    return normal_part(text)


def normal_part(part: object) -> int | str | None:
    """A part as the catalogue keys it: an int for a whole number (given as 2 or "2"), the text
    for an inserted part ("3-1"), None for none; anything else as text (it matches no row)."""
    if part is None or isinstance(part, bool):
        return part if part is None else str(part)
    if isinstance(part, int):
        return part
    text = str(part).strip()
    if text.isdigit():
        return int(text)
    return text


def row_period(row: Mapping[str, str | None]) -> tuple[date, date | None]:
    valid_from = row_date(row, "valid_from")
    if valid_from is None:
        raise ValueError("valid_from is missing")
    valid_until = row_date(row, "valid_until")
    if valid_until is not None and valid_until < valid_from:
        raise ValueError("valid_until is before valid_from")
    return valid_from, valid_until


def row_iccs(row: Mapping[str, str | None]) -> tuple[str, ...]:
    codes = (row.get("iccs") or "").split()
    if len(codes) > 1:
        raise ValueError(f"iccs {' '.join(codes)!r}: one code per row (a case is counted once)")
    for code in codes:
        if not _ICCS.match(code):
            raise ValueError(f"iccs code {code!r} is not 4 to 6 digits")
    return tuple(codes)


def row_certainty(row: Mapping[str, str | None]) -> str:
    certainty = (row.get("certainty") or "").strip() or "U"
    if certainty not in CERTAINTIES:
        raise ValueError(f"certainty {certainty!r} not one of {', '.join(CERTAINTIES)}")
    return certainty


# --- the single file (offences.csv) ------------------------------------------------------------


def with_changes(row: Offence, **changes: Any) -> Offence:
    return dataclasses.replace(row, **changes)


# --- the catalogue (offences/chNN.csv + chNN.yaml) ---------------------------------------------


def years_shown(years: float | None) -> float | int | str | None:
    """Years as a case file shows them: "life", whole years as a whole number (2, not 2.0: the
    same value, and an answer without floats is written by msgspec, `findings.dumps`)."""
    if years is None:
        return None
    if math.isinf(years):
        return "life"
    return int(years) if float(years).is_integer() else years


def check_overlaps(rows: list[Offence]) -> None:
    """No two rows of one article and part in force on the same day; and no row of an article
    without parts beside a row of one of its parts (catalogue rows), on the same day."""
    by_article: dict[str, list[Offence]] = {}
    for row in rows:
        by_article.setdefault(row.article, []).append(row)
    for same in by_article.values():
        for i, later in enumerate(same):
            for earlier in same[:i]:
                clash = earlier.part == later.part or (
                    not later.covers_unlisted_parts and (earlier.part is None) != (later.part is None)
                )
                if clash and overlap(earlier, later):
                    other = f"line {earlier.line}"
                    if earlier.file != later.file:
                        other = f"{earlier.file} {other}"
                    if earlier.part != later.part:
                        other += f" (part {earlier.part})"
                    raise LawDataError(
                        later.file, f"line {later.line}", f"article {later.article} part {later.part} overlaps {other}"
                    )


def overlap(a: Offence, b: Offence) -> bool:
    a_end = a.valid_until or date.max
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


# --- the package's offences --------------------------------------------------------------------
