"""Reads. Every read of a person's data goes through here and is itself logged."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, func, literal, or_, select
from sqlalchemy import case as case_

from habeas.db.engine import writer
from habeas.db.schema import cases, deadlines, reads
from habeas.domain.case import fold_all
from habeas.domain.events import Actor, Event
from habeas.law.package import Law
from habeas.law.rules import judge
from habeas.law.stages import stage_of
from habeas.ledger import store
from habeas.projections.base import naive_utc


class UnknownCase(LookupError):
    pass


def event_view(event: Event) -> dict:
    """An event as shown in a case file: the import format plus where the log put it."""
    out = event.to_import_dict()
    out["position"] = event.position
    out["recorded_at"] = event.recorded_at.isoformat() if event.recorded_at else None
    if event.registrar is not None:
        out["registrar"] = event.registrar.to_dict()
    return out


def log_read(conn, reader: Actor, case: str, what: str, purpose: str | None, when: datetime, person=None):
    conn.execute(
        reads.insert().values(
            read_at=naive_utc(when),
            actor_id=reader.id,
            actor_role=reader.role,
            actor_agency=reader.agency,
            case=case,
            person=person,
            what=what,
            purpose=purpose,
        )
    )


def case_file(
    engine: Engine, law: Law, case: str, reader: Actor, purpose: str | None, at: datetime, now: datetime
) -> dict:
    """The case file as of `at`: parties, timeline (corrections shown), findings. Logged."""
    with writer(engine).begin() as conn:
        events = store.stream_events(conn, case)
        if not events:
            raise UnknownCase(case)
        log_read(conn, reader, case, "case_file", purpose, now)
    state = fold_all(events)
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
    return {
        "case": case,
        "at": at.isoformat(),
        "summary": {**state.summary(), "stage": stage_of(law, state)},
        "parties": [p.to_dict() for p in state.parties.values()],
        "events": timeline,
        "findings": [f.to_dict(at) for f in judge(state, law, at)],
    }


def alerts(
    engine: Engine,
    at: datetime,
    code: str | None = None,
    case: str | None = None,
    limit: int | None = None,
) -> list[dict]:
    """Open and breached findings as of `at`: breached first, each group by due time (UTC).

    A walk of the deadlines projection in urgency order (`urgent_at`, indexed), keeping the
    rows started and not yet settled by `at`: the board's first page stops after `limit`.
    """
    where, status = _alert_filter(at, code, case)
    d = deadlines.c
    query = select(d.case, d.finding, status).where(*where).order_by(d.urgent_at, d.id)
    if limit:
        query = query.limit(limit)
    found = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            finding = json.loads(row.finding)
            finding["case"] = row.case
            finding["status"] = row.status
            found.append(finding)
    return found


def count_alerts(engine: Engine, at: datetime, code: str | None = None, case: str | None = None) -> int:
    where, _ = _alert_filter(at, code, case)
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(deadlines).where(*where)).scalar_one()


def _alert_filter(at: datetime, code: str | None, case: str | None):
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
    if code:
        where.append(d.code == code)
    if case:
        where.append(d.case == case)
    breached = or_(d.kind == "violation", d.due_at < moment)
    status = case_((breached, literal("breached")), else_=literal("open")).label("status")
    return where, status


def who_read(engine: Engine, case: str, person: str | None = None) -> list[dict]:
    query = select(reads).where(reads.c.case == case)
    if person:
        query = query.where(or_(reads.c.person == person, reads.c.person.is_(None)))
    with engine.connect() as conn:
        return [
            {
                "read_at": row.read_at.isoformat() + "Z",
                "actor": {"id": row.actor_id, "role": row.actor_role, "agency": row.actor_agency},
                "case": row.case,
                "person": row.person,
                "what": row.what,
                "purpose": row.purpose,
            }
            for row in conn.execute(query.order_by(reads.c.id))
        ]


def case_list(engine: Engine, region: str | None = None, stage: str | None = None, limit: int = 100) -> list[dict]:
    """The case list from its projection (no personal data: ids, stages, articles)."""
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


def count_cases(engine: Engine) -> int:
    """How many cases the register holds (from the case list projection)."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(cases)).scalar_one()
