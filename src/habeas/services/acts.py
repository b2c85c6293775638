"""Every act through the policy, in one place (issue 23 item 1): `check` for a signed-in
user's act (the API, the web forms, `case assign`), `ImportActs` for every line of an import
(the CLI's, `POST /events:batch`, the demo's and the simulator's).

A user's act is judged whole (`access.acts.judge`): their own act under their own agency,
`case:record` on the case as it stands, their section, their own name, and the acts that
need a right of their own. A correction is judged as the act it leaves (a lawyer corrected
into another is an admission of that lawyer). An import brings in other systems' records:
its registrar's right is `case:record_for_others`, asked before it starts; a line whose
actor is a user of this register is judged as that user's act (`access.acts.act_rule`:
their title, region, court and id are known), so no user writes around the policy through
an import; for an official of another system the registrar vouches, and the event names
both.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

import msgspec
from sqlalchemy import Connection, Engine, select

from habeas.access import acts
from habeas.access import policy as access
from habeas.access.facts import CaseFacts, Principal
from habeas.db import adapters
from habeas.db.schema import users
from habeas.domain.case import corrected
from habeas.domain.events import Event, Problem
from habeas.law.package import Law
from habeas.ledger import store
from habeas.services import guard

CREATING = ("report.received", "case.registered")


def check(engine: Engine, law: Law, principal: Principal, event: Event, now: datetime) -> access.Decision:
    """The decision on `principal` recording `event`; a refusal is kept in the read log (as
    refused reads are) and raised as `guard.Refused` naming what was missing."""
    with engine.connect() as conn:  # a reader's connection: the writer's lock is the append's
        stored = store.stream_events(conn, event.case) if event.case is not None else []
    decision = judge(law, principal, event, stored)
    if not decision.allowed:
        with guard.writing(engine) as conn:
            guard.record(conn, principal, decision, now, event.kind, None, event.case)
        raise guard.Refused(decision.reason)
    return decision


def judge(law: Law, principal: Principal, event: Event, stored: list[Event]) -> access.Decision:
    """`event` as `principal`'s act on a case whose stored events are `stored` ([] if new)."""
    facts = _facts_before(law, event, stored)
    return acts.judge(access.of(law), guard.as_placed(law, principal), _as_acted(event, stored), facts, region(law))


def _facts_before(law: Law, event: Event, stored: list[Event]) -> CaseFacts | None:
    if event.case is None:
        return None
    if not stored and event.kind in CREATING:  # judged as the case would stand with its opening fact
        return guard.facts_of(law, event.case, [event])
    return guard.facts_of(law, event.case, stored)


def _as_acted(event: Event, stored: list[Event]) -> Event:
    """A correction as the act it leaves (the corrected fact, by the correcting actor)."""
    if event.kind != "record.corrected":
        return event
    target = next((e for e in stored if e.id == event.data.get("event")), None)
    if target is None:
        return event  # the register refuses it: no such event
    fixed = corrected(target, event)
    return msgspec.structs.replace(fixed, id=event.id, actor=event.actor, occurred_at=event.occurred_at)


def region(law: Law) -> Callable[[str], str]:
    return guard.region_of(law)


class ImportActs:
    """Each imported line judged as its named actor's act (see the module's words)."""

    def __init__(self, law: Law):
        self.law = law
        self.policy = access.of(law)

    def start(self, conn: Connection, logins: Collection[str] | None = None) -> _BatchActs:
        """The judge of one batch: the register's users read once, while the connection is free;
        given `logins`, only those (the actors of the events it will judge: `naming`)."""
        if logins is None:
            rows = conn.execute(select(users.c.login, users.c.role, users.c.agency, users.c.region, users.c.title))
        elif logins:
            wanted = sorted(logins)
            among = adapters.of(conn).marks(len(wanted))
            sql = f"SELECT login, role, agency, region, title FROM users WHERE login IN ({among})"
            rows = store.run(conn, sql, wanted).fetchall()
        else:
            rows = []
        known = {r[0]: Principal(r[0], r[1], r[2], r[3], None, r[4]) for r in rows}
        return _BatchActs(self.law, self.policy, known)

    def naming(self, events: Iterable[Event]) -> _NamedActs:
        """The judge of a batch of these events only (a submit's): reads only the users it may
        ask about, the actors of the events whose kind the policy names, none for most."""
        named = self.policy.document.acts
        logins = {e.actor.id for e in events if e.kind in named or e.kind == "record.corrected"}
        return _NamedActs(self, logins)


class _NamedActs:
    def __init__(self, acts: ImportActs, logins: set[str]):
        self.acts, self.logins = acts, logins

    def start(self, conn: Connection) -> _BatchActs:
        return self.acts.start(conn, self.logins)


class _BatchActs:
    def __init__(self, law: Law, policy: access.Policy, known: dict[str, Principal]):
        self.law, self.policy, self.known = law, policy, known

    def __call__(self, event: Event, stored: Callable[[], list[Event]]) -> list[Problem]:
        """Why the line is not its actor's act ([] if it is): `stored()` reads the case so far,
        only when the answer needs it (a correction, a right of a user of this register)."""
        named = self.policy.document.acts
        if event.kind not in named and event.kind != "record.corrected":
            return []  # most lines: nothing to judge, nothing to read
        user = self.known.get(event.actor.id)
        if user is None or user.role != event.actor.role:
            return []  # another system's official: the registrar vouches for the act (the event names them)
        before = stored() if event.kind == "record.corrected" or named[event.kind].needs else []
        acted = _as_acted(event, before)
        if acted.kind not in named:
            return []
        facts = _facts_before(self.law, acted, before) if before else None
        why = acts.act_rule(self.policy, guard.as_placed(self.law, user), acted, facts, region(self.law))
        return [] if why is None else [Problem("actor", why)]
