"""The cheaper paths of judging give exactly what the plain ones give (branch judge3):
a finding made by `findings.made` is the `Finding(...)` of the same fields; its row's JSON,
spelt piece by piece, is the text `json` gives for `to_dict` without the status."""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from datetime import UTC, datetime

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.law.findings import Finding, spelt_times
from habeas.law.rules import deadlines
from habeas.projections import cases as cases_projection
from habeas.projections import deadlines as deadlines_projection
from habeas.projections.base import json_text
from habeas.simulator import Caseload


def _states(law):
    streams = defaultdict(list)
    for raw in Caseload(events=3000, seed=5, breach_rate=0.6, law=law):
        event = parse_event(raw)
        streams[event.stream].append(event)
    return [fold_all(events) for events in streams.values()]


def test_made_findings_and_their_rows_are_the_plain_ones(law):
    found = 0
    for state in _states(law):
        for finding in deadlines(state, law):
            found += 1
            plain = Finding(**{f.name: getattr(finding, f.name) for f in dataclasses.fields(Finding)})
            assert plain == finding and repr(plain) == repr(finding) and hash(plain) == hash(finding)
            assert (
                spelt_times(finding)
                == spelt_times(plain)
                == tuple(m.isoformat() if m else None for m in (finding.started_at, finding.due_at, finding.met_at))
            )
            expected = deadlines_projection._FINDING.encode(deadlines_projection._record(finding))
            assert deadlines_projection._finding_json(finding) == expected
            assert deadlines_projection._finding_json(plain) == expected
    assert found > 100


def test_a_replaced_finding_is_spelt_anew(law):
    finding = next(f for s in _states(law) for f in deadlines(s, law) if f.due_at is not None)
    later = dataclasses.replace(finding, due_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert spelt_times(later)[1] == "2030-01-01T00:00:00+00:00"
    record = deadlines_projection._record(later)
    assert deadlines_projection._finding_json(later) == deadlines_projection._FINDING.encode(record)


def test_json_text_is_the_encoders_text():
    encoder = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
    encode = json_text(encoder)
    for value in ({"b": [1, 2.5, None, True], "a": 'Ж\n"x"', "c": {"z": 1e20, "y": -0.0}}, "текст", 3, None, []):
        assert encode(value) == encoder.encode(value)
    ascii_encoder = json.JSONEncoder(sort_keys=True)
    assert json_text(ascii_encoder)({"a": "Ж"}) == ascii_encoder.encode({"a": "Ж"})


def test_case_rows_summary_unchanged(law):
    states = _states(law)[:50]
    for row, state in zip(cases_projection.rows(states, law), states, strict=True):
        summary = json.loads(row[-1])
        assert summary["case"] == state.case
        assert row[-1] == cases_projection._SUMMARY.encode(summary)
