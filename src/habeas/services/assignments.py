"""Assigning officials to cases: `case.assigned` / `case.unassigned` facts in the log.

Who may assign is twofold, like everything recorded: the access policy (`services.acts`:
`case:assign` on this case — the head of the unit, the region's supervising prosecutor,
the court's chair — however the assignment arrives) and the law's competence for the
kind (the register decides it, as for every fact).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from habeas.access.facts import Principal
from habeas.clock import Clock
from habeas.db.schema import users
from habeas.domain.events import parse_event
from habeas.law.package import Law
from habeas.services import acts
from habeas.services.register import Outcome, Register, new_event_id
from habeas.services.users import UserError


def assign(
    engine: Engine, law: Law, clock: Clock, by: Principal, case: str, official: str, *, ends: bool = False
) -> Outcome:
    """Record that `official` (a user's login) is assigned to `case` (or, `ends`, no more).
    Raises guard.Refused (recorded in the read log), UserError, or the register's Refused."""
    kind = "case.unassigned" if ends else "case.assigned"
    with engine.connect() as conn:
        user = conn.execute(select(users).where(users.c.login == official)).first()
    data = {"official": official}
    if user is not None:
        data["role"] = user.role
        if user.agency:
            data["agency"] = user.agency
    now = clock.now()
    raw = {"kind": kind, "case": case, "occurred_at": now.isoformat(), "actor": by.actor.to_dict(), "data": data}
    event = parse_event(raw, assign_id=new_event_id)
    acts.check(engine, law, by, event, now)  # case:assign on the case, as every act is judged
    if user is None:
        raise UserError(f"no user {official!r}")
    return Register(engine, law, clock).submit(event)
