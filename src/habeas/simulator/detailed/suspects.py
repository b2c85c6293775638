"""A suspect's path: identified, summoned or detained, questioned, and the decision on liberty."""

from __future__ import annotations

from datetime import datetime, timedelta

from habeas.simulator.detailed.model import DETAINED_AT, _Case, _h, _Suspect


class Suspects:
    """A part of `Caseload`: one suspect's acts."""

    def _suspect(self, c: _Case, person: str, t: datetime) -> list:
        """One suspect from being identified to the pre-trial decision on his liberty."""
        rng = self.rng
        acts: list = []

        def add(moment, kind, actor, data):
            item = self._event(moment, kind, c.case, actor, data)
            acts.append(item)
            return item[1]

        t = t.replace(second=0, microsecond=0)
        minor = rng.random() < self.fig["minor_suspect"]
        foreign = rng.random() < self.fig["foreign_suspect"]
        language = rng.choice(("uz", "ky", "tg")) if foreign else rng.choice(("kk", "kk", "ru"))
        s = _Suspect(person, minor, language)
        c.suspects.append(s)
        low, high = self.fig["suspect_age"]["minor" if minor else "adult"]
        age = rng.randint(low, high)
        party = {"person": person, "role": "suspect", "name": self._name(), "birth_date": self._birth(t, age)}
        party["language"] = language
        if foreign:
            party["citizenship"] = rng.choice(("UZ", "KG", "TJ", "RU"))
        s.party = add(t, "party.added", c.investigator, party)
        alone = self._hypothetical(
            t + _h(1), "person.questioned", c.case, c.investigator, {"person": person, "counsel_present": False}
        )
        mandatory = self._breaches("KZ-COUNSEL", c.registration, s.party, alone)
        if rng.random() >= self._of(self.p_detained, c.gravity):
            self._summoned(c, s, t, add, mandatory)
        else:
            self._detained(c, s, t, add, mandatory)
        return acts

    def _summoned(self, c: _Case, s: _Suspect, t: datetime, add, mandatory: bool) -> None:
        """Summoned, not detained: questioned with counsel or after a valid waiver."""
        rng, inv, person = self.rng, c.investigator, s.person
        t += timedelta(days=self._pace("summoned_days"))
        counsel = mandatory or rng.random() < self.fig["counsel_summoned"]
        if counsel:
            add(t, "counsel.admitted", inv, {"person": person, "lawyer": f"adv-{c.region}-{rng.randrange(1, 81)}"})
        else:
            add(t, "counsel.waived", inv, {"person": person})
        t += _h(self._pace("questioned_hours"))
        add(t, "person.questioned", inv, {"person": person, "counsel_present": counsel})
        self._qualify(c, s, t + _h(self._pace("qualified_summoned_hours")), add)

    def _detained(self, c: _Case, s: _Suspect, t: datetime, add, mandatory: bool) -> None:
        """Detained: the clock of the detention limit runs from here."""
        rng, inv, person = self.rng, c.investigator, s.person
        s.detained = True
        detained = t
        s.detention = add(t, "person.detained", inv, {"person": person, "place": rng.choice(DETAINED_AT)})
        delivered = t + _h(self._pace("delivered_hours"))
        delivery = add(delivered, "person.delivered", inv, {"person": person, "place": f"{inv['agency']} premises"})
        t = delivered + _h(self._pace("after_delivery_hours"))
        if not self._breach():
            rights = ["counsel", "silence", "interpreter", "notify_relatives"]
            add(t, "rights.explained", inv, {"person": person, "rights": rights})
        if not self._breach():  # examined before the protocol
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            at = t + _h(self._pace("examined_hours"))
            add(at, "medical.examined", doctor, {"person": person, "injuries": rng.random() < self.fig["injuries"]})
        consulate = self._until("KZ-CONSULAR-NOTICE", s.detention, c.registration, s.party)
        if consulate is not None and not self._breach():  # a foreigner's consulate is told
            told = detained + (consulate - detained) * self._share("consulate", False)
            add(told, "consulate.notified", inv, {"person": person})
        protocol_limit = self._term("KZ-DETENTION-PROTOCOL", delivery)
        share = self._share("protocol", self._breach())
        protocol = max(delivered + protocol_limit * share, t + _h(0.1))
        drawn = add(protocol, "detention.protocol_drawn", inv, {"person": person})
        relatives_limit = self._term("KZ-RELATIVES-NOTICE", s.detention)
        share = self._share("relatives", self._breach())
        add(max(detained + relatives_limit * share, t), "relatives.notified", inv, {"person": person})
        prosecutor_limit = self._term("KZ-PROSECUTOR-NOTICE", drawn)
        share = self._share("prosecutor_notice", self._breach())
        add(protocol + prosecutor_limit * share, "prosecutor.notified", inv, {"person": person})
        questioned = self._questioned(c, s, t, protocol, add, mandatory)
        if rng.random() < self.fig["record_corrected"]:
            corrected = {
                "event": delivery["id"],
                "reason": "the place of delivery was mistyped",
                "data": {"place": f"{c.region} city police department"},
            }
            add(questioned + _h(self._pace("corrected_hours")), "record.corrected", inv, corrected)
        if rng.random() < self.cal.failures["torture_complaint"].value:
            self._torture_complaint(c, s, questioned + _h(self._pace("complaint_hours")), add)
        self._liberty(c, s, detained, questioned, add)

    def _questioned(self, c: _Case, s: _Suspect, t: datetime, protocol: datetime, add, mandatory: bool) -> datetime:
        """Counsel requested and admitted, or (where the law allows it) waived; the questioning
        and the suspicion's qualification. The time of the questioning."""
        rng, inv, person = self.rng, c.investigator, s.person
        requested = mandatory or rng.random() < self.fig["counsel_requested"]
        asked = t + _h(self._pace("counsel_asked_hours"))
        if requested:
            lawyer = self._actor("defence_lawyer", "adv", c.region, f"bar-{c.region}", 80)
            s.lawyer = lawyer
            admitted = asked + _h(self._pace("counsel_admitted_hours"))
            add(asked, "counsel.requested", inv, {"person": person})
            add(admitted, "counsel.admitted", inv, {"person": person, "lawyer": lawyer["id"]})
            if self._breach():  # questioned before the lawyer came
                questioned, present = asked + _h(self._pace("questioned_before_counsel_hours")), False
            else:
                questioned, present = admitted + _h(self._pace("questioned_hours")), True
        else:
            add(asked, "counsel.waived", inv, {"person": person})
            questioned, present = asked + _h(self._pace("questioned_hours")), False
        questioned = max(questioned, protocol + _h(0.05))
        add(questioned, "person.questioned", inv, {"person": person, "counsel_present": present})
        self._qualify(c, s, questioned + _h(self._pace("qualified_detained_hours")), add)
        return questioned

    def _liberty(self, c: _Case, s: _Suspect, detained: datetime, questioned: datetime, add) -> None:
        """The detention ends within its limit (or, as a breach, after it): released, or a
        custody petition and the investigating judge's decision."""
        rng, inv, person = self.rng, c.investigator, s.person
        limit = self._term("KZ-DETENTION-LIMIT", s.detention, c.registration, s.party)
        over = self._breach()
        if rng.random() >= self._of(self.p_petition, c.gravity):
            share = self._share("detention_without_petition", over)
            released = max(detained + limit * share, questioned + _h(0.2))
            if not over:
                released = min(released, detained + limit - _h(0.1))
            ground = rng.choice(("no grounds for custody", "undertaking not to leave", "bail"))
            add(released, "person.released", inv, {"person": person, "ground": ground})
            return
        petitioner = inv if inv["role"] == "investigator" else c.prosecutor
        petition = max(questioned + _h(0.5), detained + limit * self._share("petition", False))
        petitioned = add(petition, "custody.petitioned", petitioner, {"person": person})
        decide = self._term("KZ-CUSTODY-DECISION", petitioned)
        if over:
            decided = max(petition + _h(0.5), detained + limit * self._share("detention_with_petition", True))
        elif self._breach():
            decided = petition + decide * self._share("custody_decision", True)
        else:
            decided = min(petition + decide * self._share("custody_decision", False), detained + limit - _h(1.5))
            decided = max(decided, petition + _h(0.2))
        judge = self._judge("custody.ordered", c)
        if rng.random() < self.p_granted:
            self._held(c, s, detained, decided, judge, add)
            return
        add(decided, "custody.refused", judge, {"person": person})
        released = decided + _h(self._pace("released_after_refusal_hours"))
        add(released, "person.released", inv, {"person": person, "ground": "custody refused by the court"})

    def _held(self, c: _Case, s: _Suspect, detained: datetime, decided: datetime, judge: dict, add) -> None:
        """Custody ordered until the longest the law allows, less a margin; what follows it."""
        rng, person = self.rng, s.person
        data = {"person": person, "until": decided.isoformat()}
        considered = self._hypothetical(decided, "custody.ordered", c.case, judge, data)
        allowed = self._until("KZ-CUSTODY-MAXIMUM", considered, c.registration, s.party, s.detention)
        s.cap = self._longest(considered, c.registration, s.party, s.detention)
        allowed = allowed or decided + self.custody_step
        margin = rng.choice(self.fig["order_margin_days"])
        until = allowed - timedelta(days=margin, hours=self._pace("order_margin_hours"))
        order = add(decided, "custody.ordered", judge, {"person": person, "until": until.isoformat()})
        relatives = self._term("KZ-RELATIVES-NOTICE", order)
        share = self._share("relatives", self._breach())
        add(decided + relatives * share, "relatives.notified", c.investigator, {"person": person})
        s.in_custody, s.custody_from, s.until, s.order = True, detained, until, order
        if rng.random() < self.fig["examined_in_custody"]:
            doctor = self._actor("doctor", "doc", c.region, f"sizo-{c.region}-1", 6)
            at = decided + _h(self._pace("examined_in_custody_hours"))
            add(at, "medical.examined", doctor, {"person": person, "injuries": rng.random() < self.fig["injuries"]})
        if rng.random() < self.fig["death_in_custody"]:
            officer = self._actor("prison_officer", "po", c.region, f"sizo-{c.region}-1", 30)
            death = {"person": person, "place": f"sizo-{c.region}-1", "cause": "illness"}
            add(decided + timedelta(days=self._pace("death_days")), "death.recorded", officer, death)
            s.in_custody, s.done = False, True

    def _qualify(self, c: _Case, s: _Suspect, t: datetime, add) -> datetime:
        """The investigator's suspicion and, where the law needs it, the prosecutor's approval."""
        qualified = add(
            t, "suspicion.qualified", c.investigator, {"person": s.person, "article": c.article, "part": c.part}
        )
        approval = self._until("KZ-SUSPECT-APPROVAL", qualified)
        if approval is None:  # no approval needed before the three-tier model
            return t
        term = approval - t
        share = self._share("approval", self._breach())
        kind = "decision.rejected" if self.rng.random() < self.fig["approval_rejected"] else "decision.approved"
        add(t + term * share, kind, c.prosecutor, {"event": qualified["id"]})
        return t + term * share

    def _torture_complaint(self, c: _Case, s: _Suspect, t: datetime, add) -> None:
        rng = self.rng
        number = rng.randrange(1, 10_000)
        complaint = f"C-{c.case}-{s.person}-{number}"
        by_lawyer = s.lawyer and rng.random() < self.fig["complaint_by_lawyer"]
        by = s.lawyer if by_lawyer else {"id": f"{c.case}-{s.person}", "role": "person"}
        about = rng.choice(("torture", "ill_treatment", "ill_treatment"))
        filed = add(t, "complaint.filed", by, {"complaint": complaint, "person": s.person, "about": about})
        registration = self._term("KZ-TORTURE-REGISTRATION", filed)
        medical = self._term("KZ-TORTURE-MEDICAL", filed)
        # Such complaints often go unregistered or unexamined: breaches are likelier here.
        weights = self.fig["breach_weights"]
        if not self._breach(weights["complaint_not_registered"]):
            late = self._breach(weights["complaint_registered_late"])
            share = self._share("complaint_registration", late)
            add(
                t + registration * share,
                "complaint.registered",
                c.prosecutor,
                {"complaint": complaint, "erdr_number": f"T{c.case[-6:]}{number:04d}"},
            )
        if not self._breach(weights["complaint_not_examined"]):
            doctor = self._actor("doctor", "doc", c.region, f"ivs-{c.region}-1", 6)
            add(
                t + medical * self._share("complaint_examination", False),
                "medical.examined",
                doctor,
                {
                    "person": s.person,
                    "injuries": rng.random() < self.fig["injuries_after_complaint"],
                    "notes": "examined after a complaint",
                },
            )
