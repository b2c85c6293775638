"""Offences: Criminal Code articles (and parts) to gravity and UN ICCS.

Two formats, both dated rows with their sources:

- **the catalogue** (`offences/chNN.csv`, one file per chapter of the Special Part, each with
  `offences/chNN.yaml` listing the chapter's articles): one row per part of every article with
  what the statute says of it — `kind` (misdemeanour or crime: CC art. 10), `max_imprisonment`
  (the longest imprisonment its sanction allows: years, `life` or `none`) and `form`
  (intentional or negligent: CC art. 20-22) — and the gravity *computed* from those by the
  package's `gravity.yaml`: a row whose stored `gravity` says otherwise is refused, naming
  its file and line. Titles in English (`title`), Russian and Kazakh. One ICCS code per row.
- **the single file** (`offences.csv`, the format of packages written before the catalogue,
  e.g. `tests/law_data/xx`): `article,part,title,gravity,max_penalty,iccs,…`, the gravity
  checked against `max_penalty` (intentional). A row without a part there is the article's
  gravity for any part not listed on its own.

Where a package has both, the catalogue wins: an article the catalogue holds is read from it
alone (the single file's rows of that article are set aside).

Which row a case's offence is: the row of its article and part in force on the day. An article
named **without a part** is its part 1, or its only row when the article has no numbered
parts (see the jurisdiction's README). In the catalogue an article or part that has no row on
that day is **unknown** (`offence` answers None): no default gravity is ever given for it.

The categories of gravity and their bounds are the package's `gravity.yaml` (Kazakhstan:
CC art. 10-11), never a list in this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from habeas.law.offences.chapters import FOLDER, Chapter, chapters
from habeas.law.offences.gravity import GRAVITY_FILE, Gravities, gravities, max_imprisonment_years
from habeas.law.offences.record import (
    FILE,
    Offence,
    check_overlaps,
    normal_part,
    row_certainty,
    row_iccs,
    row_part,
    row_period,
    with_changes,
)
from habeas.law.package import Law, LawDataError

__all__ = [
    "FILE",
    "FOLDER",
    "GRAVITY_FILE",
    "Chapter",
    "Gravities",
    "Offence",
    "chapters",
    "gravities",
    "gravity_of",
    "iccs_of",
    "max_imprisonment_years",
    "normal_part",
    "offence",
    "offences",
    "parse_offences",
]


def _parse_row(row: Mapping[str, str | None], names: tuple[str, ...]) -> Offence:
    for key in ("article", "title", "gravity", "valid_from"):
        if not (row.get(key) or "").strip():
            raise ValueError(f"{key} is missing")
    article = (row["article"] or "").strip()
    part = row_part(row)
    gravity = (row["gravity"] or "").strip()
    if gravity not in names:
        raise ValueError(f"gravity {gravity!r} not one of {', '.join(names)}")
    iccs = row_iccs(row)
    certainty = row_certainty(row)
    valid_from, valid_until = row_period(row)
    max_penalty = (row.get("max_penalty") or "").strip()
    years = max_imprisonment_years(max_penalty) if max_penalty else None  # the form is checked here
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
        max_imprisonment=years,
        covers_unlisted_parts=True,
    )


def parse_offences(rows: Iterable[Mapping[str, str | None]], names: tuple[str, ...], file: str = FILE) -> list[Offence]:
    """Parse the rows of the single file `offences.csv`; a bad row raises LawDataError naming
    file, line, reason. Two rows for the same article and part whose periods overlap are an
    error too."""
    offences: list[Offence] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:  # csv.DictReader puts surplus fields under the key None
            raise LawDataError(file, f"line {number}", "more fields than the header")
        try:
            parsed = _parse_row(row, names)
        except ValueError as exc:
            raise LawDataError(file, f"line {number}", str(exc)) from None
        offences.append(with_changes(parsed, file=file, line=number))
    check_overlaps(offences)
    return offences


def offences(law: Law) -> list[Offence]:
    """Every offence row of the package: the catalogue's, and the single file's rows of the
    articles the catalogue does not hold."""
    cached = law.cache.get("offences")
    if cached is None:
        categories = gravities(law)
        catalogue = [row for chapter in chapters(law) for row in chapter.rows]
        held = {row.article for row in catalogue}
        single = parse_offences(law.extra.get(FILE, []), categories.names)
        for row in single:
            # an offence's gravity follows from its penalty (e.g. CC art. 11): a table of
            # categories that says otherwise is broken, not the row
            if row.max_penalty and categories.for_penalty(row.max_penalty) != row.gravity:
                raise LawDataError(
                    GRAVITY_FILE,
                    "categories",
                    f"{FILE} line {row.line} ({row.max_penalty}) is {row.gravity}, "
                    f"the categories make it {categories.for_penalty(row.max_penalty)}",
                )
        cached = catalogue + [row for row in single if row.article not in held]
        law.cache["offences"] = cached
    return cached


def _index(law: Law) -> dict[str, list[Offence]]:
    cached = law.cache.get("offence_index")
    if cached is None:
        cached = {}
        for row in offences(law):
            cached.setdefault(row.article, []).append(row)
        law.cache["offence_index"] = cached
    return cached


def offence(law: Law, article: str | None, part: int | None, day: date) -> Offence | None:
    """The offence row of an article (and part) on a day, or None when the package does not
    hold it then. Without a part: the article's part 1, or its only row when it has no numbered
    parts. (Single file: a row without a part gives any part not listed on its own.)"""
    if article is None:
        return None
    part = normal_part(part)
    exact, whole, first = _candidates(law, str(article).strip(), part)
    for row in exact:
        if row.applies_on(day):
            return row
    if part is None:
        return next((row for row in first if row.applies_on(day)), None)
    found = next((row for row in whole if row.applies_on(day)), None)
    if found is not None and (found.covers_unlisted_parts or part == 1):
        return found  # part 1 of an article without numbered parts is the article
    return None


def _candidates(law: Law, article: str, part: int | str | None) -> tuple[list, list, list]:
    """An article's rows that may answer for `part`, each list in the catalogue's order: those
    of that very part, those without a part (the whole article), those of part 1 (picked out
    once per article and part asked)."""
    cached = law.cache.get("offence_candidates")
    if cached is None:
        cached = law.cache["offence_candidates"] = {}
    found = cached.get((article, part))
    if found is None:
        rows = _index(law).get(article, [])
        if len(cached) > 100_000:  # parts nobody spells: start again
            cached.clear()
        found = cached[(article, part)] = (
            [row for row in rows if row.part == part],
            [row for row in rows if row.part is None],
            [row for row in rows if row.part == 1],
        )
    return found


def gravity_of(law: Law, article: str | None, part: int | None, day: date) -> str | None:
    """The gravity category of an offence on a day, or None when the package does not know it."""
    row = offence(law, article, part, day)
    return row.gravity if row else None


def iccs_of(law: Law, article: str | None, part: int | None, day: date) -> tuple[str, ...]:
    """The UN ICCS code of an offence on a day (one; empty when the package does not know it)."""
    row = offence(law, article, part, day)
    return row.iccs if row else ()
