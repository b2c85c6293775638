"""A count that takes a part of what another counts is known to be at most it, from the
definitions alone (statistics/containment.py): the suppression is told so."""

from __future__ import annotations

import copy

from habeas.jurisdictions import reference
from habeas.statistics.containment import contained
from habeas.statistics.indicators import Definitions

REF = reference.load("kz")


def test_the_package_counts_within_counts_are_found_and_declared_sums_left_out():
    raw = REF["indicators"]
    defs = Definitions.parse(raw)
    found = set(contained(raw, defs.relations))
    assert {
        ("F1.closed_reconciliation", "F4.without_consent"),  # closures without consent are reconciliations
        ("T1.filed", "T1.registered"),
        ("T1.sent_to_court", "T1.convicted"),
        ("L2.not_ended", "L3.detention_past_running"),
        ("W1.sent_to_court", "W1.acquitted"),  # a stage among the stages it lists
    } <= found
    assert ("F1.closed", "F1.closed_reconciliation") not in found  # a declared sum says it already
    assert ("F1.tried", "F1.closed") not in found  # other episodes
    assert ("L5.ended", "L2.ended") not in found and ("L2.past", "L2.within") not in found


def test_a_count_added_to_the_data_is_found_within_the_one_it_narrows():
    raw = copy.deepcopy(REF["indicators"])
    raw["indicators"]["F2"]["measures"].append(
        {"key": "late_upheld", "label": "late, upheld", "count": {"where": {"late": True, "outcome": "upheld"}}}
    )
    found = set(contained(raw))
    assert {
        ("F2.filed", "F2.late_upheld"),
        ("F2.late", "F2.late_upheld"),
        ("F2.outcome_upheld", "F2.late_upheld"),
    } <= found
    assert ("F2.in_time", "F2.late_upheld") not in found
