"""What the event-driven engine keeps: pools of officials, a running case, a run's totals.

Every time of the engine is an hour count from the period's start (negative before it: the
stock of prisoners and remand prisoners was admitted then).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import date

HOURS_PER_YEAR = 24 * 365

# the uniform draws of one case, by what they decide
(
    U_REGION, U_GROUP, U_ARTICLE, U_INV, U_PROS, U_IJ, U_JUDGE, U_FOUND, U_AGE, U_DETAINED,
    U_RIGHTS, U_PROTOCOL_LATE, U_PROTOCOL_SHARE, U_RELATIVES, U_COUNSEL, U_QUALIFICATION,
    U_TORTURE, U_PETITION, U_GRANTED, U_RELEASE_LATE, U_COURT, U_RECONCILE, U_CONSENT,
    U_ACQUITTED, U_PRISON, U_EXTENSION,
) = range(26)  # fmt: skip
EXTENSIONS = 6  # draws kept for missed extensions; more come from the run's spare stream
UNIFORMS = U_EXTENSION + EXTENSIONS
# the lognormal durations of one case (hours), by the calibration's name
DURATIONS = (
    "registration_work",
    "identify_suspect",
    "investigation",
    "investigation_work",
    "petition_preparation",
    "custody_decision_work",
    "release_without_petition",
    "trial",  # the judge's work: a tenth of it
    "trial",  # the calendar time to the verdict
    "trial_held",  # the calendar time to the verdict of a defendant held in custody
)
(
    D_REGISTRATION, D_IDENTIFY, D_INVESTIGATION, D_WORK, D_PETITION, D_DECISION, D_RELEASE, D_TRIAL_WORK, D_TRIAL,
    D_HELD,
) = range(10)  # fmt: skip


class Pool:
    """`size` officials, each free from some hour on: a request is served by the first free."""

    __slots__ = ("free", "served", "waited")

    def __init__(self, size: int, start: float = 0.0):
        self.free = [start] * max(1, size)
        self.waited = 0.0  # hours
        self.served = 0

    def serve(self, at: float, hours: float) -> tuple[float, float]:
        available = self.free[0]
        begin = at if at > available else available
        end = begin + hours
        heapq.heapreplace(self.free, end)
        self.waited += begin - at
        self.served += 1
        return begin, end


@dataclass
class Totals:
    """What a run did, counted as it went (the register judges the rest)."""

    cases: int = 0
    events: int = 0
    detentions: int = 0
    detention_hours: float = 0.0
    custody_orders: int = 0
    petitions: int = 0
    granted: int = 0
    sent_to_court: int = 0
    open_at_end: int = 0  # cases reported in the period and not ended by its end
    ended_in_period: int = 0
    prisoners: int = 0  # admitted to prison (cases of the period, whenever admitted)
    released: int = 0  # released from prison within the period (the stock's and the period's)
    served_years: float = 0.0  # the time those admitted serve, in all
    prison_at_start: int = 0  # serving a sentence when the period starts (the calibrated stock)
    remand_at_start: int = 0  # held in custody, unsentenced, when the period starts
    prison_at_end: int = 0  # serving a sentence at the period's end (of the stock, and admitted)
    remand_at_end: int = 0  # in custody with no verdict at the period's end
    prison_by_region: dict[str, int] = field(default_factory=dict)  # at the end
    prison_places: dict[str, int] = field(default_factory=dict)
    custody_days: float = 0.0  # days in custody within the period (for the average population)
    registration_wait_hours: float = 0.0


NO_ROLES: dict[str, str] = {}  # a case's roles before they are looked up (never written to)


class CaseRun:
    """One running case: its draws, what it holds, and its records so far."""

    __slots__ = (
        "number", "case", "region", "gravity", "article", "part", "who", "ident", "birth", "records",
        "held_until", "cap", "custody_from", "sentenced", "kinds", "stage", "roles", "events", "u", "d",
    )  # fmt: skip

    def __init__(self, number: int, case: str, u: list[float], d: list[float]):
        self.number, self.case, self.u, self.d = number, case, u, d
        self.records: list[tuple] = []
        self.events: list = []  # its records as the law's events, made as the law is asked (`asking`)
        self.kinds: set[str] = set()  # the kinds seen that move its stage, as the law defines it
        self.who: dict[str | None, dict] = {}  # its official of each role, once drawn
        self.stage: str | None = None  # that stage, kept as kinds are seen (None: the initial one)
        self.roles: dict[str, str] = NO_ROLES  # who records each kind at that stage, once looked up
        self.birth: date | None = None
        self.held_until: float | None = None  # while in custody: the order's `until`
        self.cap: float | None = None  # the latest `until` the custody ladder allows
        self.custody_from: float | None = None
        self.sentenced = False  # a verdict delivered (custody from then on is no remand)


class LawMismatch(AssertionError):
    """A remembered answer of the law differs from the law's answer for the case (a bug)."""
