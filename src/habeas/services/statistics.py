"""Public statistics (issue 12): reports of the indicators, from the `episodes` projection.

The one service every driver calls (the CLI's `habeas report`; the API's
`GET /api/v1/statistics` and the web page to come): parse a spec (`ReportSpec.parse`),
call `report`, render `Report.to_dict()` or `Report.rows()`. Reading a report logs
nothing: it is public and names no one.

Figures are published per closed year, never live: a year may be asked for once it has ended
(`Definitions.closes_at`: the package's `release`), and its first report computes the year's
whole table from the episodes projection, suppresses it and keeps it (`stat_releases`);
every later report and export of that year, in any shape, reads the kept cells. So two
reports around a new case — or a late record of an old one — cannot differ for a released
year. `report` reads the episodes of the years not yet released (and, for stocks, of the people
held then), never the log; `report_from_log` computes a live report by folding the whole log —
the bench's baseline, and a check that the projection says what the log says.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from habeas import config
from habeas.clock import SystemClock
from habeas.db.schema import stat_releases
from habeas.domain.case import fold
from habeas.jurisdictions import digest as law_digest
from habeas.jurisdictions import load as load_law
from habeas.jurisdictions import reference
from habeas.law.episodes import definitions
from habeas.law.offences import iccs_of
from habeas.law.package import Law
from habeas.law.rules import deadlines as judge_deadlines
from habeas.ledger import store
from habeas.services import episode_counts, maintenance
from habeas.statistics import exports
from habeas.statistics.episodes import Episode, episodes_of
from habeas.statistics.indicators import Cell, Definitions, Regions, compute
from habeas.statistics.report import PROTECTED, Report
from habeas.statistics.report import select as select_cells
from habeas.statistics.spec import ReportSpec, SpecError, format_years, parse_years

__all__ = [
    "EXPORTS",
    "PROTECTED",
    "Report",
    "ReportSpec",
    "SpecError",
    "export",
    "last_closed_year",
    "min_count",
    "national",
    "parse_years",
    "reference_data",
    "report",
    "report_from_log",
]

ENV_MIN_COUNT = "HABEAS_STATISTICS_MIN_COUNT"


def reference_data(jurisdiction: str | None = None) -> dict:
    return reference.load(jurisdiction or config.jurisdiction())


_PARSED: dict[int, tuple[Mapping, Definitions]] = {}


def indicator_definitions(raw: Mapping) -> Definitions:
    """indicators.yaml read into Definitions, once per loaded package (`reference.load` keeps
    it): parsing it took a public report's request a fifth of its time."""
    found = _PARSED.get(id(raw))
    if found is None or found[0] is not raw:
        if len(_PARSED) > 16:  # packages loaded again and again (tests): forget the old ones
            _PARSED.clear()
        found = _PARSED[id(raw)] = (raw, Definitions.parse(raw))
    return found[1]


def min_count(jurisdiction: str | None = None) -> int:
    """The suppression threshold in force: the setting, else the package's (indicators.yaml)."""
    setting = os.environ.get(ENV_MIN_COUNT)
    if setting:
        try:
            value = int(setting)
        except ValueError:
            raise SpecError(f"{ENV_MIN_COUNT}: {setting!r} is not a whole number") from None
        if value < 1:
            raise SpecError(f"{ENV_MIN_COUNT}: must be at least 1")
        return value
    return indicator_definitions(reference_data(jurisdiction)["indicators"]).min_count()


def report(
    engine: Engine,
    spec: ReportSpec,
    as_of: datetime,
    *,
    jurisdiction: str | None = None,
    threshold: int | None = None,
    catch_up: bool = True,
    load: Callable[[], Law] | None = None,
    now: datetime | None = None,
    replica: Engine | None = None,
) -> Report:
    """The report `spec` asks for, as of `as_of` (aware), from the projection (caught up
    first if it is behind the log; `load` gives the law then). `now` is the register's
    clock (the system's by default): a year is released only once it has ended by it, so no
    `as_of` in the future can release a year early. With a `replica` of `engine`, the
    released figures are read there (they may lag a little); a year not released yet is
    released on `engine`, the primary, which alone takes writes."""
    _within_clock(spec, as_of)
    name = jurisdiction or config.jurisdiction()
    ref = reference_data(name)
    limit = threshold if threshold is not None else min_count(name)
    cells = released(engine, spec.years, as_of, name, limit, now, replica, _catching_up(engine, name, load, catch_up))
    return _present(cells, spec, as_of, ref, limit)


def export(
    engine: Engine,
    kind: str,
    spec: ReportSpec,
    as_of: datetime,
    *,
    jurisdiction: str | None = None,
    threshold: int | None = None,
    load: Callable[[], Law] | None = None,
    catch_up: bool = True,
    now: datetime | None = None,
    replica: Engine | None = None,
) -> tuple[tuple[str, ...], list[dict]]:
    """(columns, rows) of an export of the years of `spec`: `offences` (the offence-level open
    data, by region) or `un-cts` (the UN-CTS layout, the whole country); a `replica` as in
    `report`."""
    if kind not in EXPORTS:
        raise SpecError(f"export: {kind!r} is not one of {', '.join(EXPORTS)}")
    _within_clock(spec, as_of)
    name = jurisdiction or config.jurisdiction()
    ref = reference_data(name)
    limit = threshold if threshold is not None else min_count(name)
    cells = released(engine, spec.years, as_of, name, limit, now, replica, _catching_up(engine, name, load, catch_up))
    national = indicator_definitions(ref["indicators"]).national
    if kind == "offences":
        return exports.OPEN_DATA_COLUMNS, exports.open_data(cells, limit, national)
    return exports.UN_CTS_COLUMNS, exports.un_cts(cells, ref["un-cts"], limit, national)


def _catching_up(engine: Engine, name: str, load: Callable[[], Law] | None, catch_up: bool) -> Callable[[], None]:
    """What brings the primary's projection up to the log before a year is released from it."""

    def current() -> None:
        if catch_up:
            maintenance.current(engine, load or (lambda: load_law(name)), None if load else (lambda: law_digest(name)))

    return current


def _within_clock(spec: ReportSpec, as_of: datetime) -> None:
    """No figures for a year that has not begun as of `as_of` (issue 20): a report of a
    period after the register's clock would show zeros as if they were counted."""
    later = [year for year in spec.years if year > as_of.year]
    if later:
        raise SpecError(
            f"years: {format_years(tuple(later))} is after {as_of.date().isoformat()}, the time of the report:"
            " no figures for a period that has not begun"
        )


EXPORTS = ("offences", "un-cts")


def national(jurisdiction: str | None = None) -> str:
    """The code of the whole country in the tables (the package's indicators.yaml `national`)."""
    return indicator_definitions(reference_data(jurisdiction)["indicators"]).national


def last_closed_year(as_of: datetime, jurisdiction: str | None = None) -> int:
    """The last year whose figures may be published at `as_of`."""
    defs = indicator_definitions(reference_data(jurisdiction)["indicators"])
    return defs.last_closed(_naive_utc(as_of))


def released(
    engine: Engine,
    years: Sequence[int],
    as_of: datetime,
    name: str,
    limit: int,
    now: datetime | None = None,
    replica: Engine | None = None,
    current: Callable[[], None] | None = None,
) -> list[Cell]:
    """Every cell of the years asked, suppressed with `limit`: as kept when each year was
    released, the years not yet released computed now and kept. A year that has not ended
    by `as_of` and by the register's clock (`now`) is refused: figures are published per
    closed year, never live. The kept cells are read from the `replica` if there is one;
    `current` catches the projection up before a release (before any read, without one)."""
    ref = reference_data(name)
    defs = indicator_definitions(ref["indicators"])
    moment = _naive_utc(as_of)
    clock = _naive_utc(now if now is not None else SystemClock().now())
    closed_by = min(moment, clock)
    open_years = [y for y in years if defs.closes_at(y) > closed_by]
    if open_years:
        raise SpecError(
            f"years: {open_years[0]} has not closed yet: figures are published per closed year"
            f" (the last is {defs.last_closed(closed_by)})"
        )
    if current and replica is None:
        current()
    kept = _kept(replica or engine, years, limit)
    missing = [y for y in years if y not in kept]
    if missing and replica is not None:  # released on the primary, not yet replayed here
        kept |= _kept(engine, missing, limit)
        missing = [y for y in years if y not in kept]
        if missing and current:
            current()
    if missing:
        _release(engine, missing, as_of, name, limit)
        kept |= _kept(engine, missing, limit)
    return [cell for year in sorted(years) for cell in kept[year]]


def _release(engine: Engine, years: list[int], as_of: datetime, name: str, limit: int) -> None:
    """Compute the whole table of `years` from the projection, suppressed, and keep it."""
    moment = _naive_utc(as_of)
    found, links = episode_counts.read(engine, years, _naive_utc(as_of), reference_data(name), name)
    cells = compute(found, years, moment, reference_data(name), limit, links, stocks_given=True)
    with engine.connect() as conn:
        position = store.read_head(conn).position
    for year in years:
        row = {
            "year": year,
            "min_count": limit,
            "released_at": moment,
            "position": position,
            "cells": json.dumps([asdict(c) for c in cells if c.year == year], separators=(",", ":")),
        }
        try:
            with engine.begin() as conn:
                conn.execute(stat_releases.insert().values(**row))
        except IntegrityError:
            pass  # released meanwhile by another request: that release stands


# A release's cells as read, by database, threshold, year, the release's moment, head and size:
# a release is never changed, so a public report reads its thousands of cells once per
# process. A release withdrawn (migration 0012) and made again at another moment or head is
# another key; made again at the same moment over the same head, it is the same cells.
_RELEASES: dict[tuple, list[Cell]] = {}


def _kept(engine: Engine, years: Sequence[int], limit: int) -> dict[int, list[Cell]]:
    r = stat_releases.c
    size = func.length(r.cells)  # a row changed in place (never by habeas) is read again
    which = select(r.year, r.released_at, r.position, size).where(r.year.in_(list(years)), r.min_count == limit)
    with engine.connect() as conn:
        keys = {row[0]: (str(engine.url), limit, *row) for row in conn.execute(which)}
        unread = [year for year, key in keys.items() if key not in _RELEASES]
        if unread:
            if len(_RELEASES) > 64:
                _RELEASES.clear()
            cells = select(r.year, r.cells).where(r.year.in_(unread), r.min_count == limit)
            for year, text in conn.execute(cells):
                if year in keys:
                    _RELEASES[keys[year]] = [Cell(**c) for c in json.loads(text)]
    return {year: _RELEASES[key] for year, key in keys.items() if key in _RELEASES}


def report_from_log(
    engine: Engine,
    spec: ReportSpec,
    as_of: datetime,
    *,
    jurisdiction: str | None = None,
    threshold: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """The same report computed by reading and folding the whole log (no projection)."""
    name = jurisdiction or config.jurisdiction()
    law = load_law(name)
    ref = reference_data(name)
    codes = dict(ref["indicators"].get("findings") or {})
    wanted = set(codes.values())
    defined = definitions(law)
    found: list[Episode] = []

    def flush(state) -> None:
        if state is None or not any(ev.case is not None for ev in state.timeline):
            return
        findings = [f for f in judge_deadlines(state, law) if f.code in wanted]
        iccs = ()
        if state.article is not None and state.registered_at is not None:
            iccs = iccs_of(law, state.article, state.part, state.registered_at.date())
        found.extend(episodes_of(state, findings, codes, iccs, defined=defined))

    with engine.connect() as conn:
        state = None
        rows = conn.exec_driver_sql(
            f"{store.SELECT_ROWS} ORDER BY stream, version", execution_options={"stream_results": True}
        )
        for read, row in enumerate(rows, start=1):
            event = store.row_to_event(row)
            if state is not None and state.case != event.stream:
                flush(state)
                state = None
            state = fold(state, event)
            if progress and read % 100_000 == 0:
                progress(read)
        flush(state)
    offset = lambda region, local: reference.utc_offset(name, region, local)  # noqa: E731
    return _report(found, spec, as_of, ref, threshold if threshold is not None else min_count(name), offset=offset)


def _naive_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def _report(found, spec: ReportSpec, as_of: datetime, ref: dict, threshold: int, *, offset=None) -> Report:
    cells = compute(found, spec.years, _naive_utc(as_of), ref, threshold, offset=offset)
    return _present(cells, spec, as_of, ref, threshold)


def _present(cells, spec: ReportSpec, as_of: datetime, ref: dict, threshold: int) -> Report:
    """The report of `spec` from the cells of its years."""
    defs = indicator_definitions(ref["indicators"])
    regions = Regions(ref["regions"])
    national = defs.national
    indicators, shown, chosen = select_cells(cells, spec, defs.sections(), regions.codes, national)
    codes = dict(ref["indicators"].get("findings") or {})
    definitions = {i: _definition(i, ref["indicators"]["indicators"][i], codes) for i in indicators}
    for definition in definitions.values():  # where a rate's population comes from, figure by figure
        if any(m["kind"] == "population" for m in definition["measures"]):
            definition["population_sources"] = dict((ref.get("population") or {}).get("sources") or {})
    country = str((ref["indicators"].get("national") or {}).get("name", national))
    names = {r: regions.names.get(r, {national: country, "unknown": "region not recorded"}.get(r, r)) for r in shown}
    notes = dict(ref["indicators"].get("notes") or {})
    return Report(spec, tuple(chosen), threshold, as_of, definitions, names, notes, national)


def _definition(ident: str, raw: dict, codes: dict) -> dict:
    """What an indicator counts, from which events and findings (by code), after which standard."""
    keep = ("title", "counts", "events", "standard", "unit")
    out = {k: raw[k] for k in keep if k in raw}
    if raw.get("findings"):
        out["findings"] = [codes.get(f, f) for f in raw["findings"]]
    out["measures"] = [
        {"key": m["key"], "label": m.get("label", m["key"]), "kind": m.get("kind", "count")}
        for m in raw.get("measures", [])
    ]
    return out
