"""Indicators are the package's data (issue 24 item 3): each count measure declares what it
counts, over named episode fields, and one engine counts them; an indicator added to the
data is counted with no change of code, and a declaration the engine cannot count is
refused when it is read, naming the measure."""

from __future__ import annotations

import copy
import re
from datetime import datetime

import pytest

from habeas.jurisdictions import reference
from habeas.statistics.counting import DefinitionError
from habeas.statistics.episodes import Episode
from habeas.statistics.indicators import Definitions, compute

REF = reference.load("kz")


def test_every_count_measure_says_what_it_counts_and_labels_keep_their_commas():
    raw = REF["indicators"]["indicators"]
    for spec in raw.values():
        for m in spec["measures"]:
            assert None not in m.values() and set(m) <= {"key", "label", "kind", "of", "over", "per", "count"}, m
    labels = {m["key"]: m["label"] for m in raw["P1"]["measures"]}
    assert labels["per_100k"] == "held per 100,000"
    assert {m["key"]: m["label"] for m in raw["T3"]["measures"]}["per_10000"] == "deaths per 10,000 held"
    defs = Definitions.parse(REF["indicators"])
    counted = {c.key for c in defs.counts}
    assert [k for k in defs.count_keys if k not in counted] == []  # every count cell is declared


def _detention(outcome: str, n: int) -> Episode:
    return Episode(
        case=f"K{n}", episode="detention", year=2024, region="almaty", started_at=datetime(2024, 3, 1),
        ended_at=datetime(2024, 3, 2), end_year=2024, outcome=outcome, flag2=True,
    )  # fmt: skip


def test_an_indicator_added_to_the_data_is_counted():
    ref = copy.deepcopy(REF)
    ref["indicators"]["indicators"]["X1"] = {
        "title": "Detentions ended by a measure other than custody",
        "count": {"episode": "detention", "where": {"outcome": ["bail", "house_arrest"]}},
        "measures": [
            {"key": "ended", "label": "ended by bail or house arrest", "count": {}},
            {"key": "bail", "label": "by bail", "count": {"where": {"outcome": "bail"}}},
        ],
    }
    episodes = [_detention("bail", 1), _detention("house_arrest", 2), _detention("custody", 3)]
    cells = {(c.measure, c.region): c.value for c in compute(episodes, [2024], datetime(2025, 6, 1), ref, 1)}
    assert cells[("X1.ended", "kz")] == 2 and cells[("X1.bail", "almaty")] == 1
    assert cells[("L2.ended", "kz")] == 3


@pytest.mark.parametrize(
    ("count", "reason"),
    [
        ({"episode": "detention", "where": {"counsel_present": True}}, "no field 'counsel_present'"),
        ({"episode": "arrest"}, "episode ['arrest']"),
        ({"episode": "detention", "where": {"counsel": {"above": 1}}}, "tests are"),
        ({"episode": "custody", "year": "middle"}, "year 'middle'"),
    ],
)
def test_a_count_the_engine_cannot_count_is_refused_naming_the_measure(count, reason):
    raw = copy.deepcopy(REF["indicators"])
    raw["indicators"]["L2"]["measures"][0]["count"] = count
    with pytest.raises(DefinitionError, match=re.escape(reason)) as refused:
        Definitions.parse(raw)
    assert str(refused.value).startswith("L2.ended: ")


def test_a_count_measure_that_declares_nothing_is_refused():
    raw = copy.deepcopy(REF["indicators"])
    del raw["indicators"]["L7"]["measures"][1]["count"]
    with pytest.raises(DefinitionError, match="L7.explained: a count measure says what it counts"):
        Definitions.parse(raw)
