"""A submit's judge of acts reads only the users it may ask about (`ImportActs.naming`): the
actors of its events whose kind the policy names; what it knows of them is what reading every
user gives."""

from __future__ import annotations

from datetime import UTC, datetime

from habeas.domain.events import Actor, Event
from habeas.services import users
from habeas.services.acts import ImportActs

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _event(kind: str, login: str, role: str) -> Event:
    actor = Actor(id=login, role=role, agency="police-astana-almaty-district")
    return Event(id=f"e-{login}", kind=kind, case="KZ-2024-000123", occurred_at=NOW, actor=actor, data={})


def test_only_the_actors_of_named_acts_are_read(engine, law):
    for login in ("inv", "inv-2", "inv-3"):
        users.add(
            engine, law, users.operator("op"), NOW, login, "investigator", "police-astana-almaty-district", "astana"
        )
    acts = ImportActs(law)
    named = next(iter(acts.policy.document.acts))
    events = [_event(named, "inv", "investigator"), _event("report.received", "inv-2", "investigator")]
    with engine.connect() as conn:
        every = acts.start(conn).known
        judge = acts.naming(events).start(conn)
        none = acts.naming([events[1]]).start(conn)
    assert set(judge.known) == {"inv"}
    assert judge.known["inv"] == every["inv"]
    assert set(every) >= {"inv", "inv-2", "inv-3"}
    assert none.known == {}
