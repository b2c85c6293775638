"""The catalogue: `offences/chNN.csv`, one file per chapter of the Special Part, each with
`offences/chNN.yaml` listing the chapter's articles. A row's gravity is *computed* from its
kind, longest imprisonment and form by `gravity.yaml`; a stored gravity that says otherwise
is refused, naming its file and line."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, model_validator

from habeas.law.offences.gravity import FORMS, GRAVITY_FILE, KINDS, Gravities, StrictModel, gravities, penalty_words
from habeas.law.offences.record import (
    ARTICLE,
    Offence,
    check_overlaps,
    row_certainty,
    row_iccs,
    row_part,
    row_period,
    with_changes,
)
from habeas.law.package import Law, LawDataError, validated

FOLDER = "offences/"
_CHAPTER_FILE = re.compile(r"^offences/ch(\d{2})\.(csv|yaml)$")
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


class ChapterList(StrictModel):
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
            if not ARTICLE.match(article):
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
    if not ARTICLE.match(article):
        raise ValueError(f"article {article!r} is not an article's number (99, 108-1)")
    part = row_part(row)
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
    iccs = row_iccs(row)
    if not iccs:
        raise ValueError("iccs is missing")
    valid_from, valid_until = row_period(row)
    return Offence(
        article=article,
        part=part,
        title=(row["title_en"] or "").strip(),
        gravity=gravity,
        max_penalty=penalty_words(kind, years),
        iccs=iccs,
        valid_from=valid_from,
        valid_until=valid_until,
        certainty=row_certainty(row),
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
        parsed.append(with_changes(offence_row, chapter=number, file=csv_file, line=number_))
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
    check_overlaps([row for chapter in result for row in chapter.rows])
