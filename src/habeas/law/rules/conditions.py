"""Conditions: whether a rule's `when`, `choose` or `violation` holds for an event.

A condition is about one event (a start, a checked event, an order) and the person it
names. It never raises on odd facts: a value it cannot read makes it not hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from habeas.domain.events import Event
from habeas.law import calendar
from habeas.law.package import Law, MissingLaw
from habeas.law.rules.facts import Facts
from habeas.law.rules.qualified import Qualified, qualified
from habeas.law.rules.schema import Condition, Held, Recorded, Requested, Waived


@dataclass(slots=True)
class Context:
    law: Law
    facts: Facts
    event: Event  # the event the condition is about (a start, a checked event, an order)
    law_moment: datetime | None = None  # whose date picks the law's version (default: the event's)
    # the offence, once asked (`offence`); `gravity_unknown`: why its gravity is unknown, once a
    # test needed it and could not have it (a finding then says so: never a default gravity)
    _offence: Qualified | None = None
    gravity_unknown: dict | None = None

    @property
    def person(self) -> str | None:
        return (self.event.data or {}).get("person")

    @property
    def moment(self) -> datetime:
        return self.law_moment or self.event.occurred_at

    def offence(self) -> Qualified:
        """The offence the person (the case, for a case-level event) is suspected under at the
        event, with the catalogue's row on the day it was named."""
        if self._offence is None:
            self._offence = qualified(self.law, self.facts, self.person, self.event.occurred_at)
        return self._offence

    def gravity(self) -> str | None:
        """The offence's gravity; None when unknown, which is noted (`gravity_unknown`)."""
        found = self.offence()
        if found.row is None and self.gravity_unknown is None:
            self.gravity_unknown = found.unknown()
        return found.gravity

    def value(self, key: str) -> Any:
        return self.law.value(key, self.moment)


def holds(cond: Condition, ctx: Context) -> tuple[bool, list[Event], list[str]]:
    """Whether the condition holds, the events that show it, and the reasons (when it does
    not: none, as empty tuples shared by every such answer)."""
    known = _COMPILED.get(id(cond))
    if known is None or known[0] is not cond:
        known = _compile(cond)
    evidence: list[Event] = []
    reasons: list[str] = []
    try:
        for test in known[1]:
            if not test(cond, ctx, evidence, reasons):
                return _FAILS
    except (MissingLaw, ValueError, TypeError):
        return _FAILS
    return True, evidence, reasons


_FAILS: tuple = (False, (), ())


# A condition's tests, in the order they are tried (the reasons come in this order), each
# (cond, ctx, evidence, reasons) -> whether it passes. A condition is compiled once to the
# tests of the keys it sets: most set one or two of these twenty.


def _minor(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    minor = _is_minor(ctx)
    if minor != cond.minor:
        return False
    reasons.append("minor" if minor else "adult")
    return True


def _gravity(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    if ctx.gravity() not in cond.gravity:
        return False
    reasons.append("gravity")
    return True


def _gravity_in(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    if ctx.gravity() not in ctx.value(cond.gravity_in):
        return False
    reasons.append("gravity")
    return True


def _gravity_not_in(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    gravity = ctx.gravity()
    if gravity is None or gravity in ctx.value(cond.gravity_not_in):
        return False
    reasons.append("gravity")
    return True


def _article_in(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    if not _article_listed(ctx, ctx.value(cond.article_in)):
        return False
    reasons.append("article")
    return True


def _longest_imprisonment(ctx: Context) -> float | None:
    """The offence's longest imprisonment in years (inf: life; 0: none); None when the offence
    is unknown, which is noted as for gravity (never a default)."""
    row = ctx.offence().row
    if row is None:
        ctx.gravity()  # notes why it is unknown
        return None
    years = row.max_imprisonment
    return 0.0 if years is None else float(years)


def _imprisonment_over(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    years = _longest_imprisonment(ctx)
    if years is None or not years > float(ctx.value(cond.imprisonment_over)):
        return False
    reasons.append("imprisonment")
    return True


def _life_imprisonment(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    years = _longest_imprisonment(ctx)
    if years is None or (years == float("inf")) != cond.life_imprisonment:
        return False
    reasons.append("life_imprisonment" if cond.life_imprisonment else "no_life_imprisonment")
    return True


def _party_fields(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    party = ctx.facts.parties.get(ctx.person or "", {})
    if any(party.get(k) not in v for k, v in cond.party_fields.items()):
        return False
    reasons.append("party")
    return True


def _not_waived(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    return _standing_waiver(cond.not_waived, ctx) is None


def _offence_unknown(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    named = ctx.offence()
    unknown = named.event is not None and named.row is None
    if unknown != cond.offence_unknown:
        return False
    if unknown:
        evidence.append(named.event)
    reasons.append("offence")
    return True


def _language_not_in(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    language = ctx.facts.parties.get(ctx.person or "", {}).get("language")
    if not language or str(language).lower() in _spelt(ctx.value(cond.language_not_in), str.lower):
        return False
    reasons.append("language")
    return True


def _citizenship_not_in(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    citizenship = ctx.facts.parties.get(ctx.person or "", {}).get("citizenship")
    if not citizenship or str(citizenship).upper() in _spelt(ctx.value(cond.citizenship_not_in), str.upper):
        return False
    reasons.append("citizenship")
    return True


def _found_by(find, reason: str):
    """A test that holds when `find(cond, ctx)` finds an event: that event is its evidence."""

    def test(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
        found = find(cond, ctx)
        if found is None:
            return False
        evidence.append(found)
        reasons.append(reason)
        return True

    return test


def _approval(cond: Condition, ctx: Context) -> Event | None:
    return next((ev for ev in ctx.facts.of_kinds(cond.approved) if (ev.data or {}).get("event") == ctx.event.id), None)


_requested = _found_by(lambda cond, ctx: _standing_request(cond.requested, ctx), "requested")
_held = _found_by(lambda cond, ctx: _holding(cond.held, ctx), "held")
_recorded_test = _found_by(lambda cond, ctx: _recorded(cond.recorded, ctx), "recorded")
_approved = _found_by(_approval, "approved")


def _fields(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    data = ctx.event.data or {}
    for k, v in cond.fields.items():  # noqa: SIM110  a loop, not all(): a `choose` tries it on every start
        if data.get(k) not in v:
            return False
    return True


def _not_fields(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    data = ctx.event.data or {}
    if all(data.get(k) in v for k, v in cond.not_fields.items()):
        return False
    reasons.append("fields")
    return True


def _contains_any_test(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    if not _contains_any(ctx.event.data or {}, cond.contains_any):
        return False
    reasons.append("grounds")
    return True


def _any(cond: Condition, ctx: Context, evidence: list, reasons: list) -> bool:
    hit = False
    for sub in cond.any:
        ok, sub_evidence, sub_reasons = holds(sub, ctx)
        if ok:
            hit = True
            evidence += sub_evidence
            reasons += sub_reasons
    return hit


_TESTS = (
    ("minor", _minor),
    ("gravity", _gravity),
    ("gravity_in", _gravity_in),
    ("gravity_not_in", _gravity_not_in),
    ("article_in", _article_in),
    ("offence_unknown", _offence_unknown),
    ("imprisonment_over", _imprisonment_over),
    ("life_imprisonment", _life_imprisonment),
    ("party_fields", _party_fields),
    ("not_waived", _not_waived),
    ("language_not_in", _language_not_in),
    ("citizenship_not_in", _citizenship_not_in),
    ("requested", _requested),
    ("held", _held),
    ("recorded", _recorded_test),
    ("approved", _approved),
    ("fields", _fields),
    ("not_fields", _not_fields),
    ("contains_any", _contains_any_test),
    ("any", _any),
)
_COMPILED: dict[int, tuple[Condition, tuple]] = {}


def _compile(cond: Condition) -> tuple[Condition, tuple]:
    if len(_COMPILED) > 10_000:  # laws loaded again and again (tests): forget the old ones
        _COMPILED.clear()
    known = _COMPILED[id(cond)] = (cond, tuple(test for name, test in _TESTS if getattr(cond, name) is not None))
    return known


def _is_minor(ctx: Context) -> bool:
    party = ctx.facts.parties.get(ctx.person or "", {})
    birth = party.get("birth_date")
    if not birth:
        return False
    born = birth if isinstance(birth, date) else date.fromisoformat(str(birth))
    return calendar.age_on(born, ctx.event.occurred_at.date()) < ctx.value(Condition.AGE_OF_MAJORITY)


def _article_listed(ctx: Context, listed: list[Any]) -> bool:
    """Entries are "ART" (any part) or "ART.PART"."""
    named = ctx.offence()
    article, part = named.article, named.part
    if article is None:
        return False
    entries = _spelt(listed, str)
    return str(article) in entries or (part is not None and f"{article}.{part}" in entries)


_SPELT: dict[tuple[int, Any], tuple[list, frozenset[str]]] = {}


def _spelt(listed: list[Any], spell) -> frozenset[str]:
    """A parameter's list of values as a set of text spelt by `spell` (`str`, `str.lower`,
    `str.upper` of each value's text): made once per list of the law and way of spelling."""
    known = _SPELT.get((id(listed), spell))
    if known is None or known[0] is not listed:
        if len(_SPELT) > 1_000:  # laws loaded again and again (tests): forget the old ones
            _SPELT.clear()
        known = _SPELT[(id(listed), spell)] = (listed, frozenset(spell(str(value)) for value in listed))
    return known[1]


def _contains_any(data: Any, spec: dict[str, list[Any]]) -> bool:
    for name, values in spec.items():
        present = (data or {}).get(name)
        if isinstance(present, list | tuple) and any(v in present for v in values):
            return True
    return False


def _standing_request(spec: Requested, ctx: Context) -> Event | None:
    """The last request for this person before the event, if no waiver came after it."""
    request = None
    for ev in ctx.facts.before(ctx.event, spec.request + spec.waiver):
        if (ev.data or {}).get("person") != ctx.person:
            continue
        request = ev if ev.kind in spec.request else None
    return request


def _standing_waiver(spec: Waived, ctx: Context) -> Event | None:
    """The person's last waiver before the event, unless revoked (a new request) since."""
    return _standing_request(Requested(request=spec.waiver, waiver=spec.revoke), ctx)


def _holding(spec: Held, ctx: Context) -> Event | None:
    """The event that holds the person at the moment, if they are held."""
    holding = None
    for ev in ctx.facts.before(ctx.event, spec.kinds + spec.until):
        if (ev.data or {}).get("person") != ctx.person:
            continue
        holding = ev if ev.kind in spec.kinds else None
    return holding


def possible(cond: Condition, facts: Facts) -> bool:
    """False when the condition holds for no event of these facts, whatever the event: a test
    it must pass needs an event the case lacks (`requested`, `held`, `approved`: one of their
    kinds; `recorded`: one of its kinds with its values). True when it may hold."""
    present = facts.by_kind.keys()
    for kinds in (cond.requested and cond.requested.request, cond.held and cond.held.kinds, cond.approved):
        if kinds and present.isdisjoint(kinds):
            return False
    spec = cond.recorded
    return spec is None or any(_shows(spec, ev.data or {}) for ev in facts.of_kinds(spec.kinds))


def _recorded(spec: Recorded, ctx: Context) -> Event | None:
    for ev in ctx.facts.of_kinds(spec.kinds):
        if ev.occurred_at > ctx.event.occurred_at:
            break
        data = ev.data or {}
        if spec.match == "person" and data.get("person") != ctx.person:
            continue
        if _shows(spec, data):
            return ev
    return None


def _shows(spec: Recorded, data: dict) -> bool:
    """Whether an event's data are what `recorded` asks for: its values, and one of `contains_any`."""
    if spec.contains_any and not _contains_any(data, spec.contains_any):
        return False
    return all(data.get(k) in v for k, v in spec.fields.items())
