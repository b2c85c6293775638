"""Reads. Every read of a person's data goes through here: through the access policy
(`guard`), and into the read log, allowed or refused, in the read's own transaction."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Engine, and_, func, literal, or_, select
from sqlalchemy import case as case_

from habeas.access import policy as access_policy
from habeas.access.facts import Principal
from habeas.db.engine import writer
from habeas.db.schema import cases, deadlines, events, reads
from habeas.domain.case import CaseState, fold_all
from habeas.domain.events import IDENTIFIER, Event
from habeas.law.episodes import measures
from habeas.law.findings import Finding
from habeas.law.package import Law
from habeas.law.rules import judge, outstanding
from habeas.law.rules.qualified import case_offence
from habeas.law.stages import stage_of
from habeas.ledger import reads as reads_log
from habeas.ledger import store
from habeas.ledger.chain import canonical_json
from habeas.projections import deadlines as deadlines_projection
from habeas.projections.base import naive_utc
from habeas.services import guard


class UnknownCase(LookupError):
    pass


class NotACaseId(guard.Refused):
    """Not a case number at all (an identifier's shape: `domain.events.IDENTIFIER`): refused
    before the database, the same on both stores, and nothing was read to record."""


def _a_case_id(case: str | None) -> None:
    if case is not None and not IDENTIFIER.match(case):
        shown = case[:40] + ("…" if len(case) > 40 else "")
        raise NotACaseId(f"refused: {shown!r} is not a case number (letters, digits, . _ : / @ + -; at most 128)")


def event_view(event: Event) -> dict:
    """An event as shown in a case file: the import format plus where the log put it."""
    out = event.to_import_dict()
    out["position"] = event.position
    out["recorded_at"] = event.recorded_at.isoformat() if event.recorded_at else None
    if event.registrar is not None:
        out["registrar"] = event.registrar.to_dict()
    return out


def case_file(
    engine: Engine, law: Law, case: str, reader: Principal, purpose: str | None, at: datetime, now: datetime
) -> dict:
    """The case file as of `at`: parties, timeline (corrections shown), findings.

    Only through the policy (`case:read`), with a purpose; the read, or the refused
    attempt, is appended to the read log in the same transaction. A reader whose grant is
    a section of the file (the ombudsman's detention and complaint data) gets that section.
    The law judges the whole file, whoever reads it: a section's reader is shown the
    findings that concern an event of the section, each with the status the whole file
    gives it (`_section_findings`: the evidence outside the section is withheld, never the
    verdict), and the case's stage as the whole file has it.
    Raises `guard.Refused` naming the missing right, `UnknownCase` only to a reader who may
    read every case (to anyone else, a case that does not exist is refused like another's)."""
    _a_case_id(case)
    judged = None
    with guard.writing(engine) as conn:
        events = store.stream_events(conn, case)
        decision = guard.decide(law, reader, "case:read", guard.facts(conn, case, events))
        if decision.allowed and not events:
            raise UnknownCase(case)
        if decision.allowed and not (purpose or "").strip():
            decision = guard.no_purpose("case:read")
        what = "case_file" if decision.section is None else f"case_file:{decision.section}"
        guard.record(conn, reader, decision, now, what, purpose, case)
        if decision.allowed:
            whole = state = fold_all(events)
            judged = _judged(conn, law, state, events[-1].position, at)
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    findings = [f.to_dict(at) for f in (judge(whole, law, at) if judged is None else outstanding(judged, at))]
    if decision.section is not None:
        events = _section(law, events, decision.section)
        state = fold_all(events)
        findings = _section_findings(findings, {e.id for e in events})
    own = reader.person[1] if decision.scope == "own" and reader.person is not None else None
    if own is not None:  # a party reads their own part of the file, not another party's data
        events = _own_part(state, events, own)
        state = fold_all(events)
        findings = _section_findings([f for f in findings if f.get("person") in (None, own)], {e.id for e in events})
    corrected = {e.id: e for e in state.timeline}
    timeline = []
    for ev in events:
        view = event_view(ev)
        effective = corrected.get(ev.id)
        if effective is not None and effective.corrections:
            view["corrected_by"] = list(effective.corrections)
            view["as_corrected"] = {
                "occurred_at": effective.occurred_at.isoformat(),
                "data": dict(effective.data),
            }
        timeline.append(view)
    file = {
        "case": case,
        "at": at.isoformat(),
        "summary": {
            **state.summary(),
            "measures": measures(law, state.timeline),
            "stage": stage_of(law, whole),
            "offence": case_offence(law, whole, at),
        },
        "parties": [p.to_dict() for p in state.parties.values()],
        "events": timeline,
        "findings": findings,
    }
    if decision.section is not None:
        file["section"] = decision.section
    return file


def _judged(conn, law: Law, state: CaseState, last: int, at: datetime) -> list[Finding] | None:
    """The case's findings as the deadlines projection holds them, when they are what judging
    the case as of `at` gives: every fact had occurred by `at` (the projection judged them
    all), and the projection has read the case's last event under this law. Else None:
    judge the case."""
    if any(ev.occurred_at > at for ev in state.timeline if ev.kind != "record.corrected"):
        return None
    return deadlines_projection.stored(conn, state.case, last, law)


def _section_findings(findings: list[dict], shown: set[str]) -> list[dict]:
    """The findings of the whole file that concern the events `shown` (one of its evidence
    is among them), each with its status unchanged: the evidence not shown is withheld
    (`evidence_withheld` counts it), so a section's reader never sees a duty breached that
    the whole file shows met, nor the facts outside the section that met it."""
    kept = []
    for finding in findings:
        evidence = finding.get("evidence") or []
        visible = [e for e in evidence if e in shown]
        if evidence and not visible:
            continue
        if len(visible) < len(evidence):
            finding = {**finding, "evidence": visible, "evidence_withheld": len(evidence) - len(visible)}
        kept.append(finding)
    return kept


def _own_part(state: CaseState, events: list[Event], own: str) -> list[Event]:
    """The events a party of the case sees: those that name no person or name them (as
    corrected), and the corrections of those; another party's detention, questioning or
    medical examination is that party's data (issue 23: a witness saw the suspect's notes)."""
    timeline = {e.id: e for e in state.timeline}
    shown = {
        e.id for e in events if e.kind != "record.corrected" and timeline.get(e.id, e).data.get("person") in (None, own)
    }
    return [e for e in events if e.id in shown or (e.kind == "record.corrected" and e.data.get("event") in shown)]


def _section(law: Law, events: list[Event], section: str) -> list[Event]:
    """The events of one section of the file, and the corrections of those events."""
    kinds = access_policy.of(law).section_kinds(section)
    shown = {e.id for e in events if e.kind in kinds}
    return [e for e in events if e.id in shown or (e.kind == "record.corrected" and e.data.get("event") in shown)]


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

        def allowed(name: str, ahead: list[dict]) -> bool:
            if name not in decisions:
                if everywhere.allowed:
                    decisions[name] = everywhere
                else:
                    _decide_ahead(conn, law, reader, [name, *(r["case"] for r in ahead)], decisions)
            return decisions[name].allowed

        position, looked = offset, 0
        while True:
            size = limit if everywhere.allowed else SCAN_CHUNK
            rows = alert_rows(listing or engine, at, code, case, size, region=region, offset=position)
            kinds: dict[str, str] | None = None
            for n, row in enumerate(rows):
                position += 1
                if allowed(row["case"], rows[n + 1 : n + DECIDE_AHEAD]):
                    section = decisions[row["case"]].section
                    if section is not None:  # the alerts that concern the reader's section, as the file shows them
                        if kinds is None:
                            kinds = _kinds_of(conn, [e for r in rows for e in r.get("evidence") or ()])
                        sectioned = access_policy.of(law).section_kinds(section)
                        seen = {e for e in row.get("evidence") or () if kinds.get(e) in sectioned}
                        found = _section_findings([row], seen)
                        if not found:
                            continue
                        row = found[0]
                    shown.append(row)
                    if limit and len(shown) == limit:
                        break
            looked += len(rows)
            full = bool(limit) and len(shown) == limit
            if full or not size or len(rows) < size or looked >= SCAN_AT_MOST:
                shown.next_offset = position if (full or looked >= SCAN_AT_MOST) and rows else None
                break
        reads_log.append(
            conn,
            [
                guard.entry(reader, decisions[name], now, "alerts", purpose, name)
                for name in dict.fromkeys(r["case"] for r in shown)
            ],
        )
    return shown


def _decide_ahead(conn, law: Law, reader: Principal, names: list[str], decisions: dict) -> None:
    """Decide `case:read` on the next cases of a list not decided yet, their events read in
    one query (a query per case was most of a prosecutor's home page: `bench/home.py`)."""
    fresh = [name for name in dict.fromkeys(names) if name not in decisions]
    for name, found in guard.facts_of_cases(conn, fresh).items():
        decisions[name] = guard.decide(law, reader, "case:read", found)


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


def who_read(
    engine: Engine,
    law: Law,
    reader: Principal,
    now: datetime,
    case: str | None = None,
    person: str | None = None,
    *,
    unassigned: bool = False,
    since: datetime | None = None,
) -> list[dict]:
    """Who read a case (or a person's data in it), when and why: `reads:read` on the case.
    With `unassigned`, across cases for a monitor (`reads:read` everywhere): the reads by
    officials with no assignment behind them, since `since`. Reading the read log is itself
    a read, recorded after the answer is taken (so it is not part of it)."""
    what = "reads:unassigned" if unassigned else "reads"
    _a_case_id(case)
    _a_case_id(person)  # a person's id has the same shape
    with writer(engine).begin() as conn:
        decision = guard.decide(law, reader, "reads:read", None if unassigned else guard.facts(conn, case))
        found = []
        if decision.allowed:
            query = select(reads)
            if unassigned:
                query = query.where(
                    reads.c.allowed.is_(True),
                    reads.c.assigned.is_(False),
                    reads.c.case.is_not(None),
                    reads.c.actor_role.not_in(UNASSIGNED_EXEMPT),
                )
                if since is not None:
                    query = query.where(reads.c.read_at >= naive_utc(since))
            else:
                whole_log = and_(reads.c.case.is_(None), reads.c.what.like("export%"))
                query = query.where(or_(reads.c.case == case, whole_log))
                if person:
                    query = query.where(or_(reads.c.person == person, reads.c.person.is_(None)))
            found = [_read_view(row) for row in conn.execute(query.order_by(reads.c.id))]
        guard.record(conn, reader, decision, now, what, None, case, person)
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    return found


# Roles whose reads need no assignment: a person reads their own case, and the operator and
# the monitors read everywhere by their office (the monitors' reads still show in `reads`).
UNASSIGNED_EXEMPT = ("person",)


def _read_view(row) -> dict:
    return {
        "position": row.id,
        "read_at": row.read_at.isoformat() + "Z",
        "actor": {"id": row.actor_id, "role": row.actor_role, "agency": row.actor_agency},
        "case": row.case,
        "person": row.person,
        "what": row.what,
        "purpose": row.purpose,
        "action": row.action,
        "allowed": bool(row.allowed),
        "assigned": bool(row.assigned),
        "reason": row.reason,
    }


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
        reads_log.append(
            conn, [guard.entry(reader, decisions[r["case"]], now, "case_list", "case list", r["case"]) for r in found]
        )
    return found


def _like_literal(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def count_cases(engine: Engine) -> int:
    """How many cases the register holds (from the case list projection)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()


def case_region(engine: Engine, case: str | None) -> str | None:
    """The region a case was registered in (the case list projection), or None: which local
    time a form about it is typed in. Not a read of a person's data, so not logged."""
    if not case:
        return None
    with engine.connect() as conn:
        return conn.execute(select(cases.c.region).where(cases.c.case == case)).scalar_one_or_none()
