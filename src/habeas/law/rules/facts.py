"""The facts as the rules see them: the effective timeline (corrections applied), in time
order, as of a moment, indexed by kind so a rule reads only the kinds it names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.law.rules.schema import Match


@dataclass
class Facts:
    events: list[Event]
    parties: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    article: str | None = None
    part: int | None = None
    suspicions: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # the events that name the offence (case.registered, suspicion.qualified), in time order
    qualifications: list[Event] = field(default_factory=list)
    by_kind: dict[str, list[Event]] = field(default_factory=dict)  # each list in time order
    rank: dict[int, int] = field(default_factory=dict)  # id(event) -> place in `events`
    # id(naming event) -> the offence it names with its catalogue row (`qualified.qualified`)
    named: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, state: CaseState, at: datetime | None = None) -> Facts:
        facts = cls(events=[])
        kept, by_kind, rank = facts.events, facts.by_kind, facts.rank
        last = None
        for ev in state.timeline:
            kind = ev.kind
            if kind == "record.corrected":
                continue
            moment = ev.occurred_at
            if at is not None and moment > at:
                continue
            if last is not None and moment < last:  # out of time order: sorted, and indexed anew
                return cls._sorted(state, at)
            last = moment
            rank[id(ev)] = len(kept)
            kept.append(ev)
            found = by_kind.get(kind)
            if found is None:
                by_kind[kind] = [ev]
            else:
                found.append(ev)
            if kind in _READ:
                facts._read(ev)
        return facts

    @classmethod
    def _sorted(cls, state: CaseState, at: datetime | None) -> Facts:
        """The facts of a timeline not in time order: sorted by (occurred_at, place in the
        timeline), then indexed."""
        kept = [ev for ev in state.timeline if ev.kind != "record.corrected" and (at is None or ev.occurred_at <= at)]
        indexed = list(enumerate(kept))
        indexed.sort(key=lambda pair: (pair[1].occurred_at, pair[0]))
        facts = cls(events=[ev for _, ev in indexed])
        by_kind, rank = facts.by_kind, facts.rank
        for place, ev in enumerate(facts.events):
            by_kind.setdefault(ev.kind, []).append(ev)
            rank[id(ev)] = place
            if ev.kind in _READ:
                facts._read(ev)
        return facts

    def _read(self, ev: Event) -> None:
        """What the facts keep of a party, a registration or a qualification."""
        kind, data = ev.kind, ev.data or {}
        if kind == "party.added" and data.get("person"):
            self.parties[data["person"]] = data
        elif kind == "case.registered":
            self.article, self.part = data.get("article"), data.get("part")
            self.qualifications.append(ev)
        elif kind == "suspicion.qualified" and data.get("person"):
            self.suspicions[data["person"]] = data
            self.qualifications.append(ev)

    def of_kinds(self, kinds: Iterable[str]) -> list[Event]:
        """The events of these kinds, in time order (do not change the list: it is shared)."""
        by_kind = self.by_kind
        if by_kind.keys().isdisjoint(kinds):  # the usual answer, found without a list
            return []
        found: list[Event] | None = None
        lists = None
        for kind in kinds:
            events = by_kind.get(kind)
            if events is None:
                continue
            if found is None:
                found = events
            elif lists is None:
                lists = [found, events]
            else:
                lists.append(events)
        if lists is None:  # one kind of these in the case: its own list
            return found or []
        merged = list({id(ev): ev for events in lists for ev in events}.values())  # a kind named twice
        merged.sort(key=lambda ev: self.rank[id(ev)])
        return merged

    def after(self, start: Event, kinds: Iterable[str]) -> list[Event]:
        """Events of these kinds at or after `start` in time, `start` itself excluded."""
        moment = start.occurred_at
        found = []
        for ev in self.of_kinds(kinds):
            if ev is not start and ev.occurred_at >= moment:
                found.append(ev)
        return found

    def before(self, start: Event, kinds: Iterable[str]) -> list[Event]:
        """Events of these kinds at or before `start` in time, `start` itself excluded."""
        moment = start.occurred_at
        found = []
        for ev in self.of_kinds(kinds):
            if ev is not start and ev.occurred_at <= moment:
                found.append(ev)
        return found

    def events_by_id(self, ident: str | None) -> Event | None:
        """The event of this id among the facts (None if there is none)."""
        return next((ev for ev in self.events if ev.id == ident), None) if ident else None

    def qualification(self, person: str | None, moment: datetime | None = None) -> Event | None:
        """The event that names the offence a person is suspected under at `moment`: the latest
        `case.registered` or `suspicion.qualified` of that person (of anyone, for a case-level
        question: `person` None) at or before it — a later qualification changes the offence
        from its date. Before any, the first of them: the article is often recorded after the
        detention it concerns. `moment` None: the latest. None when no article was named."""
        found: Event | None = None
        first: Event | None = None
        for ev in self.qualifications:
            if ev.kind != "case.registered" and person is not None and (ev.data or {}).get("person") != person:
                continue
            if first is None:
                first = ev
            if moment is not None and ev.occurred_at > moment:
                break
            found = ev
        return found or first

    def offence(self, person: str | None, moment: datetime | None = None) -> tuple[str | None, int | None]:
        """The article (and part) a person is suspected under at `moment` (see `qualification`)."""
        named = self.qualification(person, moment)
        if named is None:
            return None, None
        data = named.data or {}
        return data.get("article"), data.get("part")


# The kinds `Facts.of` reads data from.
_READ = frozenset({"party.added", "case.registered", "suspicion.qualified"})


def key_of(event: Event, name: str) -> Any:
    if name == "id":
        return event.id
    if name == "case":
        return event.case
    return (event.data or {}).get(name)


def matches(spec: Match, a: Event, b: Event, roles=("start", "stop")) -> bool:
    if spec.__class__ is str:  # `key_of` on both sides, spelt out: a rule's most frequent test
        if spec == "case":
            return a.case == b.case
        if spec == "id":
            return a.id == b.id
        return (a.data or {}).get(spec) == (b.data or {}).get(spec)
    return key_of(a, getattr(spec, roles[0])) == key_of(b, getattr(spec, roles[1]))


def evidence(*events: Event | None) -> tuple[str, ...]:
    """The ids of the events a finding rests on, with the corrections applied to them."""
    out: list[str] = []
    for ev in events:
        if ev is None:
            continue
        if ev.id not in out:
            out.append(ev.id)
        for ident in ev.corrections:  # usually none
            if ident not in out:
                out.append(ident)
    return tuple(out)


def moment_of(value: Any) -> datetime | None:
    """A time an event carries in its data (e.g. a custody order's `until`), aware or None."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.utcoffset() is not None else None
