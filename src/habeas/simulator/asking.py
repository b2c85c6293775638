"""Asking the law: the hour a duty falls due, or how long custody may run, on a case's facts.

The law is asked, never copied: when a detention must end, how long custody may run, when an
investigation's term ends, all from the rules engine on the case's facts. Its answers are
remembered per class of case (the rule; the offence and its gravity when the rule may read
them; whether the suspect is a minor by the law's age of majority on the day; the law's version
period), and only in the form the engine itself showed: once two asks on
different days at different hours gave the same lapse, the answer moves with the time it
counts from; when they do not, the class is remembered per day, where two asks at different
hours must agree; otherwise every case is asked. `check_law=True` asks every case as well and
fails on any difference (`tests/simulator`).
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from datetime import date, datetime, timedelta
from typing import Any

from habeas.domain.case import fold_all
from habeas.domain.events import Actor, Event
from habeas.law.calendar import age_on
from habeas.law.package import Law, MissingLaw
from habeas.law.rules import due, get_rule, longest
from habeas.law.rules.loading import load_calendar
from habeas.law.rules.schema import Condition
from habeas.simulator.agreements import Needed, needed
from habeas.simulator.model import CaseRun, LawMismatch

TRUSTED = 3  # days a class of case must have kept one answer all day before a day's first is taken


class AskingTheLaw:
    """The engine's questions to the law (a part of `Simulation`: it reads its clock and records)."""

    law: Law
    start: datetime
    now: float
    check_law: bool

    def _init_asking(self) -> None:
        # every date on which a parameter of the law changes: answers are remembered within a period
        changes: set[date] = set()
        for parameter in self.law.parameters.values():
            for version in parameter.versions:
                changes.add(version.valid_from)
                if version.valid_until is not None:
                    changes.add(version.valid_until + timedelta(days=1))
        self._law_changes = sorted(changes)
        self._answers: dict[tuple, Any] = {}
        self._reads_age: dict[str, bool] = {}
        self._reads_case: dict[str, bool] = {}
        self._reading: dict[str, tuple[bool, bool]] = {}  # per rule: (reads the age, reads the offence)
        self._epochs: dict[date, int] = {}
        self._majority: dict[date, int | None] = {}
        self._dates: dict[int, date] = {}
        self._offset = self.start.hour * 60 + self.start.minute  # the start's minutes into its local day
        self.law_asked = 0  # how many times the rules engine was asked (the rest were remembered)
        self._folded: tuple | None = None  # the facts of the last ask, folded
        self._calendar = load_calendar(self.law)  # the law's working days (None: every day works)
        self._working_days: dict[date, int] = {}

    def _ask(self, code: str, c: CaseRun, start: tuple, *, considered: dict | None = None,
             cap: bool = False, counted_from: tuple | None = None) -> float | None:  # fmt: skip
        """The hour the duty `code` that `start` opens falls due (or, with `cap`, the longest
        custody may run), as the law says on the case's facts; `considered` is an act judged
        as if done now; `counted_from` is the fact the term is expected to run from (the
        answer is remembered only when the law's answers bear that out)."""
        # minutes, to the minute as the facts are stamped (floor: the stock's times are negative)
        at = math.floor((start[1] if considered is None else self.now) * 60)
        base = math.floor((counted_from or start)[1] * 60)
        day, base_day = self._day(at), self._day(base)
        reads = self._reading.get(code)
        if reads is None:
            reads = self._reading[code] = (self._reads(code), self._reads_offence(code))
        age = self._minor(c.birth, day) if reads[0] and c.birth is not None else None
        offence = (c.article, c.part, c.gravity) if reads[1] else None
        key = (code, cap, offence, age, self._epoch(day), self._epoch(base_day))
        form = self._answers.get(key)
        parent = None
        if form is not None and form[0] == "daily":
            parent, key = key, (*key, base_day)
            form = self._answers.get(key)
        elif form is not None and form[0] == "seen":  # undecided, but its day may have shown one answer
            form = self._answers.get((*key, base_day), form)
        if form is not None and form[0] in ("shift", "same"):
            answer = base + form[1] if form[0] == "shift" else form[1]
            if self.check_law and answer != self._asked(code, c, start, considered, cap):
                raise LawMismatch(f"{code} for {c.case}: remembered {answer}, the law says otherwise")
            return None if answer is None else answer / 60
        answer = self._asked(code, c, start, considered, cap)
        if form is None or form[0] == "seen":
            self._learn(key, form, parent, base, base_day, answer)
        return None if answer is None else answer / 60

    def _learn(self, key: tuple, form: tuple | None, parent: tuple | None, base: int, day: date,
               answer: float | None) -> None:  # fmt: skip
        """What two answers of the law for a class show: that they move with the time counted
        from (`shift`), or, within a day, that they stay the `same`; else the class is asked
        per day (`daily`) or per case (`ask`). A class whose days have stayed the same on
        `TRUSTED` days takes a new day's first answer for the day. Before a second day tells
        the form, two asks at different minutes of the first day that agree give that day's
        answer (as a `daily` class's day would)."""
        answers = self._answers
        if form is None:
            if parent is not None and answers[parent][1] >= TRUSTED:
                answers[key] = ("same", answer)
            else:
                answers[key] = ("seen", base, day, answer)
            return
        _, base1, day1, answer1 = form
        if parent is None and day1 == day and base1 != base and answer == answer1:
            answers[(*key, day)] = ("same", answer)  # the day's answer, as a `daily` class's day
            return  # whether the class moves with the time or by the day: no telling yet
        if base1 == base or (parent is None and (day1 == day or (base - base1) % 1440 == 0)):
            return  # no telling yet
        if answer is None or answer1 is None:
            shape = ("same", None) if answer is None and answer1 is None else None
        elif answer - answer1 == base - base1:
            shape = ("shift", answer1 - base1)
        elif parent is not None and answer == answer1:
            shape = ("same", answer1)
        else:
            shape = None
        if parent is None:
            answers[key] = shape or ("daily", 0)
            return
        answers[key] = shape or ("ask",)
        trusted = answers[parent][1]
        answers[parent] = ("daily", trusted + 1 if shape is not None and shape[0] == "same" else -math.inf)

    def _asked(self, code: str, c: CaseRun, start: tuple, considered: dict | None, cap: bool) -> float | None:
        """The rules engine's answer on the case's facts so far (minutes from the period's start)."""
        self.law_asked += 1
        key = (c.number, len(c.records), considered is not None, self.now)
        if self._folded is not None and self._folded[0] == key:  # the same facts, asked another rule
            _, state, events = self._folded
        else:
            events = self._events_of(c)
            if considered is not None:
                events.append(
                    Event(
                        id="considered",
                        kind=considered["kind"],
                        case=c.case,
                        occurred_at=datetime.fromisoformat(self._stamp(self.now)),
                        actor=Actor.from_dict(considered["actor"]),
                        data=considered["data"],
                    )
                )
            state = fold_all(events)
            self._folded = (key, state, events)
        event = events[-1] if considered is not None else events[c.records.index(start)]
        answer = (longest if cap else due)(self.law, code, state, event)
        return None if answer is None else (answer - self.start).total_seconds() / 60

    def _needed_asked(self, c: CaseRun, considered: dict) -> Needed:
        """The prosecutors' levels the law's ladders ask for the extension `considered` (made
        now) on the case's facts (`agreements`), asked of the law (`agreed` remembers them)."""
        self.law_asked += 1
        events = self._events_of(c)
        stamp = datetime.fromisoformat(self._stamp(self.now))
        actor = Actor.from_dict(considered["actor"])
        events.append(Event(id="considered", kind=considered["kind"], case=c.case, occurred_at=stamp, actor=actor,
                            data=considered["data"]))  # fmt: skip
        return needed(self.law, fold_all(events), considered["kind"], "considered")

    def _events_of(self, c: CaseRun) -> list[Event]:
        """The case's records as the law reads them (a new list): each built once, when first asked."""
        made = c.events
        for record in c.records[len(made) :]:
            made.append(self._event(record))
        return list(made)

    def _minor(self, birth: date, day: date) -> bool | int:
        """Whether the person is a minor on `day`, by the law's age of majority then: a rule
        reads the age only through `minor`, so the classes of case need no finer age (without
        that parameter, the age itself)."""
        if day not in self._majority:
            try:
                self._majority[day] = self.law.value(Condition.AGE_OF_MAJORITY, day)
            except MissingLaw:
                self._majority[day] = None
        majority = self._majority[day]
        age = age_on(birth, day)
        return age if majority is None else age < majority

    def _reads_offence(self, code: str) -> bool:
        """Whether rule `code` may read what differs between the engine's cases besides the
        times and the age: the offence (article, part, gravity), the region or the ERDR number
        (any mention of them, or of another rule, counts: when in doubt, it reads them)."""
        if code not in self._reads_case:
            text = json.dumps(get_rule(self.law, code).model_dump(mode="json", exclude_none=True))
            self._reads_case[code] = any(
                word in text for word in ("gravity", "article", "part", "region", "erdr", "from_rule", "recorded")
            )
        return self._reads_case[code]

    def _reads(self, code: str) -> bool:
        """Whether rule `code` reads the person's age (a `minor` condition; a rule that borrows
        another's term is taken to read everything)."""
        if code not in self._reads_age:
            text = json.dumps(get_rule(self.law, code).model_dump(mode="json", exclude_none=True))
            self._reads_age[code] = '"minor"' in text or '"from_rule"' in text
        return self._reads_age[code]

    def _working(self, hours: float) -> float:
        """The same hour on the same or the next working day by the law's calendar: when an
        unhurried act (a trial's verdict, a case sent to court, an admission) falls."""
        if self._calendar is None:
            return hours
        day = self._day(math.floor(hours * 60))
        shift = self._working_days.get(day)
        if shift is None:
            shift = self._working_days[day] = (self._calendar.next_working_day(day)[0] - day).days
        return hours + 24 * shift

    def _epoch(self, day: date) -> int:
        """Which period between the law's changes `day` lies in."""
        epoch = self._epochs.get(day)
        if epoch is None:
            epoch = self._epochs[day] = bisect_right(self._law_changes, day)
        return epoch

    def _day(self, minutes: int) -> date:
        """The local date `minutes` after the period's start (before it, when negative)."""
        n = (minutes + self._offset) // 1440
        day = self._dates.get(n)
        if day is None:
            day = self._dates[n] = (self.start + timedelta(minutes=n * 1440 - self._offset)).date()
        return day
