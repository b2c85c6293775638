"""The policy at the door of every read: decide from the log's facts, and keep a record.

A service that reads personal data (`queries`, `maintenance.export_lines`, `users`) asks
`decide` in its own writer transaction, and appends the answer to the read log with
`record`: what was read, or the refused attempt, in the same commit as the read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine

from habeas.access import policy as access
from habeas.access.facts import CaseFacts, Principal, case_facts
from habeas.db.engine import writer
from habeas.domain.events import Event
from habeas.law.package import Law
from habeas.ledger import reads, store


def writing(engine: Engine):
    """A writer's transaction (`db.engine.writer`), its engine built once per engine: a read
    and its record are one short transaction, so building options each time shows."""
    return writer(engine).begin()


class Refused(PermissionError):
    """Not allowed: the message names the right that was missing (and nothing of the case)."""


def facts(conn: Connection, case: str, events: list[Event] | None = None) -> CaseFacts:
    return case_facts(case, store.stream_events(conn, case) if events is None else events)


def decide(law: Law, principal: Principal, action: str, case: CaseFacts | None = None) -> access.Decision:
    return access.of(law).decide(principal, action, case)


def record(
    conn: Connection,
    principal: Principal,
    decision: access.Decision,
    when: datetime,
    what: str,
    purpose: str | None,
    case: str | None = None,
    person: str | None = None,
) -> None:
    reads.append(conn, [entry(principal, decision, when, what, purpose, case, person)])


def entry(principal, decision, when, what, purpose, case=None, person=None) -> reads.ReadRecord:
    return reads.ReadRecord(
        read_at=when,
        actor_id=principal.id,
        actor_role=principal.role,
        actor_agency=principal.agency,
        case=case,
        person=person,
        what=what,
        purpose=purpose,
        action=decision.action,
        allowed=decision.allowed,
        assigned=decision.assigned,
        reason=None if decision.allowed else decision.reason,
    )


def no_purpose(action: str) -> access.Decision:
    return access.Decision(False, action, f"refused: {action} needs a purpose (why you read it)")


def reads_cases(law: Law, principal: Principal) -> bool:
    """Whether the principal's role reads case files anywhere at all (the case list and the
    board are for those roles; a person's user has their own case, the public statistics)."""
    return principal.person is None and access.of(law).holds(principal.role, "case:read")


def authorize(
    conn: Connection, law: Law, principal: Principal, action: str, case: str | None = None
) -> access.Decision:
    """The decision for `action` on `case` as the log stands (the matrix test asks here)."""
    return decide(law, principal, action, facts(conn, case) if case is not None else None)
