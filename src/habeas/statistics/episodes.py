"""Person-level episodes: what the statistics count, one row per person and thing that happened.

`episodes_of(state, findings, codes)` turns a folded case and its findings into episodes:
a detention, a custody, a prison stay, a custody petition, a complaint, a closure, a
verdict, an appeal, a death, and one `case` episode per case. Each carries the case's region
and the local year of the fact that starts it; what the indicators need besides (an end, a
limit, a flag, an outcome) is in its fields. Pure: the same case gives the same episodes.

`codes` names the findings that matter (indicators.yaml `findings`): the engine knows no code.
What opens and closes a detention, a custody or a prison stay is the law package's one
definition (`law.episodes`, `defined`), read here as by the rules, the board and the case file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from habeas.domain.case import CaseState
from habeas.domain.events import Event
from habeas.law.episodes import Episodes, in_force
from habeas.law.findings import UNDECIDED, Finding

# How a detention's end reads when the closing act opens no other episode.
_ENDED_BY = {"person.released": "released", "death.recorded": "death"}


@dataclass(frozen=True, slots=True)
class Episode:
    case: str
    episode: str  # detention, custody, prison, petition, complaint, closure, verdict, appeal, death, case
    year: int  # local calendar year of the fact that starts it
    region: str | None = None  # as recorded by case.registered
    person: str | None = None  # a case episode names no person: it holds the accused official's agency
    started_at: datetime | None = None  # UTC, naive
    ended_at: datetime | None = None  # end of the part counted (detention: release or order; custody: pre-trial)
    end_year: int | None = None  # local year of ended_at
    held_until: datetime | None = None  # custody, prison: when the person stopped being held
    sentenced_at: datetime | None = None  # custody: the verdict, if any
    due_at: datetime | None = None  # an unmet limit's due time
    late: bool | None = None  # a limit met late (or an appeal filed late)
    outcome: str | None = None
    detail: str | None = None
    link: str | None = None  # complaint: the ERDR number it was registered under; case: its own
    flag: bool | None = None  # detention: counsel at the first questioning; complaint: registered
    flag2: bool | None = None  # detention: rights explained; complaint: examined; closure: no consent
    flag3: bool | None = None  # complaint: examined in time; closure: ineligible gravity
    iccs: str | None = None  # case: its ICCS codes, space-separated
    article: str | None = None  # case: its Criminal Code article (case.registered)

    @property
    def accused(self) -> str | None:
        """Case: the agency of the accused official (case.registered `accused_agency`), if recorded."""
        return self.person if self.episode == "case" else None

    def past_limit(self, as_of: datetime) -> bool:
        """Held past the limit as of `as_of` (UTC, naive): met late, or still unmet past due."""
        return bool(self.late) or (self.due_at is not None and self.due_at < as_of)

    def to_row(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


COLUMNS = tuple(f.name for f in fields(Episode))


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment is not None else None


def episodes_of(
    state: CaseState,
    findings: Sequence[Finding],
    codes: Mapping[str, str],
    iccs: Iterable[str] = (),
    *,
    defined: Episodes,
) -> list[Episode]:
    """Every episode of one case (its corrected timeline in time order), the episodes as the
    law package defines them (`defined`)."""
    timeline = sorted(
        (e for e in state.timeline if e.kind != "record.corrected"), key=lambda e: (e.occurred_at, e.position or 0)
    )
    base = {"case": state.case, "region": state.region}
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        if f.kind == UNDECIDED:  # what the law could not decide (an unknown offence) counts as nothing
            continue
        by_code.setdefault(f.code, []).append(f)
    out: list[Episode] = []
    out.append(_case_episode(state, timeline, base, iccs))
    makers = _makers(defined)
    for index, event in enumerate(timeline):
        after = timeline[index + 1 :]
        maker = makers.get(event.kind)
        if maker is not None:
            episode = maker(event, after, timeline, by_code, codes, base, defined)
            if episode is not None:
                out.append(episode)
    return out


def _year(event: Event) -> int:
    return event.occurred_at.year  # the local year: occurred_at keeps its recorded offset


def _person(event: Event) -> str | None:
    return event.data.get("person")


def _first(events: Iterable[Event], kinds: frozenset[str], person: str | None = None) -> Event | None:
    for e in events:
        if e.kind in kinds and (person is None or e.data.get("person") in (person, None)):
            return e
    return None


def _closing(events: Iterable[Event], defined: Episodes, name: str, acts: tuple[str, ...], person: str | None):
    """The first of `events` that is one of the episode's `acts` for this person."""
    ep = defined.episodes.get(name)
    if ep is None:
        return None
    for e in events:
        if e.data.get("person") in (person, None) and any(ep.is_act(act, e.kind, e.data) for act in acts):
            return e
    return None


def _limit(found: Sequence[Finding], person: str | None, start: datetime) -> tuple[datetime | None, bool | None]:
    """(due time if unmet, met late) of the finding of this person started at `start`."""
    for f in found:
        if f.person == person and f.started_at == start:
            if f.met_at is None:
                return utc(f.due_at), False
            return None, f.due_at is not None and f.met_at > f.due_at
    return None, None


def _case_episode(state: CaseState, timeline: list[Event], base: dict, iccs: Iterable[str]) -> Episode:
    registered = next((e for e in timeline if e.kind == "case.registered"), None)
    start = registered or (timeline[0] if timeline else None)
    kinds = {e.kind for e in timeline}
    verdicts = [e.data.get("outcome") for e in timeline if e.kind == "verdict.delivered"]
    if "convicted" in verdicts:
        stage = "convicted"
    elif verdicts:
        stage = "acquitted"
    elif "case.sent_to_court" in kinds:
        stage = "sent_to_court"
    elif "case.closed" in kinds:
        stage = "closed"
    elif registered is not None:
        stage = "registered"
    else:
        stage = "reported"
    agency = (registered.actor.agency or "") if registered is not None else ""
    return Episode(
        **base,
        episode="case",
        year=_year(start) if start else 0,
        started_at=utc(start.occurred_at) if start else None,
        person=(registered.data.get("accused_agency") if registered is not None else None),
        outcome=stage,
        detail=agency.split("-", 1)[0].lower() or None,
        link=state.erdr_number,
        flag="report.received" in kinds,
        flag2=registered is not None,
        iccs=" ".join(iccs) or None,
        article=state.article,
    )


def _detention(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    end = _closing(after, defined, "detention", ("closes",), person)
    due, late = _limit(by_code.get(codes.get("detention_limit", ""), ()), person, event.occurred_at)
    questioned = next((e for e in timeline if e.kind == "person.questioned" and _person(e) == person), None)
    rights = any(e.kind == "rights.explained" and _person(e) == person for e in timeline)
    return Episode(
        **base,
        episode="detention",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        ended_at=utc(end.occurred_at) if end else None,
        end_year=_year(end) if end else None,
        due_at=due,
        late=late,
        outcome=_ended_by(end, defined),
        flag=bool(questioned.data.get("counsel_present")) if questioned else None,
        flag2=rights,
    )


def _custody(event, after, timeline, by_code, codes, base, defined) -> Episode | None:
    person = _person(event)
    custody = defined.episodes["custody"]
    # One custody episode from the first order of a run: a later order while held continues it.
    earlier = [e for e in timeline if e.occurred_at < event.occurred_at or e is event]
    run_start = None
    for e in earlier:
        if _person(e) not in (person, None):
            continue
        if e.kind in custody.opens and run_start is None:
            run_start = e
        elif custody.is_act("closes", e.kind, e.data):
            run_start = None
    if run_start is not event:
        return None
    held_end = _closing(after, defined, "custody", ("closes",), person)
    pretrial_end = _closing(after, defined, "custody", ("closes", "pre_trial_ends"), person)
    verdict = _first(after, frozenset({"verdict.delivered"}), person)
    terms = by_code.get(codes.get("custody_term", ""), ())
    window_end = held_end.occurred_at if held_end else None
    due, late = None, False
    for f in terms:
        if f.person != person or f.started_at is None or f.started_at < event.occurred_at:
            continue
        if window_end is not None and f.started_at > window_end:
            continue
        if f.due_at is None:
            continue
        if f.met_at is None and held_end is not None:
            # the custody ended otherwise (prison, bail, death): late only if it ran past the term
            late = late or held_end.occurred_at > f.due_at
        elif f.met_at is None:
            due = utc(f.due_at) if due is None else max(due, utc(f.due_at))
        elif f.met_at > f.due_at:
            late = True
    return Episode(
        **base,
        episode="custody",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        ended_at=utc(pretrial_end.occurred_at) if pretrial_end else None,
        end_year=_year(pretrial_end) if pretrial_end else None,
        held_until=utc(held_end.occurred_at) if held_end else None,
        sentenced_at=utc(verdict.occurred_at) if verdict else None,
        due_at=due,
        late=late,
        outcome=pretrial_end.kind if pretrial_end else None,
    )


def _prison(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    end = _closing(after, defined, "prison", ("closes",), person)
    return Episode(
        **base,
        episode="prison",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        held_until=utc(end.occurred_at) if end else None,
    )


def _petition(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    answer = _first(after, frozenset({"custody.ordered", "custody.refused"}), person)
    return Episode(
        **base,
        episode="petition",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        outcome={"custody.ordered": "granted", "custody.refused": "refused"}.get(answer.kind) if answer else None,
    )


def _complaint(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    complaint = event.data.get("complaint")
    registered = next(
        (e for e in timeline if e.kind == "complaint.registered" and e.data.get("complaint") == complaint), None
    )
    examined = _first(after, frozenset({"medical.examined"}), person)
    in_time = None
    for f in by_code.get(codes.get("torture_medical", ""), ()):
        if f.person == person and f.started_at == event.occurred_at:
            in_time = f.met_at is not None and (f.due_at is None or f.met_at <= f.due_at)
    return Episode(
        **base,
        episode="complaint",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        detail=event.data.get("about"),
        link=registered.data.get("erdr_number") if registered else None,
        flag=registered is not None,
        flag2=examined is not None,
        flag3=bool(in_time) if examined is not None else False,
    )


def _closure(event, after, timeline, by_code, codes, base, defined) -> Episode:
    sent = any(e.kind == "case.sent_to_court" and e.occurred_at <= event.occurred_at for e in timeline)

    def flagged(key: str) -> bool:
        return any(event.id in f.evidence for f in by_code.get(codes.get(key, ""), ()))

    return Episode(
        **base,
        episode="closure",
        year=_year(event),
        started_at=utc(event.occurred_at),
        outcome=event.data.get("ground"),
        detail="trial" if sent else "pre_trial",
        flag2=flagged("reconciliation_consent"),
        flag3=flagged("reconciliation_gravity"),
    )


def _verdict(event, after, timeline, by_code, codes, base, defined) -> Episode:
    sentence = event.data.get("sentence") or {}
    return Episode(
        **base,
        episode="verdict",
        person=_person(event),
        year=_year(event),
        started_at=utc(event.occurred_at),
        outcome=event.data.get("outcome"),
        detail=sentence.get("kind"),
    )


def _appeal(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    decided = _first(after, frozenset({"appeal.decided"}), person)
    late = any(
        f.person == person
        and event.id in f.evidence
        and f.met_at is not None
        and f.due_at is not None
        and f.met_at > f.due_at
        for f in by_code.get(codes.get("appeal_late", ""), ())
    )
    return Episode(
        **base,
        episode="appeal",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        late=late,
        outcome=str(decided.data.get("outcome")).strip().lower() if decided else None,
        detail=event.data.get("by"),
    )


def _death(event, after, timeline, by_code, codes, base, defined) -> Episode:
    person = _person(event)
    before = []
    for e in timeline:  # the episode the person was under when they died
        if e.occurred_at > event.occurred_at or e is event:
            break
        if _person(e) == person:
            before.append(e)
    held = in_force(defined, before).get(person)
    return Episode(
        **base,
        episode="death",
        person=person,
        year=_year(event),
        started_at=utc(event.occurred_at),
        outcome=str(event.data.get("cause", "")).strip().lower(),
        detail=held.measure if held else "none",
    )


def _ended_by(end: Event | None, defined: Episodes) -> str | None:
    """How a detention ended: the episode its closing act opens (custody, house arrest, bail),
    else released or death."""
    if end is None:
        return None
    opened = [name for name, renews in defined.index[1].get(end.kind, ()) if not renews]
    return opened[0] if opened else _ENDED_BY.get(end.kind, end.kind)


# The makers of the episodes the law defines, by name (opened by its `opens` acts), and of the
# other things counted, by the kind that starts them.
_HELD = {"detention": _detention, "custody": _custody, "prison": _prison}
_OTHERS = {
    "custody.petitioned": _petition,
    "complaint.filed": _complaint,
    "case.closed": _closure,
    "verdict.delivered": _verdict,
    "appeal.filed": _appeal,
    "death.recorded": _death,
}


def _makers(defined: Episodes) -> dict:
    makers = dict(_OTHERS)
    for name, maker in _HELD.items():
        for kind in defined.episodes[name].opens if name in defined.episodes else ():
            makers[kind] = maker
    return makers
