"""Group commit: many clerks write at once, the log takes them in groups.

Appends are serialised (one chain, one order), so one transaction per event caps the
register at one fsync per event however many requests wait. Here the first request to
arrive leads: it takes every request waiting at that moment into one transaction
(`Register.submit_group`), while the requests that arrive meanwhile wait for the next
group, led by one of them. Each request still gets its own answer and its own refusal.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from habeas.domain.events import Actor, Event
from habeas.services.register import Outcome, Register

MAX_GROUP = 500  # events per transaction, so one group's projection work stays short


@dataclass(slots=True)
class _Waiting:
    event: dict | Event  # the raw JSON object, or the Event its caller parsed
    registrar: Actor | None
    done: bool = False
    answer: Outcome | BaseException | None = None


class GroupCommitter:
    """Thread-safe `submit`: the register's answer for one event, committed in a group."""

    def __init__(self, register: Register, max_group: int = MAX_GROUP):
        self.register = register
        self.max_group = max_group
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)
        self._queue: list[_Waiting] = []
        self._leading = False
        self.groups = 0  # transactions committed (the bench reads it)

    def submit(self, event: dict | Event, registrar: Actor | None = None) -> Outcome:
        """Record `event` (as `Register.submit`); raises its Refused or StorageFailed."""
        mine = _Waiting(event, registrar)
        with self._turn:
            self._queue.append(mine)
            while self._leading and not mine.done:
                self._turn.wait()
            if not mine.done:
                self._leading = True
                group, self._queue = self._queue[: self.max_group], self._queue[self.max_group :]
        if not mine.done:
            self._lead(group)
        if isinstance(mine.answer, BaseException):
            raise mine.answer
        return mine.answer  # type: ignore[return-value]

    def _lead(self, group: list[_Waiting]) -> None:
        try:
            answers: list = self.register.submit_group([(w.event, w.registrar) for w in group])
        except BaseException as exc:  # the database failed: every one of the group is told
            answers = [exc] * len(group)
        with self._turn:
            for waiting, answer in zip(group, answers, strict=True):
                waiting.answer = answer
                waiting.done = True
            self.groups += 1
            self._leading = False
            self._turn.notify_all()
