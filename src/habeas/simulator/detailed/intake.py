"""A detailed case from its report to its end (closure or court)."""

from __future__ import annotations

from datetime import datetime, timedelta

from habeas.simulator.detailed.model import CHANNELS, _Case, _h, _office, _time


class Intake:
    """A part of `Caseload`: one case's phases."""

    # --- one case ----------------------------------------------------------------------------
    #
    # A case is a generator of (time, event) in its own time order. Each phase (intake, the
    # suspects, the end of the investigation, the court) builds its few events as a list,
    # sorts it by time (stable: a fact and what depends on it keep their order) and yields
    # it, so concurrent acts (two suspects, a custody extension and an investigation
    # extension) interleave truly while the case holds at most one phase in memory.

    def _case(self, number: int, reported: datetime):
        rng = self.rng
        reported = reported.replace(second=0, microsecond=0)
        c, summary = self._opened(number, reported)
        inv, case_id = c.investigator, c.case

        # Intake: the report, its registration in the ERDR (late, as a breach), the victim.
        report = {"channel": rng.choice(CHANNELS), "summary": summary}
        if c.victim:
            report["victim"] = "V1"
        received = self._event(reported, "report.received", case_id, inv, report)
        yield received
        limit = self._term("KZ-REPORT-REGISTRATION", received[1])
        share = self._share("registration", self._breach())
        registered = (reported + limit * share).replace(second=0, microsecond=0)
        erdr = f"{registered:%y}{self.arrivals.regions.index(c.region):02d}{number:08d}"
        data = {"erdr_number": erdr, "article": c.article, "part": c.part, "region": c.region}
        registration = self._event(registered, "case.registered", case_id, inv, data)
        c.registration = registration[1]
        yield registration
        t = registered
        if c.victim:
            t += _h(self._pace("victim_named_hours"))
            yield self._event(t, "party.added", case_id, inv, {"person": "V1", "role": "victim", "name": self._name()})

        # No crime after all, or no one identified: closed (the term extended meanwhile).
        roll = rng.random()
        if roll < self.fig["no_crime"]:
            closed = _office(t + timedelta(days=self._pace("closed_no_crime_days")), rng, self.calendar)
            yield from self._sorted(self._close(c, closed, "no_crime"))
            return
        unknown = self.fig["offender_unknown"]
        if roll < self.fig["no_crime"] + unknown.get(c.article, unknown["other"]):
            end = _office(registered + timedelta(days=self._pace("closed_unknown_offender_days")), rng, self.calendar)
            acts = self._extend_investigation(c, registered, end, t)
            yield from self._sorted(acts + self._close(c, end, "no_evidence"))
            return
        acts = self._suspects(c, t)
        yield from self._sorted(acts)
        yield from self._ending(c, registered, max(m for m, _ in acts))

    def _opened(self, number: int, reported: datetime) -> tuple[_Case, str]:
        """The case's region, offence (the calibrated mix) and the officials who handle it."""
        rng = self.rng
        # the one arrivals model: the region by its weight, the gravity by the year's mix, then
        # one of the caseload's offences of that gravity (by the law's catalogue on the day)
        region = self.arrivals.region(rng.random())
        wanted = self.arrivals.gravity(rng.random())
        of_gravity = [o for o in self._offences if self._gravity(o["article"], o["part"], reported) == wanted]
        offences = of_gravity or self._offences
        offence = rng.choices(offences, [o["weight"] for o in offences])[0]
        article, part, summary = offence["article"], offence["part"], offence["summary"]
        gravity = self._gravity(article, part, reported)
        if offence.get("body") == "anticorruption":
            body, role = f"anticorruption-{region}", "investigator"
        elif offence.get("body") == "prosecutor":
            body, role = f"prosecutor-{region}-investigations", "investigator"
        else:
            body = f"police-{region}-d{rng.randrange(1, 9)}"
            light = gravity in ("misdemeanour", "minor")
            role = "inquiry_officer" if light and rng.random() < self.fig["inquiry_officer"] else "investigator"
        inv = self._actor(role, "inv" if role == "investigator" else "inq", region, body, 60)
        pros = self._actor("prosecutor", "pr", region, f"prosecutor-{region}", 20)
        c = _Case(f"KZ-{reported.year}-{number:06d}", region, article, part, gravity, inv, pros)
        c.victim = offence["victim"]
        return c, summary

    def _suspects(self, c: _Case, t: datetime) -> list:
        """Suspects, identified within days; their flows run concurrently; perhaps a witness."""
        rng = self.rng
        count = 1 + sum(rng.random() < chance for chance in self.fig["more_suspects"])
        slowly = rng.random() < self.fig["identified_slowly"]
        found = t + _h(self._pace("identified_slowly_hours" if slowly else "identified_quickly_hours"))
        acts = []
        for k in range(1, count + 1):
            acts += self._suspect(c, f"P{k}", found + _h(self._pace("each_suspect_hours")))
        last = max(m for m, _ in acts)
        if rng.random() < self.fig["witness"]:
            last += _h(self._pace("witness_hours"))
            witness = {"person": "W1", "role": "witness", "name": self._name()}
            acts.append(self._event(last, "party.added", c.case, c.investigator, witness))
        return acts

    def _ending(self, c: _Case, registered: datetime, last: datetime):
        """The end of the investigation: closure, or the indictment sent to court."""
        rng = self.rng
        held = any(s.in_custody for s in c.suspects)
        days = self._pace("investigation_held_days") if held else self._pace("investigation_free_days")
        end = max(last + _h(self._pace("after_last_act_hours")), registered + timedelta(days=days))
        end = _office(end, rng, self.calendar)
        data = {"ground": "reconciliation", "victim_consent": True}
        reconciled = self._hypothetical(end, "case.closed", c.case, c.investigator, data)
        if (
            c.victim
            and not self._breaches("KZ-RECONCILIATION-GRAVITY", c.registration, reconciled)
            and rng.random() < self.fig["reconciled"]
        ):
            end = max(last + _h(2), registered + timedelta(days=self._pace("reconciliation_days")))
            end = _office(end, rng, self.calendar)
            ground = "reconciliation"
        elif rng.random() < self.fig["closed_no_evidence"]:
            ground = "no_evidence"
        else:
            ground = None
        acts = self._extend_investigation(c, registered, end, last)
        acts += self._custody_until(c, end + timedelta(days=1), last)
        if ground is not None:
            acts += self._close(c, end, ground, consent=not self._breach())
            yield from self._sorted(acts)
            return
        yield from self._sorted(acts)
        yield from self._sorted(self._court(c, end))

    @staticmethod
    def _sorted(acts: list) -> list:
        acts.sort(key=_time)
        return acts
