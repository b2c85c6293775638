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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from habeas.statistics.suppression import DERIVED, Relation, suppress

NATIONAL = "kz"
OPEN_DATA = "OD"  # cases registered by article (and ICCS codes): the offence-level open data
UN_CTS = "UN"  # the UN-CTS categories: sums of open-data rows, for the whole country
# The steps a case's furthest stage (its `case` episode's outcome) has passed, after registration,
# and where it stopped: what one step adds to the next is a count too (W1's relations).
_FLOW = {
    "sent_to_court": ("sent_to_court", "awaiting_verdict"),
    "acquitted": ("sent_to_court", "verdict", "acquitted"),
    "convicted": ("sent_to_court", "verdict", "convicted"),
}
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

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Definitions:
        out = cls(raw)
        for ind, spec in (raw.get("indicators") or {}).items():
            canon = lambda k, ind=ind: k if "." in k or k == "population" else f"{ind}.{k}"  # noqa: E731
            listed = []
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
            for rel in spec.get("relations", []):
                out.relations.append((canon(rel["total"]), tuple(canon(p) for p in rel["parts"])))
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

    def stock_day(self, year: int) -> datetime:
        month, day = (int(x) for x in str(self.raw.get("stock_day", "01-31")).split("-"))
        return datetime(year, month, day, 23, 59)  # the end of the day (UTC; a stock, not an event)

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


@dataclass
class YearTable:
    year: int
    counts: dict[tuple[str, str], int]  # (measure, region) → count, national included
    values: dict[tuple[str, str], list[float]]  # (measure, region) → lengths (for means, medians)


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
    accused: str | None = None  # case: the accused official's agency
    link = None
    end_year = None

    def past_limit(self, as_of: datetime) -> bool:
        return bool(self.past)

    @property
    def ended_at(self) -> datetime | None:
        return datetime.min if self.ended else None


def tabulate(
    episodes: Iterable[Any],
    years: Sequence[int],
    as_of: datetime,
    defs: Definitions,
    regions: Regions,
    links: Iterable[Any] | None = None,
    stocks_given: bool = False,
) -> dict[int, YearTable]:
    """Count every count measure of every indicator, per year asked, in every region.

    `episodes` are episodes or `Group`s; `links` the case episodes complaints may be linked
    to (by default, the case episodes among `episodes`). With `stocks_given` the people held
    on each stock day come as `Group`s of kind `stock` (year: the stock's; flag: sentenced),
    and custody and prison episodes are not looked at for them."""
    wanted = set(years)
    tables = {y: YearTable(y, defaultdict(int), defaultdict(list)) for y in years}
    stock_days = {y: defs.stock_day(y) for y in years}
    lists = defs.raw
    torture_about = set(lists.get("torture_about", []))
    causes = set(lists.get("death_causes", []))
    outcomes = set(lists.get("appeal_outcomes", []))
    grounds = set(lists.get("closure_grounds", []))
    agencies = set(lists.get("agencies", []))
    accused_agencies = set(lists.get("accused_agencies", []))
    corruption = str(lists.get("corruption_iccs", "\0"))
    linked: dict[str, Any] = {c.link: c for c in links or () if c.link}
    complaints = []
    n = 1

    def add(year: int, key: str, region: str) -> None:
        t = tables[year]
        t.counts[(key, region)] += n
        t.counts[(key, NATIONAL)] += n

    for e in episodes:
        kind = e.episode
        n = getattr(e, "n", 1)
        region = regions.of(e.region)
        y = e.year
        if kind == "case":
            if e.link and links is None:
                linked[e.link] = e
            if y in wanted and e.flag2 and e.article:  # the open-data row of its offence
                add(y, f"{OPEN_DATA}.{e.article}|{e.iccs or ''}", region)
            if y in wanted:
                flow = _FLOW.get(e.outcome or "", ())
                for step in ("reported", "registered", *flow):
                    if step == "reported" and not e.flag or step == "registered" and not e.flag2:
                        continue
                    add(y, f"W1.{step}", region)
            if y in wanted and e.iccs and any(code.startswith(corruption) for code in e.iccs.split()):
                agency = e.detail if e.detail in agencies else "other"
                add(y, "C1.cases", region)
                add(y, f"C1.agency_{agency}", region)
                accused = e.accused
                add(
                    y,
                    "C1.accused_"
                    + (accused if accused in accused_agencies else "not_recorded" if accused is None else "other"),
                    region,
                )
            continue
        if kind == "stock":
            add(y, "L1.held", region)
            add(y, "L1.sentenced" if e.flag else "L1.unsentenced", region)
            continue
        if kind in ("custody", "prison") and not stocks_given:
            for year, day in stock_days.items():
                if e.held_on(day):
                    add(year, "L1.held", region)
                    sentenced = kind == "prison" or (e.sentenced_at is not None and e.sentenced_at <= day)
                    add(year, "L1.sentenced" if sentenced else "L1.unsentenced", region)
        if kind == "custody":
            if y in wanted and e.past_limit(as_of):
                add(y, "L3.custody_past", region)
            if e.end_year in wanted and e.ended_at is not None:
                add(e.end_year, "L5.ended", region)
                days = (e.ended_at - e.started_at).total_seconds() / 86400
                for r in (region, NATIONAL):
                    tables[e.end_year].values[("L5.ended", r)].append(days)
            continue
        if y not in wanted:
            continue
        if kind == "detention":
            past = e.past_limit(as_of)
            if e.ended_at is not None:
                add(y, "L2.ended", region)
                add(y, "L2.past" if past else "L2.within", region)
            else:
                add(y, "L2.not_ended", region)
            if past:
                add(y, "L3.detention_past", region)
                if e.ended_at is None:
                    add(y, "L3.detention_past_running", region)
            if e.flag is not None:
                add(y, "L6.questioned", region)
                add(y, "L6.with_counsel" if e.flag else "L6.without_counsel", region)
            else:
                add(y, "L6.not_questioned", region)
            add(y, "L7.detentions", region)
            add(y, "L7.explained" if e.flag2 else "L7.not_explained", region)
        elif kind == "petition":
            add(y, "L9.petitions", region)
            add(y, f"L9.{e.outcome or 'pending'}", region)
        elif kind == "complaint":
            if e.detail in torture_about:
                complaints.append((y, region, e))
        elif kind == "death":
            add(y, "T3.deaths", region)
            add(y, f"T3.place_{e.detail or 'none'}", region)
            add(y, f"T3.cause_{e.outcome if e.outcome in causes else 'other'}", region)
        elif kind == "verdict":
            add(y, "F1.tried", region)
            add(y, f"F1.{e.outcome}", region)
        elif kind == "closure":
            add(y, "F1.closed", region)
            add(y, f"F1.closed_{e.outcome if e.outcome in grounds else 'other'}", region)
            add(y, f"F1.closed_{e.detail}", region)
            if e.outcome == "reconciliation":
                if e.flag2:
                    add(y, "F4.without_consent", region)
                if e.flag3:
                    add(y, "F4.ineligible", region)
        elif kind == "appeal":
            add(y, "F2.filed", region)
            add(y, "F2.late" if e.late else "F2.in_time", region)
            if e.outcome is None:
                add(y, "F2.undecided", region)
            else:
                add(y, f"F2.outcome_{e.outcome if e.outcome in outcomes else 'other'}", region)
    n = 1
    for y, region, e in complaints:
        add(y, "T1.filed", region)
        add(y, "T4.allegations", region)
        add(y, "T4.examined" if e.flag2 else "T4.not_examined", region)
        if e.flag3:
            add(y, "T4.examined_in_time", region)
        if e.flag:
            add(y, "T1.registered", region)
        case = linked.get(e.link) if e.link else None
        if case is not None:
            add(y, "T1.investigated", region)
            if case.outcome in ("sent_to_court", "convicted", "acquitted"):
                add(y, "T1.sent_to_court", region)
            if case.outcome == "convicted":
                add(y, "T1.convicted", region)
    return tables


def compute(
    episodes: Iterable[Any],
    years: Sequence[int],
    as_of: datetime,
    reference: Mapping[str, Any],
    min_count: int | None = None,
    links: Iterable[Any] | None = None,
    stocks_given: bool = False,
) -> list[Cell]:
    """Every cell of every indicator, region and year asked, suppressed."""
    defs = Definitions.parse(reference.get("indicators") or {})
    regions = Regions(reference.get("regions") or {})
    threshold = defs.min_count() if min_count is None else min_count
    tables = tabulate(episodes, years, as_of, defs, regions, links, stocks_given)
    everywhere = [*regions.all, NATIONAL]
    population = _population(reference.get("population") or {})
    space = _space(reference.get("space") or {}, years)
    categories = (reference.get("un-cts") or {}).get("categories", [])
    corruption = str((reference.get("indicators") or {}).get("corruption_iccs", "\0"))
    cells: list[Cell] = []
    for year in years:
        table = tables[year]
        offences = sorted({k for k, r in table.counts if k.startswith(OPEN_DATA + ".") and r == NATIONAL})
        keys = [*defs.count_keys, *offences]
        counts = {(k, r): table.counts.get((k, r), 0) for k in keys for r in everywhere}
        relations = [Relation((k, NATIONAL), tuple((k, r) for r in regions.all)) for k in keys]
        for total, parts in defs.relations:
            relations += [Relation((total, r), tuple((p, r) for p in parts)) for r in everywhere]
        # what the open data add up to elsewhere: every registered case, the corruption cases
        corrupt = [k for k in offences if _iccs_match(k, (corruption,))]
        for r in everywhere:
            if offences:
                relations.append(Relation(("W1.registered", r), tuple((k, r) for k in offences)))
            if corrupt:
                relations.append(Relation(("C1.cases", r), tuple((k, r) for k in corrupt)))
        for cat in categories:
            key = f"{UN_CTS}.{cat['code']}"
            parts = tuple((k, NATIONAL) for k in offences if _iccs_match(k, tuple(cat["iccs"])))
            counts[(key, NATIONAL)] = sum(counts[p] for p in parts)
            if parts:
                relations.append(Relation((key, NATIONAL), parts))
        # Two indicators counting the same people one way and another (persons and cases, the
        # year of the verdict and of registration) often agree: where they do, a reader may take
        # one for the other, so they are suppressed as one.
        for first, second in defs.shared:
            for r in everywhere:
                if (first, r) in counts and counts[(first, r)] == counts.get((second, r)):
                    relations.append(Relation((first, r), ((second, r),)))
        hidden = suppress(counts, relations, threshold)
        pop, estimated = population.get(year, ({}, set()))
        for ind, measures in defs.measures.items():
            for m in measures:
                for r in everywhere:
                    value, why = _value(m, r, counts, hidden, table, pop, space.get(year))
                    estimate = (
                        r in estimated
                        and value is not None
                        and (m.kind == "population" or (m.kind == "rate" and m.over == ("population",)))
                    )
                    withheld = why is not None
                    cells.append(
                        Cell(ind, m.key, m.label, r, year, None if withheld else value, withheld, estimate, why)
                    )
        for k in offences:
            for r in everywhere:
                why = hidden.reason((k, r))
                label = k.split(".", 1)[1]
                value = None if why else counts[(k, r)]
                cells.append(Cell(OPEN_DATA, k, label, r, year, value, why is not None, withheld=why))
        for cat in categories:
            key = f"{UN_CTS}.{cat['code']}"
            why = hidden.reason((key, NATIONAL))
            value = None if why else counts[(key, NATIONAL)]
            cells.append(
                Cell(UN_CTS, key, cat.get("label", cat["code"]), NATIONAL, year, value, why is not None, withheld=why)
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
        return (space if r == NATIONAL else None), None
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


def _population(raw: Mapping[str, Any]) -> dict[int, tuple[dict[str, int], set[str]]]:
    """year → (population by region and for the country, the regions whose figure is an estimate).

    A figure is a number (an estimate unless the year says `certainty: published`) or
    `{value, certainty, source}`; the country is the year's `national` figure, else the
    sum of the regions (an estimate if any of them is)."""
    out: dict[int, tuple[dict[str, int], set[str]]] = {}
    for version in raw.get("years", []):
        default = version.get("certainty", "estimate")
        by_region: dict[str, int] = {}
        estimated: set[str] = set()
        for region, figure in (version.get("by_region") or {}).items():
            value, certainty = _figure(figure, default)
            by_region[region] = value
            if certainty != "published":
                estimated.add(region)
        if version.get("national") is not None:
            by_region[NATIONAL], certainty = _figure(version["national"], default)
            if certainty != "published":
                estimated.add(NATIONAL)
        else:
            by_region[NATIONAL] = sum(by_region.values())
            if estimated:
                estimated.add(NATIONAL)
        out[int(version["year"])] = (by_region, estimated)
    return out


def _figure(figure: Any, default: str) -> tuple[int, str]:
    if isinstance(figure, Mapping):
        return int(figure["value"]), str(figure.get("certainty", default))
    return int(figure), default


def _space(raw: Mapping[str, Any], years: Sequence[int]) -> dict[int, float]:
    """The SPACE I median in force for each year: the latest version not after it."""
    versions = sorted((int(v["year"]), v["median_per_100k"]) for v in raw.get("versions", []))
    out: dict[int, float] = {}
    for year in years:
        found = [value for since, value in versions if since <= year]
        if found:
            out[year] = found[-1]
    return out
