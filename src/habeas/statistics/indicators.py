"""The indicators of the jurisdiction's `reference/indicators.yaml`, computed from episodes.

`compute(episodes, years, as_of, reference, min_count)` counts, for each year asked, every
count measure of every indicator in every region (and `unknown`, and the country `kz`),
suppresses the whole year's table (`suppression.suppress`), derives shares, means,
medians and rates from the counts (a value derived from a withheld count is withheld),
and returns the cells. Which cells a report shows is chosen afterwards
(`Statistics.select`), so no choice of regions, sections or years changes a cell.

Episodes are `episodes.Episode` objects or anything with the same attributes (rows read
from the projection). Times are naive UTC; `as_of` decides which running limits are past.
"""

from __future__ import annotations

import statistics as stats
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from habeas.statistics.containment import contained
from habeas.statistics.counting import NATIONAL_DEFAULT, Count, DefinitionError, YearTable, parse_count, stock_rows
from habeas.statistics.counting import tabulate as count_all
from habeas.statistics.figures import _population, _space
from habeas.statistics.suppression import DERIVED, Relation, suppress

NATIONAL = NATIONAL_DEFAULT  # the country's code when the package names none (indicators.yaml `national`)
OPEN_DATA = "OD"  # cases registered by article (and ICCS codes): the offence-level open data
UN_CTS = "UN"  # the UN-CTS categories: sums of open-data rows, for the whole country
UNKNOWN = "unknown"
COUNT_KINDS = (None, "count")


@dataclass(frozen=True)
class Measure:
    indicator: str
    key: str  # canonical: "<indicator>.<key>" (a measure shown by two indicators is one cell)
    label: str
    kind: str  # count, share, mean, median, rate, population, space_median
    of: tuple[str, ...] = ()
    over: tuple[str, ...] = ()
    per: int = 100


@dataclass(frozen=True)
class Cell:
    indicator: str
    measure: str  # canonical key
    label: str
    region: str
    year: int
    value: float | int | None  # None when suppressed: a withheld value never leaves compute
    suppressed: bool
    estimate: bool = False  # drawn from a population figure that is an estimate, not the published one
    withheld: str | None = None  # why, when suppressed: suppression.SMALL, PROTECTS or DERIVED

    def to_dict(self) -> dict[str, Any]:
        out = {
            "indicator": self.indicator,
            "measure": self.measure.split(".", 1)[1] if self.measure.startswith(self.indicator + ".") else self.measure,
            "label": self.label,
            "region": self.region,
            "year": self.year,
            "value": None if self.suppressed else self.value,
            "suppressed": self.suppressed,
        }
        if self.suppressed:
            out["withheld"] = self.withheld or DERIVED
        if self.estimate:
            out["estimate"] = True
        return out


@dataclass
class Definitions:
    """indicators.yaml, read into what the computation needs."""

    raw: Mapping[str, Any]
    measures: dict[str, list[Measure]] = field(default_factory=dict)  # by indicator, in order
    relations: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    shared: list[tuple[str, str]] = field(default_factory=list)  # counts of (mostly) the same people
    counts: list[Count] = field(default_factory=list)  # what each count measure counts (`count`)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Definitions:
        out = cls(raw)
        for ind, spec in (raw.get("indicators") or {}).items():
            canon = lambda k, ind=ind: k if "." in k or k == "population" else f"{ind}.{k}"  # noqa: E731
            listed = []
            default = spec.get("count") or {}
            for m in spec.get("measures", []):
                of = m.get("of", ())
                over = m.get("over", ())
                listed.append(
                    Measure(
                        ind,
                        canon(m["key"]),
                        m.get("label", m["key"]),
                        m.get("kind") or "count",
                        tuple(canon(k) for k in ([of] if isinstance(of, str) else of)),
                        tuple(canon(k) for k in ([over] if isinstance(over, str) else over)),
                        int(m.get("per", 100)),
                    )
                )
            out.measures[ind] = listed
            for m, measure in zip(spec.get("measures", []), listed, strict=True):
                if "count" in m:
                    out.counts.append(parse_count(measure.key, m["count"] or {}, default))
                elif measure.kind == "count" and measure.key.startswith(f"{ind}."):
                    raise DefinitionError(f"{measure.key}: a count measure says what it counts (`count`)")
            for rel in spec.get("relations", []):
                out.relations.append((canon(rel["total"]), tuple(canon(p) for p in rel["parts"])))
        if raw.get("open_data"):
            out.counts.append(parse_count(OPEN_DATA, raw["open_data"]["count"]))
        for rel in raw.get("relations", []):  # between indicators: keys are written whole
            out.relations.append((rel["total"], tuple(rel["parts"])))
        for pair in raw.get("shared_populations", []):
            first, second = pair
            out.shared.append((first, second))
        return out

    @property
    def count_keys(self) -> list[str]:
        keys: list[str] = []
        for listed in self.measures.values():
            for m in listed:
                if m.kind == "count" and m.key not in keys:
                    keys.append(m.key)
        return keys

    def sections(self) -> dict[str, list[str]]:
        return {name: list(s.get("indicators", [])) for name, s in (self.raw.get("sections") or {}).items()}

    @property
    def national(self) -> str:
        """The code of the whole country (indicators.yaml `national`)."""
        return str((self.raw.get("national") or {}).get("code", NATIONAL_DEFAULT))

    def stock_day(self, year: int) -> date:
        month, day = (int(x) for x in str(self.raw.get("stock_day", "01-31")).split("-"))
        return date(year, month, day)

    def stock(self) -> Mapping[str, Any]:
        """Which episodes the people held on a stock day are in (`stock`)."""
        return self.raw.get("stock") or {}

    def day_ends(self, offset: Callable[[str | None, datetime], timedelta] | None = None):
        """(year, recorded region) → the end of that year's stock day in the region's local
        time (naive UTC): `offset(region, local end)` gives the region's UTC offset (from its
        zone, outside the core); without it, the package's `release.utc_offset`."""
        fixed = self._offset()
        ends: dict[tuple[int, str | None], datetime] = {}

        def end(year: int, region: str | None) -> datetime:
            found = ends.get((year, region))
            if found is None:
                local = datetime.combine(self.stock_day(year) + timedelta(days=1), datetime.min.time())
                found = ends[(year, region)] = local - (offset(region, local) if offset else fixed)
            return found

        return end

    def _offset(self) -> timedelta:
        sign, hours, minutes = _offset(str((self.raw.get("release") or {}).get("utc_offset", "+00:00")))
        return sign * timedelta(hours=hours, minutes=minutes)

    def min_count(self) -> int:
        return int((self.raw.get("suppression") or {}).get("min_count", 5))

    def closes_at(self, year: int) -> datetime:
        """When a year's figures may be released (naive UTC): the end of the year in the
        jurisdiction's time, and the days the package waits after it (`release`)."""
        release = self.raw.get("release") or {}
        sign, hours, minutes = _offset(str(release.get("utc_offset", "+00:00")))
        end = datetime(year + 1, 1, 1) - sign * timedelta(hours=hours, minutes=minutes)
        return end + timedelta(days=int(release.get("after_days", 0)))

    def last_closed(self, moment: datetime) -> int:
        """The last year closed at `moment` (naive UTC)."""
        year = moment.year
        while self.closes_at(year) > moment:
            year -= 1
        return year


class Regions:
    """The regions of reference/regions.yaml: a recorded region → its code."""

    def __init__(self, raw: Mapping[str, Any]):
        self.codes: list[str] = []
        self.names: dict[str, str] = {}
        self._lookup: dict[str, str] = {}
        for r in raw.get("regions", []) if raw else []:
            self.codes.append(r["code"])
            self.names[r["code"]] = r.get("name", r["code"])
            for spelling in (r["code"], r.get("name", ""), r.get("kato", ""), *r.get("aliases", [])):
                if spelling:
                    self._lookup[_norm(spelling)] = r["code"]

        # the districts of each region (reference data, kept ready: the log records no district)
        listed = (raw or {}).get("districts") or {}
        self.districts: dict[str, list[dict]] = {k: list(v or []) for k, v in listed.items()}

    def of(self, recorded: str | None) -> str:
        return self._lookup.get(_norm(recorded or ""), UNKNOWN)

    @property
    def all(self) -> list[str]:
        return [*self.codes, UNKNOWN]


def _offset(text: str) -> tuple[int, int, int]:
    sign = -1 if text.startswith("-") else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return sign, int(hours), int(minutes or 0)


def _norm(text: str) -> str:
    return text.strip().lower().replace(" ", "-").replace("_", "-")


@dataclass(frozen=True, slots=True)
class Group:
    """`n` episodes alike in everything the counts read (a GROUP BY of the projection): what
    `services.statistics` reads for the many episodes that are counted, not measured."""

    episode: str
    year: int
    region: str | None
    outcome: str | None
    detail: str | None
    flag: bool | None
    flag2: bool | None
    flag3: bool | None
    late: bool | None
    past: bool  # past its limit as of the report's time
    ended: bool
    iccs: str | None
    article: str | None
    n: int
    person: str | None = None  # case: the accused official's agency (as a case episode keeps it)
    end_year: int | None = None
    link = None

    def past_limit(self, as_of: datetime) -> bool:
        return bool(self.past)

    @property
    def ended_at(self) -> datetime | None:
        return datetime.min if self.ended else None


def compute(
    episodes: Iterable[Any],
    years: Sequence[int],
    as_of: datetime,
    reference: Mapping[str, Any],
    min_count: int | None = None,
    links: Iterable[Any] | None = None,
    stocks_given: bool = False,
    offset: Callable[[str | None, datetime], timedelta] | None = None,
) -> list[Cell]:
    """Every cell of every indicator, region and year asked, suppressed. With `stocks_given`
    the people held on each stock day come among `episodes` (`counting.Stock`s, or `Group`s
    of kind `stock`); otherwise they are found in the episodes, at the end of the stock day
    in each region's local time (`offset`: region, local time → its UTC offset)."""
    defs = Definitions.parse(reference.get("indicators") or {})
    regions = Regions(reference.get("regions") or {})
    threshold = defs.min_count() if min_count is None else min_count
    episodes = list(episodes)
    if not stocks_given:
        episodes += stock_rows(episodes, defs.stock(), defs.day_ends(offset), years)
    national = defs.national  # the package's code of the whole country
    tables = count_all(episodes, years, as_of, defs.counts, regions.of, national, links)
    everywhere = [*regions.all, national]
    population = _population(reference.get("population") or {}, national)
    space = _space(reference.get("space") or {}, years)
    categories = (reference.get("un-cts") or {}).get("categories", [])
    corruption = str((reference.get("indicators") or {}).get("corruption_iccs", "\0"))
    within = contained(defs.raw, defs.relations)  # a count that is part of another, not declared as a sum
    cells: list[Cell] = []
    for year in years:
        table = tables[year]
        offences = sorted({k for k, r in table.counts if k.startswith(OPEN_DATA + ".") and r == national})
        counts, relations = _year_sums(defs, regions, table, offences, categories, corruption, within)
        hidden = suppress(counts, relations, threshold)
        pop, estimated = population.get(year, ({}, set()))
        year_space = space.get(year)
        cells += _measure_cells(defs, everywhere, national, year, counts, hidden, table, pop, estimated, year_space)
        cells += _open_data_cells(offences, categories, everywhere, national, year, counts, hidden)
    return cells


def _year_sums(defs, regions, table: YearTable, offences, categories, corruption: str, within):
    """A year's counts, each indicator's, open-data offence's and UN-CTS category's in every
    region, and the relations among them that suppression must keep from being undone."""
    national = defs.national
    everywhere = [*regions.all, national]
    keys = [*defs.count_keys, *offences]
    counts = {(k, r): table.counts.get((k, r), 0) for k in keys for r in everywhere}
    relations = [Relation((k, national), tuple((k, r) for r in regions.all)) for k in keys]
    for total, parts in defs.relations:
        relations += [Relation((total, r), tuple((p, r) for p in parts)) for r in everywhere]
    relations += [Relation((big, r), ((small, r),), exact=False) for big, small in within for r in everywhere]
    # what the open data add up to elsewhere: every registered case, the corruption cases
    corrupt = [k for k in offences if _iccs_match(k, (corruption,))]
    for r in everywhere:
        if offences:
            relations.append(Relation(("W1.registered", r), tuple((k, r) for k in offences)))
        if corrupt:
            relations.append(Relation(("C1.cases", r), tuple((k, r) for k in corrupt)))
    for cat in categories:
        key = f"{UN_CTS}.{cat['code']}"
        parts = tuple((k, national) for k in offences if _iccs_match(k, tuple(cat["iccs"])))
        counts[(key, national)] = sum(counts[p] for p in parts)
        if parts:
            relations.append(Relation((key, national), parts))
    # Two indicators counting the same people one way and another (persons and cases, the
    # year of the verdict and of registration) often agree: where they do, a reader may take
    # one for the other, so they are suppressed as one.
    for first, second in defs.shared:
        for r in everywhere:
            if (first, r) in counts and counts[(first, r)] == counts.get((second, r)):
                relations.append(Relation((first, r), ((second, r),)))
    return counts, relations


def _measure_cells(defs, everywhere, national, year, counts, hidden, table, pop, estimated, space) -> list[Cell]:
    """The cells of every indicator's measures in a year, in every region."""
    cells: list[Cell] = []
    for ind, measures in defs.measures.items():
        for m in measures:
            for r in everywhere:
                value, why = _value(m, r, counts, hidden, table, pop, space if r == national else None)
                estimate = (
                    r in estimated
                    and value is not None
                    and (m.kind == "population" or (m.kind == "rate" and m.over == ("population",)))
                )
                withheld = why is not None
                cells.append(Cell(ind, m.key, m.label, r, year, None if withheld else value, withheld, estimate, why))
    return cells


def _open_data_cells(offences, categories, everywhere, national, year, counts, hidden) -> list[Cell]:
    """The cells of the open-data offences in every region and of the UN-CTS categories nationally."""
    cells: list[Cell] = []
    for k in offences:
        for r in everywhere:
            why = hidden.reason((k, r))
            label = k.split(".", 1)[1]
            value = None if why else counts[(k, r)]
            cells.append(Cell(OPEN_DATA, k, label, r, year, value, why is not None, withheld=why))
    for cat in categories:
        key = f"{UN_CTS}.{cat['code']}"
        why = hidden.reason((key, national))
        value = None if why else counts[(key, national)]
        cells.append(
            Cell(UN_CTS, key, cat.get("label", cat["code"]), national, year, value, why is not None, withheld=why)
        )
    return cells


def _iccs_match(key: str, prefixes: tuple[str, ...]) -> bool:
    codes = key.split("|", 1)[1].split()
    return any(code.startswith(p) for code in codes for p in prefixes)


def _value(
    m: Measure, r: str, counts, hidden, table: YearTable, pop: Mapping[str, int], space
) -> tuple[Any, str | None]:
    """A measure's value in a region, and why it is withheld (None: it is not)."""
    if m.kind == "count":
        why = hidden.reason((m.key, r))
        return (None if why else counts[(m.key, r)]), why
    if m.kind == "population":
        return pop.get(r), None
    if m.kind == "space_median":
        return space, None
    sources = [*m.of, *[k for k in m.over if k != "population"]]
    if any((k, r) in hidden for k in sources):
        return None, DERIVED
    if m.kind == "share":
        over = sum(counts[(k, r)] for k in m.over)
        return (round(100 * counts[(m.of[0], r)] / over, 1) if over else None), None
    if m.kind == "rate":
        over = pop.get(r) if m.over == ("population",) else sum(counts[(k, r)] for k in m.over)
        return (round(m.per * counts[(m.of[0], r)] / over, 1) if over else None), None
    lengths = table.values.get((m.of[0], r), [])
    if not lengths:
        return None, None
    if m.kind == "mean":
        return round(stats.fmean(lengths), 1), None
    if m.kind == "median":
        return round(stats.median(lengths), 1), None
    raise ValueError(f"unknown measure kind {m.kind!r}")
