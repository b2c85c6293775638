"""Reads. Every read of a person's data goes through here: through the access policy
(`guard`), and into the read log, allowed or refused, in the read's own transaction. Each
record names the persons whose data the read showed (issue 23). The case file and who read
it are here; the lists (the alert board, the case list) in `services.lists`, re-exported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, and_, or_, select

from habeas.access.facts import Principal
from habeas.db.engine import writer
from habeas.db.schema import cases, reads
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
from habeas.projections import deadlines as deadlines_projection
from habeas.projections.base import naive_utc
from habeas.services import guard
from habeas.services.file_parts import part_shown, persons_shown, section_findings, seen_by
from habeas.services.lists import (
    SCAN_AT_MOST,
    SCAN_CHUNK,
    Alerts,
    CaseList,
    alert_rows,
    alerts,
    case_list,
    count_alerts,
    count_cases,
    listed_cases,
    parties_of,
)

__all__ = [
    "SCAN_AT_MOST",
    "SCAN_CHUNK",
    "Alerts",
    "CaseList",
    "NotACaseId",
    "UnknownCase",
    "alert_rows",
    "alerts",
    "case_file",
    "case_list",
    "case_region",
    "count_alerts",
    "count_cases",
    "event_view",
    "listed_cases",
    "who_read",
]


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
    gives it (`section_findings`: the evidence outside the section is withheld, never the
    verdict), and the case's stage as the whole file has it.
    Raises `guard.Refused` naming the missing right, `UnknownCase` only to a reader who may
    read every case (to anyone else, a case that does not exist is refused like another's)."""
    _a_case_id(case)
    judged = persons = None
    with guard.writing(engine) as conn:
        events = store.stream_events(conn, case)
        decision = guard.decide(law, reader, "case:read", guard.facts(conn, case, events))
        if decision.allowed and not events:
            raise UnknownCase(case)
        if decision.allowed and not (purpose or "").strip():
            decision = guard.no_purpose("case:read")
        if decision.allowed:
            whole = fold_all(events)
            judged = _judged(conn, law, whole, events[-1].position, at)
            own = reader.person[1] if decision.scope == "own" and reader.person is not None else None
            events, state = part_shown(law, whole, events, decision.section, own)
            persons = persons_shown(state)
        what = "case_file" if decision.section is None else f"case_file:{decision.section}"
        guard.record(conn, reader, decision, now, what, purpose, case, persons=persons)
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    findings = [f.to_dict(at) for f in (judge(whole, law, at) if judged is None else outstanding(judged, at))]
    if decision.section is not None or own is not None:
        findings = section_findings(findings, {e.id for e in events})
    if own is not None:
        findings = [f for f in findings if f.get("person") in (None, own)]
    timeline = _timeline(events, state)
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


def _timeline(events, state) -> list[dict]:
    """The events shown, each with what corrected it and how it reads corrected."""
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
    return timeline


def _judged(conn, law: Law, state: CaseState, last: int, at: datetime) -> list[Finding] | None:
    """The case's findings as the deadlines projection holds them, when they are what judging
    the case as of `at` gives: every fact had occurred by `at` (the projection judged them
    all), and the projection has read the case's last event under this law. Else None:
    judge the case."""
    if any(ev.occurred_at > at for ev in state.timeline if ev.kind != "record.corrected"):
        return None
    return deadlines_projection.stored(conn, state.case, last, law)


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
                of_case = reads.c.case == case
                if person:
                    of_case = and_(of_case, _showed(person))
                query = query.where(or_(of_case, whole_log))
            found = [_read_view(row) for row in conn.execute(query.order_by(reads.c.id))]
        named = None
        if not unassigned:  # the reads shown name these persons of the case (and their readers)
            named = {person} if person else {p for r in found if r["case"] == case for p in _named(r)}
        guard.record(conn, reader, decision, now, what, None, case, person, persons=named)
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    return found


# Roles whose reads need no assignment: a person reads their own case, and the operator and
# the monitors read everywhere by their office (the monitors' reads still show in `reads`).
UNASSIGNED_EXEMPT = ("person",)


def _showed(person: str):
    """The read records that showed `person`'s data: those that name them, those that asked
    about them, and those that stand for the case as a whole (naming no one: a refused
    attempt, a record from before records named persons). Not those that showed only others."""
    whole_case = and_(reads.c.persons.is_(None), reads.c.person.is_(None))
    return or_(reads_log.names(person), reads.c.person == person, whole_case)


def _named(record: dict) -> set[str]:
    return set(record["persons"] or ()) | ({record["person"]} if record["person"] else set())


def _listed(persons):
    """A stored list of persons; a changed one that is no list (verify names it) as none named."""
    return None if isinstance(persons, str) else persons


def _read_view(row) -> dict:
    return {
        "position": row.id,
        "read_at": row.read_at.isoformat() + "Z",
        "actor": {"id": row.actor_id, "role": row.actor_role, "agency": row.actor_agency},
        "case": row.case,
        "person": row.person,
        "persons": _listed(reads_log.persons_of(row)),
        "what": row.what,
        "purpose": row.purpose,
        "action": row.action,
        "allowed": bool(row.allowed),
        "assigned": bool(row.assigned),
        "reason": row.reason,
    }


def case_region(
    engine: Engine, law: Law, case: str | None, reader: Principal, now: datetime, purpose: str
) -> str | None:
    """The region a case was registered in: which local time a form about it shows and reads
    its times in. It tells that the case exists and where, as a row of the case list does:
    so only to a reader who may read or record on the case, and as a read of the case naming
    its parties (what: `case_region`, with the form's purpose). To anyone else None (the jurisdiction's own time), and
    no record: nothing of the case was shown."""
    if not case or not IDENTIFIER.match(case):
        return None
    with guard.writing(engine) as conn:
        facts = guard.facts(conn, case)
        decision = guard.decide(law, reader, "case:read", facts)
        if not decision.allowed:
            decision = guard.decide(law, reader, "case:record", facts)
        region = None
        if decision.allowed:
            region = conn.execute(select(cases.c.region).where(cases.c.case == case)).scalar_one_or_none()
        if region is not None:
            persons = seen_by(reader, decision, parties_of(conn, [case])[case])
            guard.record(conn, reader, decision, now, "case_region", purpose, case, persons=persons)
    return region
