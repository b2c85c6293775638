"""Offences: Criminal Code articles (and parts) to gravity and UN ICCS.

Read from the package's `offences.csv` (dated rows, each with its source). The
gravity of a case comes from its article and part; a row without a part gives
the article's gravity for any part not listed on its own (by convention the
gravity of the article's first part, see the jurisdiction's README). The
categories of gravity and their bounds are the package's `gravity.yaml`
(Kazakhstan: CC art. 10-11), never a list in this module.

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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.law.package import Certainty, Citation, Law, LawDataError, validated

CERTAINTIES = ("C", "P", "M", "U", "policy", "-")
FILE = "offences.csv"
GRAVITY_FILE = "gravity.yaml"
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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    name: str = Field(pattern=r"^[a-z_]{2,40}$")
    no_imprisonment: bool = False
    # the longest imprisonment, in years, by form of guilt; null: any length
    up_to_years: dict[Literal["intentional", "negligent"], float | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one(self) -> Category:
        if self.no_imprisonment == bool(self.up_to_years):
            raise ValueError("give either no_imprisonment or up_to_years")
        return self


class Gravities(_Model):
    """The jurisdiction's categories of gravity, mildest first."""

    jurisdiction: str
    citations: list[Citation] = Field(min_length=1)
    certainty: Certainty
    categories: list[Category] = Field(min_length=1)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.categories)

    def for_penalty(self, max_penalty: str, *, intentional: bool = True) -> str:
        """The category of an offence by its maximum penalty (e.g. CC art. 11)."""
        years = max_imprisonment_years(max_penalty)
        form = "intentional" if intentional else "negligent"
        for category in self.categories:
            if years is None:
                if category.no_imprisonment:
                    return category.name
                continue
            if form not in category.up_to_years:
                continue
            bound = category.up_to_years[form]
            if bound is None or years <= bound:
                return category.name
        raise ValueError(f"no category of gravity for {max_penalty!r} ({form})")


def gravities(law: Law) -> Gravities:
    cached = law.cache.get("gravities")
    if cached is None:
        raw = law.extra.get(GRAVITY_FILE)
        if raw is None:
            raise LawDataError(GRAVITY_FILE, "-", "file is missing from the law package")
        cached = law.cache["gravities"] = validated(Gravities, raw, GRAVITY_FILE, law.jurisdiction)
    return cached


def _date(row: Mapping[str, str | None], key: str) -> date | None:
    text = (row.get(key) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{key} {text!r} is not a date (YYYY-MM-DD)") from None


def _parse_row(row: Mapping[str, str | None], names: tuple[str, ...]) -> Offence:
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
    if gravity not in names:
        raise ValueError(f"gravity {gravity!r} not one of {', '.join(names)}")
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


def parse_offences(rows: Iterable[Mapping[str, str | None]], names: tuple[str, ...], file: str = FILE) -> list[Offence]:
    """Parse the rows of `offences.csv`; a bad row raises LawDataError naming file, line, reason.

    Two rows for the same article and part whose periods overlap are an error too.
    """
    offences: list[Offence] = []
    lines: list[int] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:  # csv.DictReader puts surplus fields under the key None
            raise LawDataError(file, f"line {number}", "more fields than the header")
        try:
            offence_row = _parse_row(row, names)
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
        categories = gravities(law)
        cached = parse_offences(law.extra.get(FILE, []), categories.names)
        for number, row in enumerate(cached, start=2):
            # an offence's gravity follows from its penalty (e.g. CC art. 11): a table of
            # categories that says otherwise is broken, not the row
            if row.max_penalty and categories.for_penalty(row.max_penalty) != row.gravity:
                raise LawDataError(
                    GRAVITY_FILE,
                    "categories",
                    f"{FILE} line {number} ({row.max_penalty}) is {row.gravity}, "
                    f"the categories make it {categories.for_penalty(row.max_penalty)}",
                )
        law.cache["offences"] = cached
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
