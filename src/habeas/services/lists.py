"""Lists are reads too: the alert board and the case list, as a reader may see them.

Each shows only the cases the policy lets its reader read (`case:read` on each), and each
case shown leaves a read record naming the persons whose data its rows show (issue 23):
an alert names its person, an alert about the case as a whole and a row of the case list
the case's parties. `alert_rows` and `case_list` are the projections' rows, unguarded: no
driver calls them (tests/access/test_read_log.py).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, func, literal, or_, select
from sqlalchemy import case as case_

from habeas.access import policy as access_policy
from habeas.access.facts import Principal
from habeas.db.engine import writer
from habeas.db.schema import cases, deadlines, events
from habeas.law.package import Law
from habeas.ledger import reads as reads_log
from habeas.ledger.chain import canonical_json
from habeas.projections.base import naive_utc
from habeas.services import guard
from habeas.services.file_parts import section_findings, seen_by


class Alerts(list):
    """The alerts a reader was shown, and where the next page starts among all alerts
    (`next_offset`; None when there are no more)."""

    next_offset: int | None = None


# A reader who may not read every case is shown their cases among all alerts: how many alerts
# one request looks through for them, at most, and how many at a time.
SCAN_AT_MOST = 20_000


SCAN_CHUNK = 500
DECIDE_AHEAD = 50  # cases of a list decided with one read of their events


def alerts(
    engine: Engine,
    at: datetime,
    code: str | Collection[str] | None = None,
    case: str | None = None,
    limit: int | None = None,
    *,
    reader: Principal,
    law: Law,
    now: datetime,
    purpose: str | None = "alerts",
    region: str | None = None,
    offset: int = 0,
    listing: Engine | None = None,
    decided: dict | None = None,
) -> Alerts:
    """The alerts `reader` may read (`case:read` on each case listed), the most urgent first,
    from `offset` among all alerts: they name persons, so each case listed leaves a read
    record (what: `alerts`). A reader who may read every case sees the board as `alert_rows`
    gives it; anyone else sees the first `limit` rows of their cases, looked for among the
    alerts in urgency order (up to SCAN_AT_MOST of them per request; `next_offset` goes on).
    The rows may be listed from a replica (`listing`); each case shown is decided, and its
    read recorded, on the primary (`engine`). `decided`: the decisions of this reader's
    earlier lists in the same request (a home page's panels), kept and added to."""
    everywhere = guard.decide(law, reader, "case:read")
    shown = Alerts()
    with writer(engine).begin() as conn:
        decisions: dict[str, object] = {} if decided is None else decided
        position, looked = offset, 0
        while True:
            size = limit if everywhere.allowed else SCAN_CHUNK
            rows = alert_rows(listing or engine, at, code, case, size, region=region, offset=position)
            kinds: dict[str, str] | None = None
            for n, row in enumerate(rows):
                position += 1
                ahead = rows[n + 1 : n + DECIDE_AHEAD]
                if _allowed(conn, law, reader, everywhere, decisions, row["case"], ahead):
                    section = decisions[row["case"]].section
                    if section is not None:  # the alerts that concern the reader's section, as the file shows them
                        if kinds is None:
                            kinds = _kinds_of(conn, [e for r in rows for e in r.get("evidence") or ()])
                        row = _as_section_shows(law, row, section, kinds)
                        if row is None:
                            continue
                    shown.append(row)
                    if limit and len(shown) == limit:
                        break
            looked += len(rows)
            full = bool(limit) and len(shown) == limit
            if full or not size or len(rows) < size or looked >= SCAN_AT_MOST:
                shown.next_offset = position if (full or looked >= SCAN_AT_MOST) and rows else None
                break
        named = _alert_persons(conn, shown, lambda name, parties: seen_by(reader, decisions[name], parties))
        reads_log.append(
            conn,
            [guard.entry(reader, decisions[name], now, "alerts", purpose, name, persons=named[name]) for name in named],
        )
    return shown


def _allowed(conn, law: Law, reader: Principal, everywhere, decisions: dict, name: str, ahead: list[dict]) -> bool:
    """Whether `reader` may read case `name`; undecided, it is decided with the cases `ahead`."""
    if name not in decisions:
        if everywhere.allowed:
            decisions[name] = everywhere
        else:
            _decide_ahead(conn, law, reader, [name, *(r["case"] for r in ahead)], decisions)
    return decisions[name].allowed


def _as_section_shows(law: Law, row: dict, section: str, kinds: dict[str, str]) -> dict | None:
    """The alert as a reader of `section` is shown it (its evidence outside the section
    withheld), or None when it concerns no event of the section."""
    sectioned = access_policy.of(law).section_kinds(section)
    seen = {e for e in row.get("evidence") or () if kinds.get(e) in sectioned}
    found = section_findings([row], seen)
    return found[0] if found else None


def _decide_ahead(conn, law: Law, reader: Principal, names: list[str], decisions: dict) -> None:
    """Decide `case:read` on the next cases of a list not decided yet, their events read in
    one query (a query per case was most of a prosecutor's home page: `bench/home.py`)."""
    fresh = [name for name in dict.fromkeys(names) if name not in decisions]
    for name, found in guard.facts_of_cases(conn, fresh).items():
        decisions[name] = guard.decide(law, reader, "case:read", found)


def _alert_persons(conn, shown: list[dict], seen) -> dict[str, set[str]]:
    """Whose data the alerts shown name, by case, in the order shown: an alert names its
    person; one about the case as a whole (no person) is a row of the case, as a list shows
    it, and names the case's parties (`seen`: those of them its reader was shown)."""
    named: dict[str, set[str]] = {}
    whole: list[str] = []
    for row in shown:
        persons = named.setdefault(row["case"], set())
        if row.get("person"):
            persons.add(row["person"])
        else:
            whole.append(row["case"])
    for name, parties in parties_of(conn, whole).items():
        named[name] |= seen(name, parties)
    return named


def parties_of(conn, names: list[str]) -> dict[str, set[str]]:
    """Each case's parties as the case list projection holds them (its summary), read on the
    primary in one query per 500 cases: whose data a row of the case shows."""
    found: dict[str, set[str]] = {name: set() for name in names}
    unique = list(found)
    for start in range(0, len(unique), 500):
        query = select(cases.c.case, cases.c.summary).where(cases.c.case.in_(unique[start : start + 500]))
        for row in conn.execute(query):
            parties = json.loads(row.summary).get("parties") or []
            found[row.case] = {p["person"] for p in parties if p.get("person")}
    return found


def _kinds_of(conn, ids: list[str]) -> dict[str, str]:
    """The kind of each stored event named (the evidence of a page of alerts), in one query."""
    found: dict[str, str] = {}
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):
        query = select(events.c.event_id, events.c.kind).where(events.c.event_id.in_(unique[start : start + 500]))
        found.update({row.event_id: row.kind for row in conn.execute(query)})
    return found


def alert_rows(
    engine: Engine,
    at: datetime,
    code: str | Collection[str] | None = None,
    case: str | None = None,
    limit: int | None = None,
    *,
    region: str | None = None,
    offset: int = 0,
) -> list[dict]:
    """Open and breached findings as of `at`: breached first, each group by due time (UTC).
    The projection's rows, unguarded: only `alerts` hands them to a reader.

    A walk of the deadlines projection in urgency order (`urgent_at`, indexed), keeping the
    rows started and not yet settled by `at`: the board's first page stops after `limit`.
    """
    where, status = _alert_filter(at, code, case, region)
    d = deadlines.c
    query = select(d.case, d.finding, status).where(*where).order_by(d.urgent_at, d.id)
    if limit:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    found = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            finding = json.loads(row.finding)
            finding["case"] = row.case
            finding["status"] = row.status
            found.append(finding)
    return found


def count_alerts(
    engine: Engine, at: datetime, code: str | None = None, case: str | None = None, region: str | None = None
) -> int:
    where, _ = _alert_filter(at, code, case, region)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(deadlines).where(*where)).scalar_one()


def _alert_filter(at: datetime, code: str | Collection[str] | None, case: str | None, region: str | None = None):
    """Alerts at `at` and their status there (Finding.status_at over the projected columns).

    A finding is an alert once started and until settled (met on time). Of the alerts, a
    violation is breached, and a deadline is breached once its due time has passed (unmet,
    or met late); otherwise it is open.
    """
    moment = naive_utc(at)
    d = deadlines.c
    where = [
        or_(d.started_at.is_(None), d.started_at <= moment),
        or_(d.settled_at.is_(None), d.settled_at > moment),
    ]
    if code:  # one rule's code, or several (a home page's work: the rules its acts meet)
        where.append(d.code == code if isinstance(code, str) else d.code.in_(sorted(code)))
    if case:
        where.append(d.case == case)
    if region:
        where.append(d.case.in_(select(cases.c.case).where(cases.c.region == region)))
    breached = or_(d.kind == "violation", d.due_at < moment)
    status = case_((breached, literal("breached")), else_=literal("open")).label("status")
    return where, status


def case_list(
    engine: Engine,
    region: str | None = None,
    stage: str | None = None,
    limit: int = 100,
    *,
    agency: str | None = None,
    code: str | None = None,
    after: str | None = None,
) -> list[dict]:
    """The case list from its projection (no personal data: ids, stages, articles), in case
    order: only `region`, `stage`, the cases `agency` brought, the cases with a finding
    `code` (open, breached or met late); from the case after `after` (a page's last)."""
    query = select(
        cases.c.case,
        cases.c.stage,
        cases.c.region,
        cases.c.article,
        cases.c.part,
        cases.c.version,
        cases.c.registered_at,
    )
    if region:
        query = query.where(cases.c.region == region)
    if stage:
        query = query.where(cases.c.stage == stage)
    if after:
        query = query.where(cases.c.case > after)
    if code:
        query = query.where(
            select(deadlines.c.id).where(deadlines.c.case == cases.c.case, deadlines.c.code == code).exists()
        )
    if agency:
        # the agency that opened the case: its first event's actor (canonical JSON, sorted keys)
        quoted = canonical_json({"agency": agency})[1:-1]  # "agency":"…" as the log stores it
        opened = events.c.actor.like(f"%{_like_literal(quoted)}%", escape="!")
        query = query.where(
            select(events.c.position).where(events.c.stream == cases.c.case, events.c.version == 1, opened).exists()
        )
    with engine.connect() as conn:
        return [
            {
                "case": r.case,
                "stage": r.stage,
                "region": r.region,
                "article": r.article,
                "part": r.part,
                "events": r.version,
                "registered_at": r.registered_at.isoformat() + "Z" if r.registered_at else None,
            }
            for r in conn.execute(query.order_by(cases.c.case).limit(limit))
        ]


class CaseList(list):
    """The cases a reader was shown, and the case after which the next page starts (None:
    no more)."""

    next_after: str | None = None


def listed_cases(
    engine: Engine,
    law: Law,
    reader: Principal,
    now: datetime,
    region: str | None = None,
    stage: str | None = None,
    limit: int = 100,
    *,
    agency: str | None = None,
    code: str | None = None,
    after: str | None = None,
    listing: Engine | None = None,
) -> CaseList:
    """The case list as `reader` may see it: only the cases the policy lets them read
    (`case:read` on each), filters included, so a list never tells of a case its reader
    could not open (which exist, where, for what, with which findings). A list names cases:
    each case shown leaves a read record (what: `case_list`), in one transaction, as the
    alerts do. A reader who may read every case gets the projection's page as it is; anyone
    else their cases among the list in case order, looked for among at most SCAN_AT_MOST
    cases per request (`next_after` goes on from the last one looked at). The rows may be
    listed from a replica (`listing`); each case shown is decided, and its read recorded, on
    the primary (`engine`)."""
    everywhere = guard.decide(law, reader, "case:read")
    found = CaseList()
    with guard.writing(engine) as conn:
        decisions: dict[str, object] = {}
        position, looked, more = after, 0, False
        while looked < SCAN_AT_MOST:
            size = limit + 1 - len(found) if everywhere.allowed else SCAN_CHUNK
            rows = case_list(listing or engine, region, stage, size, agency=agency, code=code, after=position)
            ahead: dict[str, object] = {}
            for n, row in enumerate(rows):
                if not everywhere.allowed and row["case"] not in ahead:
                    _decide_ahead(conn, law, reader, [r["case"] for r in rows[n : n + DECIDE_AHEAD]], ahead)
                decision = everywhere if everywhere.allowed else ahead[row["case"]]
                if decision.allowed and len(found) == limit:
                    more = True  # one more the reader may see: the page ends before it
                    break
                position = row["case"]
                if decision.allowed:
                    decisions[row["case"]] = decision
                    found.append(row)
            looked += len(rows)
            if more or len(rows) < size:
                break
        if more or (looked >= SCAN_AT_MOST and position != after):
            found.next_after = position
        _record_list_reads(conn, reader, now, found, decisions)
    return found


def _record_list_reads(conn, reader: Principal, now: datetime, found: CaseList, decisions: dict) -> None:
    """A read record for each case listed, naming the persons its reader was shown."""
    parties = parties_of(conn, [r["case"] for r in found])
    reads_log.append(
        conn,
        [
            guard.entry(
                reader,
                decisions[r["case"]],
                now,
                "case_list",
                "case list",
                r["case"],
                persons=seen_by(reader, decisions[r["case"]], parties[r["case"]]),
            )
            for r in found
        ],
    )


def _like_literal(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def count_cases(engine: Engine) -> int:
    """How many cases the register holds (from the case list projection)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()
