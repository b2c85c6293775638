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

import dataclasses
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.law.package import Certainty, Citation, Law, LawDataError, validated

CERTAINTIES = ("C", "P", "M", "U", "policy", "-")
FILE = "offences.csv"
FOLDER = "offences/"
GRAVITY_FILE = "gravity.yaml"
CATALOGUE_COLUMNS = (
    "article",
    "part",
    "title_ru",
    "title_en",
    "title_kk",
    "kind",
    "max_imprisonment",
    "form",
    "gravity",
    "iccs",
    "valid_from",
    "valid_until",
    "certainty",
    "source",
)
KINDS = ("misdemeanour", "crime")
FORMS = ("intentional", "negligent")
_ICCS = re.compile(r"^\d{4,6}$")
_ARTICLE = re.compile(r"^\d{1,4}(?:-\d{1,2})?$")
_PART = re.compile(r"^[1-9]\d?(?:-[1-9]\d?)?$")
_CHAPTER_FILE = re.compile(r"^offences/ch(\d{2})\.(csv|yaml)$")
_PENALTY = re.compile(
    r"^imprisonment (?:up to (?P<upto>\d+(?:\.\d+)?)|(?P<low>\d+(?:\.\d+)?)-(?P<high>\d+(?:\.\d+)?))"
    r" years(?P<life> or life)?$"
)


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
            "max_imprisonment": _years_shown(self.max_imprisonment),
            "kind": self.kind,
            "form": self.form,
            "iccs": list(self.iccs),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "certainty": self.certainty,
            "source": self.source,
        }


def _years_shown(years: float | None) -> float | str | None:
    return "life" if years is not None and math.isinf(years) else years


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


def penalty_words(kind: str, years: float | None) -> str:
    """A catalogue row's longest penalty in words (the single file's `max_penalty` form)."""
    if years is None:
        return "no imprisonment (criminal misdemeanour)" if kind == "misdemeanour" else "no imprisonment"
    if math.isinf(years):
        return "life imprisonment"
    if years < 1:
        months = round(years * 12)
        return f"imprisonment up to {months} month{'s' if months != 1 else ''}"
    number = f"{years:g}"
    return f"imprisonment up to {number} year{'s' if number != '1' else ''}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    name: str = Field(pattern=r"^[a-z_]{2,40}$")
    # the offences of this kind only (the catalogue's `kind`: misdemeanour, crime)
    kind: Literal["misdemeanour", "crime"] | None = None
    no_imprisonment: bool = False
    # the longest imprisonment, in years, by form of guilt; null: any length
    up_to_years: dict[Literal["intentional", "negligent"], float | None] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one(self) -> Category:
        if self.no_imprisonment and self.up_to_years:
            raise ValueError("give either no_imprisonment or up_to_years")
        if not (self.no_imprisonment or self.up_to_years or self.kind):
            raise ValueError("give kind, no_imprisonment or up_to_years")
        if self.kind == "crime" and not self.up_to_years:
            raise ValueError("a category of crimes is bounded by up_to_years (the longest imprisonment)")
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

    def category(self, kind: str | None, years: float | None, form: str = "intentional") -> str:
        """The category of an offence by its kind, its longest imprisonment in years (inf:
        life; None: none) and its form of guilt (e.g. CC art. 10-11). A crime without
        imprisonment counts as 0 years. Raises ValueError when no category takes it."""
        for cat in self.categories:
            if cat.kind is not None and cat.kind != kind:
                continue
            if cat.no_imprisonment:
                if years is None:
                    return cat.name
                continue
            if not cat.up_to_years:  # a category of its kind alone
                return cat.name
            if form not in cat.up_to_years:
                continue
            bound = cat.up_to_years[form]
            if bound is None or (years or 0.0) <= bound:
                return cat.name
        shown = "none" if years is None else ("life" if math.isinf(years) else f"{years:g} years")
        raise ValueError(f"no category of gravity for a {kind or 'offence'} of {shown} ({form})")

    def for_penalty(self, max_penalty: str, *, intentional: bool = True) -> str:
        """The category of an offence by its maximum penalty in the single file's words."""
        years = max_imprisonment_years(max_penalty)
        kind = "misdemeanour" if years is None else "crime"
        return self.category(kind, years, "intentional" if intentional else "negligent")


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


def _part(row: Mapping[str, str | None]) -> int | str | None:
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


def _period(row: Mapping[str, str | None]) -> tuple[date, date | None]:
    valid_from = _date(row, "valid_from")
    if valid_from is None:
        raise ValueError("valid_from is missing")
    valid_until = _date(row, "valid_until")
    if valid_until is not None and valid_until < valid_from:
        raise ValueError("valid_until is before valid_from")
    return valid_from, valid_until


def _one_iccs(row: Mapping[str, str | None]) -> tuple[str, ...]:
    codes = (row.get("iccs") or "").split()
    if len(codes) > 1:
        raise ValueError(f"iccs {' '.join(codes)!r}: one code per row (a case is counted once)")
    for code in codes:
        if not _ICCS.match(code):
            raise ValueError(f"iccs code {code!r} is not 4 to 6 digits")
    return tuple(codes)


def _certainty(row: Mapping[str, str | None]) -> str:
    certainty = (row.get("certainty") or "").strip() or "U"
    if certainty not in CERTAINTIES:
        raise ValueError(f"certainty {certainty!r} not one of {', '.join(CERTAINTIES)}")
    return certainty


# --- the single file (offences.csv) ------------------------------------------------------------


def _parse_row(row: Mapping[str, str | None], names: tuple[str, ...]) -> Offence:
    for key in ("article", "title", "gravity", "valid_from"):
        if not (row.get(key) or "").strip():
            raise ValueError(f"{key} is missing")
    article = (row["article"] or "").strip()
    part = _part(row)
    gravity = (row["gravity"] or "").strip()
    if gravity not in names:
        raise ValueError(f"gravity {gravity!r} not one of {', '.join(names)}")
    iccs = _one_iccs(row)
    certainty = _certainty(row)
    valid_from, valid_until = _period(row)
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
        offences.append(_replace(parsed, file=file, line=number))
    _check_overlaps(offences)
    return offences


def _replace(row: Offence, **changes: Any) -> Offence:
    return dataclasses.replace(row, **changes)


# --- the catalogue (offences/chNN.csv + chNN.yaml) ---------------------------------------------


class ChapterList(_Model):
    """`offences/chNN.yaml`: the chapter's articles as the Code numbers them, excluded ones too."""

    chapter: int = Field(ge=1, le=99)
    title_ru: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    title_kk: str | None = None
    file: str | None = None  # the statute's file the chapter was read from
    commit: str | None = None
    articles: list[str] = Field(min_length=1)
    excluded: list[str] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _articles(self) -> ChapterList:
        seen: set[str] = set()
        for article in self.articles:
            if not _ARTICLE.match(article):
                raise ValueError(f"article {article!r} is not an article's number (99, 108-1)")
            if article in seen:
                raise ValueError(f"article {article} is listed twice")
            seen.add(article)
        stray = [a for a in self.excluded if a not in seen]
        if stray:
            raise ValueError(f"excluded articles {', '.join(stray)} are not in the chapter's articles")
        return self


@dataclass(frozen=True)
class Chapter:
    number: int
    listing: ChapterList
    rows: list[Offence] = field(default_factory=list)
    csv_file: str = ""
    yaml_file: str = ""


def parse_catalogue_row(row: Mapping[str, str | None], categories: Gravities) -> Offence:
    """One row of a chapter file; ValueError with the reason when it is not what the statute
    data must be (the gravity included: it must be the one `gravity.yaml` computes)."""
    for key in ("article", "title_ru", "title_en", "kind", "max_imprisonment", "form", "gravity", "iccs", "source"):
        if not (row.get(key) or "").strip():
            raise ValueError(f"{key} is missing")
    article = (row["article"] or "").strip()
    if not _ARTICLE.match(article):
        raise ValueError(f"article {article!r} is not an article's number (99, 108-1)")
    part = _part(row)
    kind = (row["kind"] or "").strip()
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} not one of {', '.join(KINDS)}")
    form = (row["form"] or "").strip()
    if form not in FORMS:
        raise ValueError(f"form {form!r} not one of {', '.join(FORMS)}")
    years = _imprisonment((row["max_imprisonment"] or "").strip())
    if kind == "misdemeanour" and years is not None:
        raise ValueError("a criminal misdemeanour carries no imprisonment (CC art. 10): max_imprisonment must be none")
    gravity = (row["gravity"] or "").strip()
    if gravity not in categories.names:
        raise ValueError(f"gravity {gravity!r} not one of {', '.join(categories.names)}")
    computed = categories.category(kind, years, form)
    if gravity != computed:
        shown = (row["max_imprisonment"] or "").strip()
        raise ValueError(
            f"gravity {gravity!r}, but a {form} {kind} of max_imprisonment {shown} is {computed!r} ({GRAVITY_FILE})"
        )
    iccs = _one_iccs(row)
    if not iccs:
        raise ValueError("iccs is missing")
    valid_from, valid_until = _period(row)
    return Offence(
        article=article,
        part=part,
        title=(row["title_en"] or "").strip(),
        gravity=gravity,
        max_penalty=penalty_words(kind, years),
        iccs=iccs,
        valid_from=valid_from,
        valid_until=valid_until,
        certainty=_certainty(row),
        source=(row["source"] or "").strip(),
        title_ru=(row["title_ru"] or "").strip(),
        title_kk=(row.get("title_kk") or "").strip(),
        kind=kind,
        max_imprisonment=years,
        form=form,
    )


def _imprisonment(text: str) -> float | None:
    if text == "none":
        return None
    if text == "life":
        return math.inf
    try:
        years = float(text)
    except ValueError:
        raise ValueError(f"max_imprisonment {text!r} is not a number of years, 'life' or 'none'") from None
    if not (0 < years < 100) or math.isnan(years):
        raise ValueError(f"max_imprisonment {text!r} is not a term of imprisonment in years")
    return years


def parse_chapter(
    number: int, rows: list[Mapping[str, str | None]], listing: Any, categories: Gravities, jurisdiction: str
) -> Chapter:
    """A chapter's CSV rows and its YAML list, each row checked, the articles of the rows against
    the list; a problem raises LawDataError naming the file and the line (or key)."""
    csv_file, yaml_file = f"{FOLDER}ch{number:02d}.csv", f"{FOLDER}ch{number:02d}.yaml"
    chapter_list = validated(ChapterList, listing, yaml_file)
    if chapter_list.chapter != number:
        raise LawDataError(yaml_file, "chapter", f"is {chapter_list.chapter}, the file is chapter {number}")
    if rows:
        header = [k for k in rows[0] if k is not None]
        missing = [c for c in CATALOGUE_COLUMNS if c not in header]
        unknown = [c for c in header if c not in CATALOGUE_COLUMNS]
        if missing or unknown:
            what = "; ".join(
                part
                for part in (
                    f"missing columns {', '.join(missing)}" if missing else "",
                    f"unknown columns {', '.join(unknown)}" if unknown else "",
                )
                if part
            )
            raise LawDataError(csv_file, "line 1", f"{what} (the header is {','.join(CATALOGUE_COLUMNS)})")
    parsed: list[Offence] = []
    for number_, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:
            raise LawDataError(csv_file, f"line {number_}", "more fields than the header")
        try:
            offence_row = parse_catalogue_row(row, categories)
        except ValueError as exc:
            raise LawDataError(csv_file, f"line {number_}", str(exc)) from None
        if offence_row.article not in chapter_list.articles:
            raise LawDataError(
                csv_file, f"line {number_}", f"article {offence_row.article} is not in {yaml_file}'s articles"
            )
        parsed.append(_replace(offence_row, chapter=number, file=csv_file, line=number_))
    held = {row.article for row in parsed}
    without = [a for a in chapter_list.articles if a not in held]
    if without:
        raise LawDataError(yaml_file, "articles", f"no row in {csv_file} for articles {', '.join(without)}")
    for row in parsed:
        if row.article in chapter_list.excluded and row.valid_until is None:
            raise LawDataError(
                csv_file,
                f"line {row.line}",
                f"article {row.article} is excluded ({yaml_file}): the row needs its valid_until",
            )
    ended = [a for a in chapter_list.articles if all(r.valid_until is not None for r in parsed if r.article == a)]
    unlisted = [a for a in ended if a not in chapter_list.excluded]
    if unlisted:
        raise LawDataError(
            yaml_file, "excluded", f"articles {', '.join(unlisted)} have no row in force today: list them as excluded"
        )
    return Chapter(number, chapter_list, parsed, csv_file, yaml_file)


def chapters(law: Law) -> list[Chapter]:
    """The catalogue's chapters (empty for a package in the single-file format), validated."""
    cached = law.cache.get("offence_chapters")
    if cached is not None:
        return cached
    categories = gravities(law)
    found: dict[int, dict[str, Any]] = {}
    for path, content in law.extra.items():
        if not path.startswith(FOLDER):
            continue
        match = _CHAPTER_FILE.match(path)
        if not match:
            raise LawDataError(path, "-", "not a chapter file (offences/chNN.csv or offences/chNN.yaml)")
        found.setdefault(int(match[1]), {})[match[2]] = content
    result = []
    for number in sorted(found):
        files = found[number]
        for ext, other in (("csv", "yaml"), ("yaml", "csv")):
            if ext not in files:
                missing = f"{FOLDER}ch{number:02d}.{ext}"
                raise LawDataError(missing, "-", f"missing: ch{number:02d}.{other} has no {ext} beside it")
        result.append(parse_chapter(number, files["csv"] or [], files["yaml"], categories, law.jurisdiction))
    _check_catalogue(result)
    law.cache["offence_chapters"] = result
    return result


def _check_catalogue(result: list[Chapter]) -> None:
    where: dict[str, str] = {}
    for chapter in result:
        for article in chapter.listing.articles:
            if article in where:
                listed = f"article {article} is listed in {where[article]} too"
                raise LawDataError(chapter.yaml_file, "articles", listed)
            where[article] = chapter.yaml_file
    _check_overlaps([row for chapter in result for row in chapter.rows])


def _check_overlaps(rows: list[Offence]) -> None:
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
                if clash and _overlap(earlier, later):
                    other = f"line {earlier.line}"
                    if earlier.file != later.file:
                        other = f"{earlier.file} {other}"
                    if earlier.part != later.part:
                        other += f" (part {earlier.part})"
                    raise LawDataError(
                        later.file, f"line {later.line}", f"article {later.article} part {later.part} overlaps {other}"
                    )


def _overlap(a: Offence, b: Offence) -> bool:
    a_end = a.valid_until or date.max
    b_end = b.valid_until or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


# --- the package's offences --------------------------------------------------------------------


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
    rows = _index(law).get(str(article).strip())
    if not rows:
        return None
    part = normal_part(part)
    in_force = [row for row in rows if row.applies_on(day)]
    exact = next((row for row in in_force if row.part == part), None)
    if exact is not None:
        return exact
    whole = next((row for row in in_force if row.part is None), None)
    if part is None:
        return next((row for row in in_force if row.part == 1), None)
    if whole is not None and (whole.covers_unlisted_parts or part == 1):
        return whole  # part 1 of an article without numbered parts is the article
    return None


def gravity_of(law: Law, article: str | None, part: int | None, day: date) -> str | None:
    """The gravity category of an offence on a day, or None when the package does not know it."""
    row = offence(law, article, part, day)
    return row.gravity if row else None


def iccs_of(law: Law, article: str | None, part: int | None, day: date) -> tuple[str, ...]:
    """The UN ICCS code of an offence on a day (one; empty when the package does not know it)."""
    row = offence(law, article, part, day)
    return row.iccs if row else ()
