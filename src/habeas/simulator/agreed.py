"""Whose agreement an extension needs, remembered per class of case (a part of `AskingTheLaw`).

The law's ladders (`agreements`) read, of a case: the kinds the ladder names (the series, its
base, resets, its end, pauses, agreements) in their order, with the person each concerns and
the time of each; the extension's own data and time; the offence or the age only where the
ladder mentions them; and, through the dates, the law in force. The key of a class holds all
of it, the times in one of two forms the engine may show, as the other asks' answers are
remembered (`asking`): by `day` (the days of the facts, the extension's time and its `until`
exactly: a ladder counting in days or months from the day after a fact), or by `shift` (the
days of the facts and every time counted from the first of them: a ladder counting to the
minute). A form is taken for a class once two asks whose facts fell at different minutes gave
the same answer (for a new class's first answer once it held for `TRUSTED` classes of the same
shape of case), and dropped for the whole shape of case the first time two disagree; until
then, and for everything else, the law is asked. `check_law=True` asks every case as well and
fails on any difference (`tests/simulator`).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta
from typing import Any

from habeas.simulator.agreements import Needed, ladders
from habeas.simulator.asking import TRUSTED
from habeas.simulator.model import CaseRun, LawMismatch

FORMS = ("day", "shift")
# a word of the case a rule may read, as a word of its own (`gravity_in`, not `regional`)
_CASE_WORDS = re.compile(r"(?<![a-z])(gravity|article|part|region|erdr|from_rule|recorded)(?![a-z])")
_NOT_READ = {"citations", "title", "message", "certainty"}  # what a rule says of itself, not of a case
_PLAIN = (str, int, float, bool)  # data values the key holds as they are


class RememberedAgreements:
    """The `agreements` asks of `Simulation`, remembered per class of case."""

    law: Any
    start: datetime
    now: float
    check_law: bool

    def _init_agreed(self) -> None:
        self._agreed: dict[tuple, tuple] = {}
        self._refuted: set[tuple] = set()  # (shape, form): two asks of the law disagreed
        self._trusted: dict[tuple, int] = {}  # (shape, form): classes whose answer it bore out
        self._vocabulary: dict[str, tuple[frozenset[str], tuple[str, ...], bool, bool] | None] = {}
        self.agreements = self.agreements_remembered = 0  # extensions, and those not asked of the law

    def _needed(self, c: CaseRun, considered: dict) -> Needed:
        """The prosecutors' levels the law's ladders ask for the extension `considered` (made
        now) on the case's facts, remembered per class of case where the law has shown a form."""
        self.agreements += 1
        keys = self._agreement_keys(c, considered)
        if keys is None:
            return self._needed_asked(c, considered)
        shape, signature, by_form = keys
        for form, key in zip(FORMS, by_form, strict=True):
            known = self._agreed.get(key)
            if known is not None and known[0] == "same" and (shape, form) not in self._refuted:
                if self.check_law and known[1] != self._needed_asked(c, considered):
                    raise LawMismatch(f"agreements for {c.case}: remembered {known[1]}, the law says otherwise")
                self.agreements_remembered += 1
                return known[1]
        answer = self._needed_asked(c, considered)
        for form, key in zip(FORMS, by_form, strict=True):
            self._learn_agreed(shape, form, key, signature, answer)
        return answer

    def _learn_agreed(self, shape: tuple, form: str, key: tuple, signature: tuple, answer: Needed) -> None:
        """What the law's answers show of a class: the same answer at different minutes (its form
        holds), or not (the form is dropped for the shape). A shape whose form has held for
        `TRUSTED` classes takes a new class's first answer, as `asking` takes a new day's."""
        known = self._agreed.get(key)
        if known is None:
            trusted = self._trusted.get((shape, form), 0) >= TRUSTED
            self._agreed[key] = ("same", answer) if trusted else ("seen", signature, answer)
        elif known[0] == "seen" and known[1] != signature:
            if known[2] == answer:
                self._agreed[key] = ("same", answer)
                self._trusted[(shape, form)] = self._trusted.get((shape, form), 0) + 1
            else:
                self._agreed[key] = ("ask",)
                self._refuted.add((shape, form))

    def _agreement_keys(self, c: CaseRun, considered: dict) -> tuple[tuple, tuple, tuple[tuple, tuple]] | None:
        """The class of case of an ask, by each form, with the shape of case (the kinds, in
        order, and what the ladder reads besides the times) and the asked facts' own minutes;
        None when no ladder judges the kind, or the extension's data hold more than plain
        values (then the law is asked)."""
        kind, data = considered["kind"], considered["data"]
        reads = self._ladder_reads(kind)
        if reads is None:
            return None
        vocabulary, fields, offence, age = reads
        other = []
        for name, value in data.items():
            if name not in fields:
                if value is not None and value.__class__ not in _PLAIN:
                    return None
                other.append((name, value))
        try:
            until = tuple(datetime.fromisoformat(data[name]) - self.start for name in fields if name in data)
        except (TypeError, ValueError):
            return None
        day = self._day
        facts = [(r[3], r[5].get("person"), math.floor(r[1] * 60)) for r in c.records if r[3] in vocabulary]
        now = math.floor(self.now * 60)
        minutes = [m for _, _, m in facts]
        days = (tuple((k, person, day(m)) for k, person, m in facts), day(now), tuple(sorted(other)))
        shape = (
            kind,
            tuple(k for k, _, _ in facts),
            (c.article, c.part, c.gravity, c.region) if offence else None,
            c.birth if age else None,
            tuple(sorted(data)),
        )
        ref = minutes[0] if minutes else now
        moved = tuple(t - timedelta(minutes=ref) for t in until)
        by_day = ("day", shape, days, now, until)
        by_shift = ("shift", shape, days, tuple(m - ref for m in minutes), now - ref, moved)
        return shape, (*minutes, now), (by_day, by_shift)

    def _ladder_reads(self, kind: str) -> tuple[frozenset[str], tuple[str, ...], bool, bool] | None:
        """The kinds the ladders judging `kind` name, the fields of the extension they read as
        times, and whether they may read the offence (or region) and the age: any mention
        counts (when in doubt, they read it)."""
        if kind not in self._vocabulary:
            document = ladders(self.law, kind)
            if document is None:
                self._vocabulary[kind] = None
            else:
                rules = document.rules
                text = json.dumps([r.model_dump(mode="json", exclude_none=True, exclude=_NOT_READ) for r in rules])
                self._vocabulary[kind] = (
                    frozenset(k for rule in rules for k in rule.kinds_used()),
                    tuple(sorted({rule.field for rule in rules})),
                    _CASE_WORDS.search(text) is not None,
                    '"minor"' in text or '"from_rule"' in text,
                )
        return self._vocabulary[kind]
