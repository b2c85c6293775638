"""Extensions, closure and court: the end of a detailed case."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from habeas.simulator.detailed.model import _add_months, _Case, _h, _office, _Suspect


class Court:
    """A part of `Caseload`: extensions, closure, the court and prison."""

    def _extend_investigation(self, c: _Case, registered: datetime, end: datetime, after: datetime) -> list:
        """The prosecutor extends the term before it runs out (rarely not: a breach)."""
        rng = self.rng
        due = self._until("KZ-INVESTIGATION-TERM", c.registration)
        if due is None:
            return []
        acts = []
        while end > due:
            if self._breach(self.fig["breach_weights"]["extension_missed"]):
                break
            at = max(
                _office(due - timedelta(days=self._pace("investigation_extension_lead_days")), rng, self.calendar),
                after + _h(1),
            )
            if at >= due:
                break
            due = _add_months(due, rng.choice(self.fig["extension_months"]["investigation"]))
            extended = self._event(at, "investigation.extended", c.case, c.prosecutor, {"until": due.isoformat()})
            acts.append(extended)
            # the prosecutor of the level the law names for the step extends (as a breach, unsaid)
            agreements = self._agreements(extended[1], c, c.registration)
            if agreements and not self._breach(self.fig["breach_weights"]["extension_missed"]):
                extended[1]["data"]["level"], extended[1]["actor"] = agreements[0]
        return acts

    def _custody_until(self, c: _Case, end: datetime, after: datetime) -> list:
        """Custody extended for those held until `end`, by the judge of the stage."""
        rng = self.rng
        acts: list = []
        judge = self._judge("custody.extended", c)
        for s in c.suspects:
            while s.in_custody and s.until < end:
                at = max(s.until - timedelta(days=self._pace("custody_extension_lead_days")), after + _h(1))
                new = _add_months(s.until, rng.choice(self.fig["extension_months"]["custody"]))
                if not c.in_court and s.cap is not None and new > s.cap:
                    # the ladder is exhausted: released before the term ends
                    acts.append(
                        self._event(
                            at,
                            "person.released",
                            c.case,
                            c.investigator,
                            {"person": s.person, "ground": "custody term exhausted"},
                        )
                    )
                    s.in_custody = False
                    break
                extension = {"person": s.person, "until": new.isoformat()}
                extended = self._event(at, "custody.extended", c.case, judge, extension)
                acts.append(extended)
                if not c.in_court:
                    acts += self._agreed(c, s, extended[1], at)
                s.until = new
        return acts

    def _agreed(self, c: _Case, s: _Suspect, extension: dict, at: datetime) -> list:
        """The prosecutors' agreements the law asks for a pre-trial extension of custody, given
        on the petition before the judge extends (as a breach, none)."""
        context = (c.registration, s.party, s.detention, s.order)
        agreements = self._agreements(extension, c, *context)
        if not agreements or self._breach(self.fig["breach_weights"]["extension_missed"]):
            return []
        acts = []
        for level, prosecutor in agreements:
            at -= _h(self._pace("between_acts_hours"))
            agreed = {"event": extension["id"], "level": level}
            acts.append(self._event(at, "decision.approved", c.case, prosecutor, agreed))
        return acts

    def _close(self, c: _Case, t: datetime, ground: str, consent: bool = True) -> list:
        acts = []
        at = t - _h(2)
        for s in c.suspects:
            if s.in_custody:
                at += _h(self._pace("between_acts_hours"))
                acts.append(
                    self._event(
                        at, "person.released", c.case, c.investigator, {"person": s.person, "ground": "case closed"}
                    )
                )
                s.in_custody = False
        data: dict[str, Any] = {"ground": ground}
        if ground == "reconciliation":
            data["victim_consent"] = consent
        closed = self._event(t, "case.closed", c.case, c.investigator, data)
        acts.append(closed)
        approved = t + timedelta(days=self._pace("closure_approved_days"))
        acts.append(self._event(approved, "decision.approved", c.case, c.prosecutor, {"event": closed[1]["id"]}))
        return acts

    def _court(self, c: _Case, sent: datetime) -> list:
        rng = self.rng
        region = c.region
        court = f"court-{region}-district-{rng.randrange(1, 6)}"
        acts = [self._event(sent, "case.sent_to_court", c.case, c.prosecutor, {"court": court})]
        c.in_court = True
        judge = self._actor("judge", "j", region, court, 6)
        started = _office(sent + timedelta(days=self._pace("trial_start_days")), rng, self.calendar)
        verdict_at = _office(started + timedelta(days=self._pace("trial_days")), rng, self.calendar)
        acts += self._custody_until(c, verdict_at + timedelta(days=1), sent)
        acts.append(self._event(started, "trial.started", c.case, judge, {"court": court}))
        t = verdict_at
        for s in c.suspects:
            if s.done:
                continue
            t += _h(self._pace("between_acts_hours"))
            acts += self._verdict(c, s, t, judge)
        return acts

    def _verdict(self, c: _Case, s: _Suspect, t: datetime, judge: dict) -> list:
        """One defendant's verdict, and what follows: release, an appeal, prison."""
        rng = self.rng
        acts: list = []
        if rng.random() < self.p_acquitted:
            acts.append(
                self._event(t, "verdict.delivered", c.case, judge, {"person": s.person, "outcome": "acquitted"})
            )
            if s.in_custody:
                released = {"person": s.person, "ground": "acquitted"}
                acts.append(self._event(t + _h(0.3), "person.released", c.case, judge, released))
                s.in_custody = False
            return acts
        low, high = self._of(self.fig["sentence_months"], c.gravity)
        held = s.in_custody and rng.random() < self.fig["imprisoned_when_held"]
        if rng.random() < self._of(self.p_imprisoned, c.gravity) or held:
            sentence = {"kind": "imprisonment", "months": rng.randrange(low, high + 1)}
        else:
            sentence = {"kind": rng.choice(("fine", "restriction_of_freedom", "correctional_labour", "probation"))}
            if sentence["kind"] != "fine":
                sentence["months"] = rng.randint(*self.fig["non_custodial_months"])
        convicted = {"person": s.person, "outcome": "convicted", "sentence": sentence}
        verdict = self._event(t, "verdict.delivered", c.case, judge, convicted)
        acts.append(verdict)
        term = self._term("KZ-APPEAL-LATE", verdict[1])
        if sentence["kind"] != "imprisonment" and s.in_custody:
            released = {"person": s.person, "ground": "non-custodial sentence"}
            acts.append(self._event(t + _h(0.3), "person.released", c.case, judge, released))
            s.in_custody = False
        final = t + term
        if rng.random() < self.fig["appealed"]:
            final = self._appeal(c, s, t + term * self._share("appeal", self._breach()), acts)
        if sentence["kind"] == "imprisonment":
            officer = self._actor("prison_officer", "po", c.region, f"penitentiary-{c.region}", 30)
            admitted = _office(final + timedelta(days=self._pace("to_prison_days")), rng, self.calendar)
            facility = f"ec-{c.region}-{rng.randrange(1, 4)}"
            data = {"person": s.person, "facility": facility, "ground": "sentence"}
            acts.append(self._event(admitted, "prisoner.admitted", c.case, officer, data))
            s.in_custody = False
        return acts

    def _appeal(self, c: _Case, s: _Suspect, filed: datetime, acts: list) -> datetime:
        """An appeal filed (by counsel) and decided by the regional court: when the verdict stands."""
        rng, region = self.rng, c.region
        lawyer = s.lawyer or self._actor("defence_lawyer", "adv", region, f"bar-{region}", 80)
        acts.append(self._event(filed, "appeal.filed", c.case, lawyer, {"person": s.person, "by": lawyer["id"]}))
        final = _office(filed + timedelta(days=self._pace("appeal_days")), rng, self.calendar)
        appeal_judge = self._actor("judge", "aj", region, f"court-{region}-regional", 10)
        outcomes = self.fig["appeal_outcomes"]
        outcome = rng.choices(list(outcomes), list(outcomes.values()))[0]
        acts.append(
            self._event(final, "appeal.decided", c.case, appeal_judge, {"outcome": outcome, "person": s.person})
        )
        return final
