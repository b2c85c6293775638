"""Law scenarios, OpenFisca-style: facts in, findings out (`<jurisdiction>/cases/*.yaml`).

A scenario file:

    defaults:                      # optional; merged into every event
      case: KZ-2024-000001
      actor: {id: inv-1, role: investigator, agency: police-1}
      data: {person.detained: {place: street}}   # default data fields by kind
    setup: [<event>, ...]          # optional; events put before every scenario's own
    scenarios:
      - name: adult held 49 h after the 2018 reform
        events:
          - {kind: person.detained, occurred_at: "2018-01-01T10:00:00+05:00", data: {person: P1}}
        at: "2018-01-03T11:00:00+05:00"
        codes: [KZ-DETENTION-LIMIT]   # optional: compare only these codes
        findings:                     # exactly the open/breached findings as of `at`
          - {code: KZ-DETENTION-LIMIT, status: breached, person: P1,
             due_at: "2018-01-03T10:00:00+05:00", evidence: [e1]}
             # optional too: kind (deadline, violation, undecided) and params ("a.b": key b of a)
        met:                          # optional: deadlines that must be met as of `at`
          - {code: KZ-DETENTION-LIMIT, person: P1}

Events are in the import format of design §4; `id` defaults to e1, e2, ... by position
(s1, s2, ... in `setup`),
`by: ROLE` is a shorthand for an actor of that role. Every event goes through
`parse_event` -> `fold_all` -> `judge`, as in the register.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.package import Law
from habeas.law.rules import evaluate, judge

DEFAULT_CASE = "KZ-TEST-000001"
DEFAULT_ACTOR = {"id": "inv-1", "role": "investigator", "agency": "police-test"}


class ScenarioFailure(AssertionError):
    pass


def build_events(raw_events: list[Mapping[str, Any]], defaults: Mapping[str, Any], prefix: str = "e") -> list:
    events = []
    data_defaults = defaults.get("data", {})
    for number, raw in enumerate(raw_events, start=1):
        raw = dict(raw)
        by = raw.pop("by", None)
        event = {
            "id": raw.pop("id", f"{prefix}{number}"),
            "kind": raw.get("kind"),
            "case": raw.pop("case", defaults.get("case", DEFAULT_CASE)),
            "occurred_at": str(raw.get("occurred_at")),
            "actor": raw.pop("actor", None)
            or ({"id": f"{by}-1", "role": by} if by else dict(defaults.get("actor", DEFAULT_ACTOR))),
            "data": {**data_defaults.get(raw.get("kind"), {}), **raw.get("data", {})},
        }
        events.append(parse_event(event))
    return events


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.utcoffset() is None:
        raise ScenarioFailure(f"time {value!r} has no UTC offset")
    return moment


def _row(code, status, person, due_at) -> tuple:
    due = _moment(due_at) if due_at is not None else None
    return (code, status, person, due.timestamp() if due else None)


def _param(params: Mapping[str, Any], name: str) -> Any:
    value: Any = params
    for step in name.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value


def run(law: Law, scenario: Mapping[str, Any], defaults: Mapping[str, Any], setup=()) -> None:
    """Raise ScenarioFailure (with a readable diff) unless the findings are as expected."""
    events = build_events(list(setup), defaults, "s")
    events += build_events(scenario.get("events", []), defaults, "e")
    state = fold_all(events)
    at = _moment(scenario["at"])
    codes = scenario.get("codes")
    got = [f for f in judge(state, law, at) if not codes or f.code in codes]
    want = scenario.get("findings", [])
    got_rows = sorted((_row(f.code, f.status_at(at), f.person, f.due_at) for f in got), key=str)
    want_rows = sorted((_row(w["code"], w["status"], w.get("person"), w.get("due_at")) for w in want), key=str)
    problems = []
    if got_rows != want_rows:
        shown = "\n".join(
            f"    {f.code} {f.status_at(at)} person={f.person} due_at="
            f"{f.due_at.isoformat() if f.due_at else None} evidence={list(f.evidence)}"
            for f in got
        )
        problems.append(f"findings differ; expected {want_rows}\n  got:\n{shown or '    none'}")
    else:
        for w in want:
            row = _row(w["code"], w["status"], w.get("person"), w.get("due_at"))
            match = [f for f in got if _row(f.code, f.status_at(at), f.person, f.due_at) == row]
            if "evidence" in w and not any(set(w["evidence"]) <= set(f.evidence) for f in match):
                problems.append(f"{w['code']}: evidence {w['evidence']} not in {[list(f.evidence) for f in match]}")
            if "kind" in w and not any(f.kind == w["kind"] for f in match):
                problems.append(f"{w['code']}: kind {w['kind']} not in {[f.kind for f in match]}")
            for name, value in (w.get("params") or {}).items():  # "a.b": the key b of param a
                if not any(_param(f.params, name) == value for f in match):
                    found = [_param(f.params, name) for f in match]
                    problems.append(f"{w['code']}: params {name} = {value!r} not in {found}")
    if scenario.get("met"):
        everything = evaluate(state, law, at)
        for m in scenario["met"]:
            if not any(
                f.code == m["code"] and f.person == m.get("person") and f.status_at(at) == "met" for f in everything
            ):
                problems.append(f"expected {m['code']} for {m.get('person')} to be met as of {at}")
    if problems:
        raise ScenarioFailure("\n".join(problems))
