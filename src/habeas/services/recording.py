"""Recording as a signed-in user (the API, the web UI): who may write on this case.

Two questions, like every act in habeas: the access policy (`services.acts.check`: the
act judged whole, as every driver's act is), and the law's competence for the kind (may
this actor's role take this act at this stage), which the register decides for every
fact however it arrives.

An official records their own acts, under their own agency: an event without `actor` is
theirs, and one naming someone else is refused unless they hold `case:record_for_others`
(a registrar, a police system sending its officers' events).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from habeas.access.facts import Principal
from habeas.domain.events import Actor, Problem, Refused, check_limits, parse_event
from habeas.law.package import Law
from habeas.services import acts, guard
from habeas.services.group_commit import GroupCommitter
from habeas.services.register import Outcome, new_event_id


class NotYours(guard.Refused):
    """The access policy refuses the act (403): the message names the missing right."""

    def __init__(self, reason: str, field: str | None = None):
        super().__init__(reason)
        self.field = field


@dataclass
class Recorder:
    engine: Engine
    law: Law
    committer: GroupCommitter

    def record(self, principal: Principal, raw: dict, now) -> Outcome:
        """Store `raw` as `principal` records it; raises NotYours (403), Refused (422/409,
        or 403 for the law's competence: the register's `forbidden`) or StorageFailed."""
        if not isinstance(raw, dict):
            raise Refused([Problem("-", "an event is a JSON object")])
        raw = dict(raw)
        if "actor" not in raw:
            raw["actor"] = principal.actor.to_dict()
        check_limits(raw)
        event = parse_event(raw, assign_id=new_event_id)  # Refused (422) before any access question
        try:
            acts.check(self.engine, self.law, principal, event, now)  # every act through the policy
        except guard.Refused as exc:
            raise NotYours(str(exc), None if _is(event.actor, principal) else "actor") from None
        return self.committer.submit(event, principal.actor)  # parsed once, above


def _is(actor: Actor, principal: Principal) -> bool:
    mine = principal.actor
    return (actor.id, actor.role, actor.agency) == (mine.id, mine.role, mine.agency)
