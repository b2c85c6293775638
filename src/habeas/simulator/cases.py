"""One case as a process of the engine: report, registration, suspect, detention, custody,
investigation, trial, verdict, prison and release.

A process yields what it waits for: an hour (float), or (pool, hours of work). It records a
fact now (`_emit`); who records it is the law's answer (`actors`), and every term the law's
(`asking`). Every time a process sets (an order's `until`, an extended term) lies after the
act that sets it: the register refuses what cannot be true.
"""

from __future__ import annotations

import math
from typing import Any

from habeas.law.offences import gravity_of
from habeas.simulator.model import (
    D_DECISION,
    D_HELD,
    D_IDENTIFY,
    D_INVESTIGATION,
    D_PETITION,
    D_REGISTRATION,
    D_RELEASE,
    D_TRIAL,
    D_TRIAL_WORK,
    D_WORK,
    EXTENSIONS,
    HOURS_PER_YEAR,
    U_ACQUITTED,
    U_AGE,
    U_ARTICLE,
    U_CONSENT,
    U_COUNSEL,
    U_COURT,
    U_DETAINED,
    U_EXTENSION,
    U_FOUND,
    U_GRANTED,
    U_GROUP,
    U_PETITION,
    U_PRISON,
    U_PROTOCOL_LATE,
    U_PROTOCOL_SHARE,
    U_QUALIFICATION,
    U_RECONCILE,
    U_REGION,
    U_RELATIVES,
    U_RELEASE_LATE,
    U_RIGHTS,
    U_TORTURE,
    CaseRun,
)


class CaseProcesses:
    """The processes of `Simulation` (a part of it: it reads its law, calibration and clock)."""

    def _case(self, c: CaseRun):
        cal, u, d = self.cal, c.u, c.d
        prob = cal.probabilities
        region = self.arrivals.region(u[U_REGION])
        drawn, article, part = self.arrivals.offence(u[U_GROUP], u[U_ARTICLE])
        key = (article, part, self._day(math.floor(self.now * 60)))
        if key not in self._gravity:
            self._gravity[key] = gravity_of(self.law, article, part, key[2])
        gravity = self._gravity[key] or drawn
        c.region, c.gravity, c.article, c.part = region, gravity, article, part
        self._totals(c).cases += 1
        self._emit(c, "report.received", {"channel": "in_person", "summary": f"a {gravity} offence"})
        reported = self.now
        begin = yield (self._pools_of[region][0], d[D_REGISTRATION])
        self._totals(c).registration_wait_hours += begin - reported
        registration: dict[str, Any] = {"erdr_number": f"{self.seed}{abs(c.number):09d}"[-12:], "article": article}
        if part is not None:
            registration["part"] = part
        registration["region"] = region
        registered_fact = self._emit(c, "case.registered", registration)
        registered = self.now
        if u[U_FOUND] >= prob["suspect_identified"].value:
            yield self._working(registered + d[D_INVESTIGATION])
            self._emit(c, "case.closed", {"ground": "no_evidence"})
            self._ended(c)
            return
        # the investigation's term, as the law gives it on the registration (asked now: the
        # prosecutor plans by it)
        term = self._ask("KZ-INVESTIGATION-TERM", c, registered_fact)
        yield registered + d[D_IDENTIFY]
        born = f"{self._day(math.floor(self.now * 60)).year - (18 + int(u[U_AGE] * 42))}-06-01"
        c.birth = self._date(born)
        suspect = {"person": "P1", "role": "suspect", "name": "Simulated Suspect", "birth_date": born}
        self._emit(c, "party.added", suspect)
        if u[U_DETAINED] < prob["detained"].of(gravity):
            yield from self._detention(c)
        yield from self._investigation(c, registered, term)
        to_court = prob["sent_to_court_held" if c.held_until is not None else "sent_to_court"].value
        if u[U_COURT] < to_court:
            self._totals(c).sent_to_court += 1
            self._emit(c, "case.sent_to_court", {"court": f"court-{region}-district"})
            imprisoned = yield from self._trial(c)
            self._ended(c)
            if imprisoned:
                yield from self._prison(c)
            return
        self._close(c)

    def _close(self, c: CaseRun) -> None:
        data: dict[str, Any] = {"ground": "no_evidence"}
        if c.gravity in ("minor", "medium", "misdemeanour") and c.u[U_RECONCILE] < 0.3:
            fail = self.cal.failures["reconciliation_without_consent"].value
            data = {"ground": "reconciliation", "victim_consent": c.u[U_CONSENT] >= fail}
        if c.held_until is not None:
            self._emit(c, "person.released", {"person": "P1", "ground": "case closed"})
            self._custody_ends(c)
        self._emit(c, "case.closed", data)
        self._ended(c)

    def _investigation(self, c: CaseRun, registered: float, term: float | None):
        """An investigator's hours (queued), within a calendar time (longer while the suspect
        is held); the prosecutor extends the term and the judge the custody before each ends,
        in time order, as a rule."""
        dur, fail = self.cal.durations, self.cal.failures
        yield (self._pools_of[c.region][0], c.d[D_WORK])
        end = self._working(max(self.now, registered + c.d[D_INVESTIGATION]))
        lead, step = dur["extension_lead"].median, dur["investigation_extension"].median
        extensions, missed = 0, False
        while True:
            term_at = term - lead if term is not None and not missed and end > term else math.inf
            custody_at = c.held_until - lead if c.held_until is not None and c.held_until < end else math.inf
            if term_at == custody_at == math.inf:
                break
            if term_at <= custody_at:
                chance = c.u[U_EXTENSION + extensions] if extensions < EXTENSIONS else self.spare.random()
                extensions += 1
                if chance < fail["extension_missed"].value:
                    missed = True
                    continue
                yield term_at
                term = max(term, self.now) + step  # a late extension still ends after it is made
                self._extend(c, "investigation.extended", {"until": self._iso(term)})
            else:
                yield custody_at
                self._extend_custody(c, end)
        yield end

    def _extend_custody(self, c: CaseRun, end: float) -> None:
        """The investigating judge extends custody within the ladder the law allows (`cap`);
        when it is exhausted, the person is released."""
        dur = self.cal.durations
        step, margin = dur["custody_extension"].median, dur["order_margin"].median
        held = max(c.held_until, self.now)
        longest = (c.cap if c.cap is not None else held + step) - margin
        extended = min(held + step, longest)
        if extended <= held + 1:
            self._emit(c, "person.released", {"person": "P1", "ground": "custody term exhausted"})
            self._custody_ends(c)
            return
        c.held_until = extended
        self._extend(c, "custody.extended", {"person": "P1", "until": self._iso(extended)})

    def _extend(self, c: CaseRun, kind: str, data: dict) -> None:
        """An extension with the agreements the law's ladder asks for its step: made by the
        prosecutor of the level named (`own`), or agreed by each named before the judge extends."""
        actor = self._actor_of(c, kind)
        needs = self._needed(c, {"kind": kind, "actor": actor, "data": data})
        by = needs.by(c.region, actor if needs.own else self._actor_of(c, "decision.approved"))
        if needs.own and by:
            data["level"], actor = by[0]
        else:
            extension = f"s{self.seed}-{self._seq + len(by) + 1}"  # the extension's id, recorded next
            for level, prosecutor in by:
                self._emit(c, "decision.approved", {"event": extension, "level": level}, prosecutor)
        self._emit(c, kind, data, actor)

    def _detention(self, c: CaseRun):
        u, d, emit = c.u, c.d, self._emit
        fail, prob = self.cal.failures, self.cal.probabilities
        self._totals(c).detentions += 1
        detained_at = self.now
        detention = emit(c, "person.detained", {"person": "P1", "place": "street"})
        limit = self._ask("KZ-DETENTION-LIMIT", c, detention)
        if u[U_RIGHTS] >= fail["rights_not_explained"].value:
            emit(c, "rights.explained", {"person": "P1", "rights": ["counsel", "silence", "interpreter"]})
        yield detained_at + 0.5
        delivery = emit(c, "person.delivered", {"person": "P1", "place": "police premises"})
        protocol_due = self._ask("KZ-DETENTION-PROTOCOL", c, delivery)
        if protocol_due is None:
            protocol_due = self.now + 1
        late = u[U_PROTOCOL_LATE] < fail["protocol_late"].value
        share = 1.3 if late else 0.2 + 0.7 * u[U_PROTOCOL_SHARE]
        yield self.now + (protocol_due - self.now) * share
        self._first_acts(c)
        if u[U_PETITION] < prob["custody_petition"].of(c.gravity):
            # preparing a petition takes its own time, whatever the limit: a short limit is missed
            yield detained_at + d[D_PETITION]
            self._totals(c).petitions += 1
            emit(c, "custody.petitioned", {"person": "P1"})
            emit(c, "custody.petition_received", {"person": "P1"})
            yield (self._pools_of[c.region][1], d[D_DECISION])
            if u[U_GRANTED] < prob["petition_granted"].value:
                self._custody_ordered(c, detention, detained_at)
                return
            emit(c, "custody.refused", {"person": "P1"})
        else:
            release = detained_at + d[D_RELEASE]
            if limit is not None and u[U_RELEASE_LATE] >= fail["release_late"].value:
                release = min(release, limit - 0.5)  # released in time, as a rule
            yield release
        self._totals(c).detention_hours += self.now - detained_at
        emit(c, "person.released", {"person": "P1", "ground": "no custody"})

    def _first_acts(self, c: CaseRun) -> None:
        """What follows a detention's protocol: examination, notices, counsel, questioning,
        the suspicion's qualification and approval, a complaint (each omitted as the
        calibrated failures say)."""
        u, emit, fail = c.u, self._emit, self.cal.failures
        emit(c, "medical.examined", {"person": "P1", "injuries": False})
        emit(c, "detention.protocol_drawn", {"person": "P1"})
        emit(c, "prosecutor.notified", {"person": "P1"})
        if u[U_RELATIVES] >= fail["relatives_not_told"].value:
            emit(c, "relatives.notified", {"person": "P1"})
        alone = u[U_COUNSEL] < fail["questioned_without_counsel"].value
        if not alone:
            emit(c, "counsel.admitted", {"person": "P1", "lawyer": f"adv-{c.region}"})
        emit(c, "person.questioned", {"person": "P1", "counsel_present": not alone})
        if u[U_QUALIFICATION] >= fail["qualification_late"].value:
            qualified = emit(c, "suspicion.qualified", {"person": "P1", "article": c.article})
            emit(c, "decision.approved", {"event": f"s{self.seed}-{qualified[0]}"})
        if u[U_TORTURE] < fail["torture_complaint"].value:
            emit(c, "complaint.filed", {"complaint": f"{c.case}-c1", "person": "P1", "about": "ill_treatment"})

    def _custody_ordered(self, c: CaseRun, detention: tuple, detained_at: float) -> None:
        """The investigating judge orders custody until the longest the law allows, less a margin."""
        dur = self.cal.durations
        self._totals(c).granted += 1
        actor = self._actor_of(c, "custody.ordered")
        considered = {
            "kind": "custody.ordered",
            "actor": actor,
            "data": {"person": "P1", "until": self._stamp(self.now)},
        }
        allowed = self._ask("KZ-CUSTODY-MAXIMUM", c, detention, considered=considered, counted_from=detention)
        c.cap = self._ask("KZ-CUSTODY-MAXIMUM", c, detention, considered=considered, cap=True, counted_from=detention)
        first = allowed if allowed is not None else self.now + dur["custody_extension"].median
        c.held_until = max(first - dur["order_margin"].median, self.now + 1)
        self._totals(c).detention_hours += self.now - detained_at
        self._totals(c).custody_orders += 1
        self._emit(c, "custody.ordered", {"person": "P1", "until": self._iso(c.held_until)})
        self._custody_begins(c)
        self._emit(c, "relatives.notified", {"person": "P1"})

    def _trial(self, c: CaseRun):
        """The trial to its verdict: whether the person goes to prison."""
        cal, u, d, emit = self.cal, c.u, c.d, self._emit
        court = f"court-{c.region}-district"
        yield (self._pools_of[c.region][2], d[D_TRIAL_WORK] / 10)
        yield self._working(self.now)  # the court sits on the law's working days
        emit(c, "trial.started", {"court": court})
        verdict_at = self._working(self.now + (d[D_HELD] if c.held_until is not None else d[D_TRIAL]))
        lead, step = cal.durations["extension_lead"].median, cal.durations["custody_extension"].median
        while c.held_until is not None and c.held_until < verdict_at:
            yield c.held_until - lead
            c.held_until = max(c.held_until, self.now) + step
            emit(c, "custody.extended", {"person": "P1", "until": self._iso(c.held_until)})
        yield verdict_at
        if u[U_ACQUITTED] < cal.probabilities["acquitted"].value:
            emit(c, "verdict.delivered", {"person": "P1", "outcome": "acquitted"})
            if c.held_until is not None:
                emit(c, "person.released", {"person": "P1", "ground": "acquitted"})
                self._custody_ends(c)
            return False
        imprisoned = u[U_PRISON] < cal.probabilities["imprisoned"].of(c.gravity)
        sentence = {
            "kind": "imprisonment" if imprisoned else "probation",
            "months": cal.durations["sentence_months"].of(c.gravity),
        }
        emit(c, "verdict.delivered", {"person": "P1", "outcome": "convicted", "sentence": sentence})
        self._sentenced(c)
        if not imprisoned and c.held_until is not None:
            emit(c, "person.released", {"person": "P1", "ground": "non-custodial sentence"})
            self._custody_ends(c)
        return imprisoned

    def _prison(self, c: CaseRun):
        """From the verdict to prison, the sentence served, and the release."""
        self._totals(c).prisoners += 1
        yield self._working(self.now + self.cal.durations["to_prison"].median)
        self._custody_ends(c)  # held under the verdict until admitted
        served = self._served_hours(c.gravity)
        self._totals(c).served_years += served / HOURS_PER_YEAR
        yield from self._serve(c, served)

    def _serve(self, c: CaseRun, served: float):
        self._emit(c, "prisoner.admitted", {"person": "P1", "facility": f"ec-{c.region}-1", "ground": "sentence"})
        self._gauge("prison", c.region, 1)
        yield self.now + served
        self._emit(
            c, "prisoner.released", {"person": "P1", "facility": f"ec-{c.region}-1", "ground": "sentence served"}
        )
        self._gauge("prison", c.region, -1)
        if self.now <= self.end_h:
            self.totals.released += 1

    def _served_hours(self, gravity: str) -> float:
        """How long a prison sentence for an offence of this gravity is served (hours)."""
        durations = self.cal.durations
        share = durations["served_share"].value if "served_share" in durations else 1.0
        return 24 * 30.44 * durations["sentence_months"].of(gravity) * share
