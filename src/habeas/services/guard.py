"""The policy at the door of every read: decide from the log's facts, and keep a record.

A service that reads personal data (`queries`, `maintenance.export_lines`, `users`) asks
`decide` in its own writer transaction, and appends the answer to the read log with
`record`: what was read, or the refused attempt, in the same commit as the read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
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


def facts_of_cases(conn: Connection, cases: Iterable[str]) -> dict[str, CaseFacts]:
    """Each case's facts, their events read in one query per batch: a list decides hundreds
    of cases, and a query per case was most of a home page's time."""
    wanted = list(dict.fromkeys(cases))
    found = store.streams_events(conn, wanted)
    return {case: case_facts(case, found.get(case, [])) for case in wanted}


def facts_of(law: Law, case: str, events: list[Event]) -> CaseFacts:
    """The case's facts with its region spelt as the jurisdiction's one code."""
    return case_facts(case, events, region_of(law))


def region_of(law: Law) -> Callable[[str], str]:
    """A recorded region (a code, a name, an alias, a KATO code) → the region's code; a
    spelling the reference data does not know stays as written. Built once per Law."""
    found = law.cache.get("region_of")
    if found is None:
        from habeas.jurisdictions import reference

        # the spellings statistics.indicators.Regions reads (not imported: it brings SciPy)
        codes = {}
        for r in (reference.load(law.jurisdiction).get("regions") or {}).get("regions", []):
            for spelling in (r["code"], r.get("name", ""), r.get("kato", ""), *r.get("aliases", [])):
                if spelling:
                    codes[_spelling(spelling)] = r["code"]

        def found(recorded: str) -> str:
            return codes.get(_spelling(recorded), recorded)

        law.cache["region_of"] = found
    return found


def _spelling(text: str) -> str:
    return text.strip().lower().replace(" ", "-").replace("_", "-")


def as_placed(law: Law, principal: Principal) -> Principal:
    """The principal with their region spelt as the case's is (`region_of`)."""
    if principal.region is None:
        return principal
    return dataclasses.replace(principal, region=region_of(law)(principal.region))


def decide(law: Law, principal: Principal, action: str, case: CaseFacts | None = None) -> access.Decision:
    """The policy's answer, regions on both sides spelt alike (so `Astana`, `astana` and its
    KATO code are one region, and no alias moves a case away from its prosecutor)."""
    if case is not None and case.region is not None:
        case = dataclasses.replace(case, region=region_of(law)(case.region))
    return access.of(law).decide(as_placed(law, principal), action, case)


def record(
    conn: Connection,
    principal: Principal,
    decision: access.Decision,
    when: datetime,
    what: str,
    purpose: str | None,
    case: str | None = None,
    person: str | None = None,
    persons=None,
) -> None:
    reads.append(conn, [entry(principal, decision, when, what, purpose, case, person, persons)])


def entry(principal, decision, when, what, purpose, case=None, person=None, persons=None) -> reads.ReadRecord:
    """The read record of a decision; `persons`, whose data the read showed, only when it
    was allowed (a refused attempt showed no one: it stands for the case as a whole)."""
    return reads.ReadRecord(
        read_at=when,
        actor_id=principal.id,
        actor_role=principal.role,
        actor_agency=principal.agency,
        case=case,
        person=person,
        persons=persons if decision.allowed else None,
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
