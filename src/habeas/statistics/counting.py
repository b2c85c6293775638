"""The one engine of the indicators: every count measure of `indicators.yaml` declares what
it counts, and `tabulate` counts them all, per year and region.

A measure's `count` (merged over its indicator's `count`, field tests key by key) says:
`episode` — which kinds of episode (one or a list; `stock`, the people held on a stock day);
`year` — `start` (the local year of the fact that starts it, the default) or `end` (of its
end); `where` — tests of named fields (`episodes.NAMED`, and `ended`, `past_limit`,
`case_found`, `case_stage`): a value (equal), a list (one of), or `{not_in: [...], set:
true|false, prefix: "..."}`; `length: days` — keep each one's length for a mean or median;
`by` — fields whose values name the cell (the open data's rows, `OD.<article>|<iccs>`).
A field no kind of the count has, or a test the engine does not know, is refused when the
definitions are read: adding an indicator is a change of data, never of this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from habeas.statistics.fields import DERIVED_FIELDS, NAMED

NATIONAL_DEFAULT = "kz"
_OPS = frozenset({"not_in", "set", "prefix"})


class DefinitionError(ValueError):
    """A count indicators.yaml declares that the engine cannot count."""


@dataclass(frozen=True)
class Count:
    key: str  # the measure's canonical key
    episodes: tuple[str, ...]
    year: str = "start"  # or "end"
    tests: tuple[tuple[str, Callable[[Any], bool]], ...] = ()
    length: bool = False
    by: tuple[str, ...] = ()


def parse_count(key: str, raw: Mapping[str, Any], default: Mapping[str, Any] | None = None) -> Count:
    """A measure's `count`, over its indicator's (`default`)."""
    spec = {**(default or {}), **raw, "where": {**((default or {}).get("where") or {}), **(raw.get("where") or {})}}
    kinds = spec.get("episode")
    kinds = tuple(kinds if isinstance(kinds, list) else [kinds] if kinds else [])
    unknown = [k for k in kinds if k not in NAMED]
    if not kinds or unknown:
        raise DefinitionError(f"{key}: count: episode {unknown or 'missing'}: one of {', '.join(NAMED)}")
    year = spec.get("year", "start")
    if year not in ("start", "end"):
        raise DefinitionError(f"{key}: count: year {year!r}: start or end")
    extra = set(spec) - {"episode", "year", "where", "length", "by"}
    if extra:
        raise DefinitionError(f"{key}: count: unknown key {sorted(extra)[0]!r}")
    names = [*spec["where"], *(spec.get("by") or [])]
    for name in names:
        if name not in DERIVED_FIELDS and any(name not in NAMED[k] for k in kinds):
            raise DefinitionError(f"{key}: count: no field {name!r} in episodes {', '.join(kinds)}")
    tests = tuple((name, _test(key, name, value)) for name, value in spec["where"].items())
    if spec.get("length") not in (None, "days"):
        raise DefinitionError(f"{key}: count: length {spec['length']!r}: only days")
    return Count(key, kinds, year, tests, spec.get("length") == "days", tuple(spec.get("by") or ()))


def _test(key: str, name: str, value: Any) -> Callable[[Any], bool]:
    if isinstance(value, list):
        allowed = list(value)
        return lambda v: v in allowed
    if not isinstance(value, Mapping):
        return lambda v: v == value if value is not None else v is None
    if set(value) - _OPS or not value:
        raise DefinitionError(f"{key}: count: where {name}: tests are {', '.join(sorted(_OPS))}")
    parts: list[Callable[[Any], bool]] = []
    if "not_in" in value:
        banned = list(value["not_in"])
        parts.append(lambda v: v not in banned)
    if "set" in value:
        wanted = bool(value["set"])
        parts.append(lambda v: (v is not None) == wanted)
    if "prefix" in value:
        prefix = str(value["prefix"])
        parts.append(lambda v: any(str(x).startswith(prefix) for x in (v if isinstance(v, list) else [v]) if x))
    return lambda v: all(p(v) for p in parts)


@dataclass
class YearTable:
    year: int
    counts: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (measure, region)
    values: dict[tuple[str, str], list[float]] = field(default_factory=lambda: defaultdict(list))  # lengths


@dataclass(frozen=True, slots=True)
class Stock:
    """A person held on a stock day (or `n` alike): the `stock` episode the counts read."""

    year: int
    region: str | None
    flag: bool  # sentenced
    n: int = 1
    episode: str = "stock"


def stock_rows(
    episodes: Iterable[Any], stock: Mapping[str, Any], day_ends: Callable[[int, str | None], datetime], years
):
    """The people held at the end of each year's stock day (local time: `day_ends(year,
    region)`, naive UTC), from the episodes of the kinds `stock` names; sentenced when the
    kind is one of `stock.sentenced`, or a verdict came by then."""
    kinds = set(stock.get("episodes") or ())
    sentenced_kinds = set(stock.get("sentenced") or ())
    out = []
    for e in episodes:
        if e.episode not in kinds:
            continue
        for year in years:
            end = day_ends(year, e.region)
            if e.started_at is not None and e.started_at < end and (e.held_until is None or e.held_until >= end):
                sentenced = e.episode in sentenced_kinds or (e.sentenced_at is not None and e.sentenced_at < end)
                out.append(Stock(year, e.region, sentenced))
    return out


def tabulate(
    episodes: Iterable[Any],
    years: Sequence[int],
    as_of: datetime,
    counts: Sequence[Count],
    region_of: Callable[[str | None], str],
    national: str,
    links: Iterable[Any] | None = None,
) -> dict[int, YearTable]:
    """Every declared count, per year asked, in every region and the country. `episodes` are
    episodes, `Group`s of alike ones (`n`) or `Stock`s; `links` the case episodes a complaint
    may be linked to (by default, the case episodes among `episodes`)."""
    episodes = list(episodes)
    tables = {y: YearTable(y) for y in years}
    by_kind: dict[str, list[Count]] = defaultdict(list)
    for c in counts:
        for kind in c.episodes:
            by_kind[kind].append(c)
    linked = {
        c.link: c for c in (links if links is not None else (e for e in episodes if e.episode == "case")) if c.link
    }
    regions: dict[str | None, str] = {}
    for e in episodes:
        wanted = by_kind.get(e.episode)
        if not wanted:
            continue
        region = regions.get(e.region)
        if region is None:
            region = regions[e.region] = region_of(e.region)
        n = getattr(e, "n", 1)
        for c in wanted:
            table = tables.get(e.end_year if c.year == "end" else e.year)
            if table is None or not all(test(_field(e, name, as_of, linked)) for name, test in c.tests):
                continue
            key = c.key
            if c.by:
                key += "." + "|".join(_spelt(_field(e, name, as_of, linked)) for name in c.by)
            table.counts[(key, region)] += n
            table.counts[(key, national)] += n
            if c.length:
                days = (e.ended_at - e.started_at).total_seconds() / 86400
                table.values[(key, region)].append(days)
                table.values[(key, national)].append(days)
    return tables


def _field(e: Any, name: str, as_of: datetime, linked: Mapping[str, Any]) -> Any:
    if name == "ended":
        return e.ended_at is not None
    if name == "past_limit":
        return e.past_limit(as_of)
    if name in ("case_found", "case_stage"):
        case = linked.get(e.link) if e.link else None
        return case is not None if name == "case_found" else (case.outcome if case is not None else None)
    value = getattr(e, NAMED[e.episode][name])
    return value.split() if name == "iccs" and value else value


def _spelt(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else "" if value is None else str(value)
