"""Recording as a signed-in user (the API, the web UI): who may write on this case.

Two questions, like every act in habeas: the access policy (`case:record` on this case:
the unit's, the assigned official's, the court's, a registrar's everywhere), asked here;
and the law's competence for the kind (may this actor's role take this act at this
stage), which the register decides for every fact however it arrives.

An official records their own acts: an event without `actor` is theirs, and one naming
someone else is refused unless they hold `case:record_for_others` (a registrar, a police
system sending its officers' events). A case that does not exist yet is judged as it
would stand with the fact that opens it (the investigator's unit opens its own case).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from habeas.access.facts import Principal, case_facts
from habeas.domain.events import Actor, Event, Problem, Refused, check_limits, parse_event
from habeas.law.package import Law
from habeas.ledger import store
from habeas.services import guard
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
        for_others = guard.decide(self.law, principal, "case:record_for_others").allowed
        if "actor" not in raw:
            raw["actor"] = principal.actor.to_dict()
        check_limits(raw)
        event = parse_event(raw, assign_id=new_event_id)  # Refused (422) before any access question
        if not for_others and not _is(event.actor, principal):
            raise NotYours(
                f"refused: you record your own acts (actor {principal.role}:{principal.id});"
                " recording another's needs case:record_for_others (a registrar)",
                "actor",
            )
        self._may_record(principal, event, now)
        return self.committer.submit(event, principal.actor)  # parsed once, above

    def _may_record(self, principal: Principal, event: Event, now) -> None:
        if event.case is None:
            decision = guard.decide(self.law, principal, "case:record")
        else:
            with self.engine.connect() as conn:  # a reader's connection: the writer's lock is the append's
                events = store.stream_events(conn, event.case)
            decision = guard.decide(self.law, principal, "case:record", case_facts(event.case, events or [event]))
        if not decision.allowed:
            with guard.writing(self.engine) as conn:  # the refused attempt is recorded
                guard.record(conn, principal, decision, now, event.kind, None, event.case)
            raise NotYours(decision.reason)


def _is(actor: Actor, principal: Principal) -> bool:
    return actor.id == principal.id and actor.role == principal.role
