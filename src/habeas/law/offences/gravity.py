"""The categories of gravity (the package's `gravity.yaml`; Kazakhstan: CC art. 10-11) and
the words of a sanction: which category a kind, a longest imprisonment and a form of guilt
fall in. Never a list of categories in code: the bounds are the package's."""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from habeas.law.package import Certainty, Citation, Law, LawDataError, validated

GRAVITY_FILE = "gravity.yaml"


KINDS = ("misdemeanour", "crime")
FORMS = ("intentional", "negligent")


_PENALTY = re.compile(
    r"^imprisonment (?:up to (?P<upto>\d+(?:\.\d+)?)|(?P<low>\d+(?:\.\d+)?)-(?P<high>\d+(?:\.\d+)?))"
    r" years(?P<life> or life)?$"
)


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


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(StrictModel):
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


class Gravities(StrictModel):
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
