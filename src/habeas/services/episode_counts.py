"""What a statistics release reads from the episodes projection (`stat_episodes`): the
episodes a declared count only counts, counted by the database (grouped by everything a
count may test), the stock of people held at each region's local end of the stock day, and
the episodes measured one by one (custody lengths) or linked (complaints to their cases)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, and_, case, func, or_, select

from habeas.db.schema import stat_episodes
from habeas.jurisdictions import reference
from habeas.statistics.counting import Stock
from habeas.statistics.episodes import COLUMNS, Episode
from habeas.statistics.indicators import Definitions, Group, Regions

# Episode kinds read one by one (lengths, links); the database counts every other kind a
# declared count reads (`indicators.yaml`), grouped by everything a count may test.
SINGLE = ("complaint", "custody")


def read(engine: Engine, years: Sequence[int], moment: datetime, ref: dict, name: str) -> tuple[list, list]:
    """The episodes a release of these years needs (`moment`: its time, naive UTC; `ref`: the
    package's reference data): grouped where counted, one by one where measured."""
    defs = Definitions.parse(ref["indicators"])
    e = stat_episodes.c
    years = list(years)
    # The many episodes that are only counted: counted by the database, a row per kind of row.
    past = case((or_(e.late.is_(True), and_(e.due_at.is_not(None), e.due_at < moment)), True), else_=False)
    ended = case((e.ended_at.is_(None), False), else_=True)
    accused = case((e.episode == "case", e.person), else_=None)  # a case episode's person: the accused's agency
    keys = [
        e.episode,
        e.year,
        e.region,
        e.outcome,
        e.detail,
        e.flag,
        e.flag2,
        e.flag3,
        e.late,
        past,
        ended,
        e.iccs,
        e.article,
        accused,
        e.end_year,
    ]
    counted = sorted({k for c in defs.counts for k in c.episodes} - {"stock", *SINGLE})
    either = or_(e.year.in_(years), e.end_year.in_(years))
    grouped = select(*keys, func.count()).where(e.episode.in_(counted), either).group_by(*keys)
    stocks = _stock_queries(defs, years, ref, name)
    # Those measured one by one (custody lengths and limits) or linked (complaints to their cases).
    complaints = select(e.link).where(e.episode == "complaint", e.link.is_not(None), e.year.in_(years))
    single = select(*[e[c] for c in COLUMNS]).where(
        or_(
            and_(e.episode == "complaint", e.year.in_(years)),
            and_(e.episode == "custody", or_(e.year.in_(years), e.end_year.in_(years))),
        )
    )
    linked = select(*[e[c] for c in COLUMNS]).where(e.episode == "case", e.link.in_(complaints))
    with engine.connect() as conn:
        found: list = [Group(*row[:-3], person=row[-3], end_year=row[-2], n=row[-1]) for row in conn.execute(grouped)]
        for year, query, counted in stocks:
            found += [
                Stock(year, region, bool(sentenced), n)
                for region, sentenced, n in conn.execute(query)
                if counted(region)
            ]
        found += [Episode(*row) for row in conn.execute(single)]
        links = [Episode(*row) for row in conn.execute(linked)]
    return found, links


def _stock_queries(defs: Definitions, years: Sequence[int], ref: dict, name: str) -> list:
    """(year, query, whether a recorded region is counted by it): the people held at the end of
    each stock day, counted by the database, one query per moment the day ends in some region
    (its local time: `reference.utc_offset`), each counting the regions whose day ends then."""
    e = stat_episodes.c
    stock = defs.stock()
    ends = defs.day_ends(lambda region, local: reference.utc_offset(name, region, local))
    with_codes = [*Regions(ref["regions"]).all, None]
    out = []
    for year in years:
        moments = {ends(year, r) for r in with_codes}
        for end in sorted(moments):
            sentenced = case(
                (e.episode.in_(list(stock.get("sentenced") or [])), True),
                (and_(e.sentenced_at.is_not(None), e.sentenced_at < end), True),
                else_=False,
            )
            held = and_(
                e.episode.in_(list(stock.get("episodes") or [])),
                e.started_at < end,
                or_(e.held_until.is_(None), e.held_until >= end),
            )
            query = select(e.region, sentenced, func.count()).where(held).group_by(e.region, sentenced)
            out.append((year, query, lambda region, year=year, end=end: ends(year, region) == end))
    return out
