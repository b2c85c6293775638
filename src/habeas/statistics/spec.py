"""A report's choice: years × sections × regions, and its shareable query string.

`ReportSpec.parse("years=2022-2024&sections=detention&regions=almaty,shymkent")` and
`spec.query()` round-trip: the query is canonical (years as ascending runs, `a-b` for a
run, sections and regions in the order given, duplicates dropped), so the same report
has one address. No section means all; no region means every region (the country, `kz`,
is always shown). The same string is the API's query (`GET /api/v1/statistics?...`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

MAX_YEARS = 50


class SpecError(ValueError):
    """A report spec that cannot be read; the message names the part."""

    @property
    def part(self) -> str | None:
        """The part of a report at fault (years, sections, regions), as the message names it."""
        named = str(self).partition(":")[0]
        return named if named in ("years", "sections", "regions") else None


@dataclass(frozen=True)
class ReportSpec:
    years: tuple[int, ...]
    sections: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.years:
            raise SpecError("years: at least one year")
        if len(self.years) > MAX_YEARS:
            raise SpecError(f"years: at most {MAX_YEARS}")
        object.__setattr__(self, "years", tuple(sorted(set(self.years))))
        object.__setattr__(self, "sections", _unique(self.sections))
        object.__setattr__(self, "regions", _unique(self.regions))

    @classmethod
    def parse(cls, query: str) -> ReportSpec:
        fields: dict[str, list[str]] = {"years": [], "sections": [], "regions": []}
        for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True, strict_parsing=False):
            if key not in fields:
                raise SpecError(f"{key}: not a part of a report (years, sections, regions)")
            fields[key] += [v.strip() for v in value.split(",") if v.strip()]
        return cls(parse_years(",".join(fields["years"])), tuple(fields["sections"]), tuple(fields["regions"]))

    def query(self) -> str:
        parts = [f"years={format_years(self.years)}"]
        if self.sections:
            parts.append("sections=" + ",".join(quote(s, safe="-_") for s in self.sections))
        if self.regions:
            parts.append("regions=" + ",".join(quote(r, safe="-_") for r in self.regions))
        return "&".join(parts)


def parse_years(text: str) -> tuple[int, ...]:
    """`2022-2024`, `2019,2022-2024`: years and inclusive runs."""
    years: set[int] = set()
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        first, _, last = piece.partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError:
            raise SpecError(f"years: {piece!r} is not a year or a run of years (2022-2024)") from None
        if not (1900 <= a <= b <= 2200):
            raise SpecError(f"years: {piece!r} is not a run of years between 1900 and 2200")
        if b - a >= MAX_YEARS:
            raise SpecError(f"years: at most {MAX_YEARS}")
        years.update(range(a, b + 1))
    if not years:
        raise SpecError("years: at least one year")
    return tuple(sorted(years))


def format_years(years: tuple[int, ...]) -> str:
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _unique(items) -> tuple[str, ...]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return tuple(seen)
