"""Findings: what the law says about the facts (design §2 "finding").

A `Finding` is either a deadline (a clock that started with an event and stops
with a closing event, `due_at` set) or an instantaneous violation (`due_at` None,
breached from the offending event on). Its status is a function of the facts it
was computed from and the time asked about:

- `met`: the closing event occurred at or before `due_at` (and by `at`);
- `breached`: `at` is past `due_at` with no closing event by `at`, or the closing
  event came late, or the finding is a violation;
- `open`: otherwise, including `at == due_at` with nothing closing yet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

Status = Literal["open", "breached", "met"]
DEADLINE, VIOLATION = "deadline", "violation"
# A question a rule cannot decide for want of a fact the law needs (the offence's gravity, when
# the catalogue does not hold the article): open, with no due time, never a breach.
UNDECIDED = "undecided"
STATUS_ORDER = {"breached": 0, "open": 1, "met": 2}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclass(frozen=True)
class Finding:
    code: str
    person: str | None
    started_at: datetime | None
    due_at: datetime | None
    met_at: datetime | None
    evidence: tuple[str, ...]
    citation: str
    citations: tuple[str, ...] = ()
    certainty: str = "-"
    valid_from: date | None = None
    kind: str = DEADLINE  # "deadline" or "violation"
    parameter: str | None = None  # the law parameter whose version was applied
    message: str = ""  # message key in the jurisdiction's catalogues
    params: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_violation(self) -> bool:
        return self.kind == VIOLATION

    def status_at(self, at: datetime) -> Status:
        if self.kind == VIOLATION:
            return "breached"
        if self.met_at is not None and self.met_at <= at:
            if self.due_at is None or self.met_at <= self.due_at:
                return "met"
            return "breached"
        if self.due_at is not None and at > self.due_at:
            return "breached"
        return "open"

    def urgency(self, at: datetime) -> tuple:
        """Sort key, most urgent first: breached (longest overdue first), then open by due."""
        status = self.status_at(at)
        when = self.due_at or self.started_at
        return (
            STATUS_ORDER[status],
            self.due_at is None and status == "open",
            when.timestamp() if when is not None else float("inf"),
            self.code,
            self.person or "",
            self.evidence,
        )

    def to_dict(self, at: datetime) -> dict[str, Any]:
        """The contract shape of design §5 (plus what a reader of the finding needs)."""
        return {
            "code": self.code,
            "status": self.status_at(at),
            "person": self.person,
            "due_at": _iso(self.due_at),
            "citation": self.citation,
            "evidence": list(self.evidence),
            "kind": self.kind,
            "started_at": _iso(self.started_at),
            "met_at": _iso(self.met_at),
            "citations": list(self.citations),
            "certainty": self.certainty,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "parameter": self.parameter,
            "message": self.message,
            "params": dict(self.params),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Finding:
        """The finding back from `to_dict`'s shape (its `status`, if any, is not read: it
        depends on the time asked about): a projection keeps findings as such records."""
        started, due, met = record["started_at"], record["due_at"], record["met_at"]
        valid_from = record.get("valid_from")
        return made(
            record["code"],
            record.get("person"),
            _moment(started),
            _moment(due),
            _moment(met),
            tuple(record.get("evidence") or ()),
            record.get("citation") or "",
            tuple(record.get("citations") or ()),
            record.get("certainty") or "-",
            date.fromisoformat(valid_from) if valid_from else None,
            record.get("kind") or DEADLINE,
            record.get("parameter"),
            record.get("message") or "",
            record.get("params") or {},
            (started, due, met),
        )


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


_new, _set = object.__new__, object.__setattr__


def made(
    code: str,
    person: str | None,
    started_at: datetime | None,
    due_at: datetime | None,
    met_at: datetime | None,
    evidence: tuple[str, ...],
    citation: str,
    citations: tuple[str, ...],
    certainty: str,
    valid_from: date | None,
    kind: str,
    parameter: str | None,
    message: str,
    params: Mapping[str, Any],
    spelt: tuple[str | None, str | None, str | None] | None = None,
) -> Finding:
    """`Finding(...)` with every field given: the same object, without the frozen
    dataclass's `object.__setattr__` per field (a third of a finding's cost to the judge).
    `spelt`: its started_at, due_at and met_at as ISO text, when the judge has spelt them
    already (kept beside the fields, not one of them: see `spelt_times`)."""
    finding = _new(Finding)
    fields = {
        "code": code,
        "person": person,
        "started_at": started_at,
        "due_at": due_at,
        "met_at": met_at,
        "evidence": evidence,
        "citation": citation,
        "citations": citations,
        "certainty": certainty,
        "valid_from": valid_from,
        "kind": kind,
        "parameter": parameter,
        "message": message,
        "params": params,
    }
    if spelt is not None:
        fields["_spelt"] = spelt
    _set(finding, "__dict__", fields)  # the fields as the instance's own dict, not copied into it
    return finding


def spelt_times(finding: Finding) -> tuple[str | None, str | None, str | None]:
    """The finding's started_at, due_at and met_at in ISO text: as the judge spelt them (an
    ISO time costs ≈ 1 µs), else spelt now (a finding made otherwise, or `replace`d)."""
    spelt = finding.__dict__.get("_spelt")
    if spelt is not None:
        return spelt
    return _iso(finding.started_at), _iso(finding.due_at), _iso(finding.met_at)


# The brief names both; a deadline is a finding that has a due time.
Deadline = Finding
