"""Indicator scenarios: facts in, published figures out (`<jurisdiction>/reference/scenarios/*.yaml`).

The statistics' counterpart of the law scenarios (`scenarios.py`, whose event shorthand they
share): an indicator added to `reference/indicators.yaml` comes with a scenario here, and
nothing else changes.

    defaults: {...}                # as in a law scenario (case, actor, data by kind)
    scenarios:
      - name: a detention ended by bail is ended, within the limit
        events:
          - {kind: person.detained, occurred_at: "2024-03-01T10:00:00+05:00", data: {person: P1}}
          - {kind: bail.ordered, occurred_at: "2024-03-02T10:00:00+05:00", by: investigating_judge,
             data: {person: P1, amount: 1000}}
        as_of: "2025-06-01T00:00:00+05:00"   # the report's time
        cells:                               # "<measure> [region] year": value, the country by default
          L2.ended 2024: 1
          L2.not_ended 2024: 0

Every case of the scenario's events is folded, judged and turned into episodes as the
episodes projection does, and the indicators computed with no suppression (threshold 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import groupby
from typing import Any

from habeas.domain.case import fold_all
from habeas.jurisdictions import reference
from habeas.jurisdictions.scenarios import ScenarioFailure, _moment, build_events
from habeas.law.episodes import definitions
from habeas.law.offences import iccs_of
from habeas.law.package import Law
from habeas.law.rules import deadlines
from habeas.statistics.episodes import episodes_of
from habeas.statistics.indicators import Definitions, compute


def run(law: Law, scenario: Mapping[str, Any], defaults: Mapping[str, Any]) -> None:
    """Raise ScenarioFailure naming every figure that differs from the scenario's."""
    ref = reference.load(law.jurisdiction)
    codes = reference.finding_codes(law.jurisdiction)
    events = sorted(build_events(scenario.get("events", []), defaults), key=lambda e: e.stream)
    found = []
    for _, stream in groupby(events, key=lambda e: e.stream):
        state = fold_all(stream)
        findings = [f for f in deadlines(state, law) if f.code in set(codes.values())]
        iccs = ()
        if state.article is not None and state.registered_at is not None:
            iccs = iccs_of(law, state.article, state.part, state.registered_at.date())
        found += episodes_of(state, findings, codes, iccs, defined=definitions(law))
    wanted = {_cell(key): value for key, value in (scenario.get("cells") or {}).items()}
    years = sorted({year for _, _, year in wanted})
    as_of = _moment(scenario["as_of"])
    national = Definitions.parse(ref["indicators"]).national

    def offset(region, local):
        return reference.utc_offset(law.jurisdiction, region, local)

    cells = compute(found, years, as_of.replace(tzinfo=None) - as_of.utcoffset(), ref, 1, offset=offset)
    got = {(c.measure, c.region, c.year): c.value for c in cells}
    problems = []
    for (measure, region, year), value in wanted.items():
        key = (measure, region or national, year)
        if key not in got:
            problems.append(f"{measure} {region or national} {year}: no such figure")
        elif got[key] != value:
            problems.append(f"{measure} {region or national} {year}: expected {value!r}, got {got[key]!r}")
    if problems:
        raise ScenarioFailure("\n".join(problems))


def _cell(key: str) -> tuple[str, str | None, int]:
    parts = str(key).split()
    if len(parts) not in (2, 3) or not parts[-1].isdigit():
        raise ScenarioFailure(f"cells: {key!r} is not '<measure> [region] <year>'")
    return parts[0], (parts[1] if len(parts) == 3 else None), int(parts[-1])
