"""Assigning officials to cases: `case.assigned` / `case.unassigned` facts in the log.

Who may assign is twofold, like everything recorded: the access policy (`case:assign` on
this case: the unit's, the region's supervising prosecutor, the court) and the law's
competence for the kind (the register decides it, as for every fact).
"""

from __future__ import annotations

from sqlalchemy import Engine, select

from habeas.access.facts import Principal
from habeas.clock import Clock
from habeas.db.engine import writer
from habeas.db.schema import users
from habeas.law.package import Law
from habeas.services import guard
from habeas.services.register import Outcome, Register
from habeas.services.users import UserError


def assign(
    engine: Engine, law: Law, clock: Clock, by: Principal, case: str, official: str, *, ends: bool = False
) -> Outcome:
    """Record that `official` (a user's login) is assigned to `case` (or, `ends`, no more).
    Raises guard.Refused (recorded in the read log), UserError, or the register's Refused."""
    action = "case:assign"
    with writer(engine).begin() as conn:
        decision = guard.decide(law, by, action, guard.facts(conn, case))
        if not decision.allowed:
            guard.record(conn, by, decision, clock.now(), "case.unassigned" if ends else "case.assigned", None, case)
        user = conn.execute(select(users).where(users.c.login == official)).first()
    if not decision.allowed:
        raise guard.Refused(decision.reason)
    if user is None:
        raise UserError(f"no user {official!r}")
    data = {"official": user.login, "role": user.role}
    if user.agency:
        data["agency"] = user.agency
    return Register(engine, law, clock).submit(
        {
            "kind": "case.unassigned" if ends else "case.assigned",
            "case": case,
            "occurred_at": clock.now().isoformat(),
            "actor": by.actor.to_dict(),
            "data": data,
        }
    )
