"""The case fold keeps the facts of vocabulary v2 in the case file's summary: the measure in
force for each person, the form of the investigation, an interruption, a jury, appeals and
cassations, international requests; and v1 files read exactly as before."""

from __future__ import annotations

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load
from habeas.law.episodes import measures as measures_in_force

ACTORS = {
    "investigator": {"id": "inv-1", "role": "investigator"},
    "judge": {"id": "j-1", "role": "judge"},
    "investigating_judge": {"id": "ij-1", "role": "investigating_judge"},
    "prosecutor": {"id": "pr-1", "role": "prosecutor"},
    "defence_lawyer": {"id": "adv-1", "role": "defence_lawyer"},
}


def fold(*specs):
    events = [
        parse_event(
            {"id": f"e{n}", "kind": kind, "case": "KZ-1", "occurred_at": when, "actor": ACTORS[role], "data": data}
        )
        for n, (kind, when, role, data) in enumerate(specs, start=1)
    ]
    return fold_all(events)


def test_the_measure_in_force_follows_the_orders():
    state = fold(
        (
            "case.registered",
            "2025-01-01T09:00:00+05:00",
            "investigator",
            {"erdr_number": "1", "article": "188", "region": "almaty", "form": "inquiry"},
        ),
        ("person.detained", "2025-01-01T10:00:00+05:00", "investigator", {"person": "P1", "place": "street"}),
        (
            "custody.ordered",
            "2025-01-02T10:00:00+05:00",
            "investigating_judge",
            {"person": "P1", "until": "2025-02-28T00:00:00+05:00"},
        ),
        (
            "house_arrest.ordered",
            "2025-02-20T10:00:00+05:00",
            "investigating_judge",
            {"person": "P1", "until": "2025-04-20T00:00:00+05:00"},
        ),
        ("person.detained", "2025-01-05T10:00:00+05:00", "investigator", {"person": "P2", "place": "home"}),
        ("bail.ordered", "2025-01-06T10:00:00+05:00", "investigating_judge", {"person": "P2", "amount": 500000}),
        ("person.detained", "2025-01-07T10:00:00+05:00", "investigator", {"person": "P3", "place": "home"}),
        ("person.released", "2025-01-08T10:00:00+05:00", "investigator", {"person": "P3", "ground": "no grounds"}),
    )
    measures = measures_in_force(load(), state.timeline)  # the law's episodes (episodes.yaml)
    assert measures["P1"] == {
        "measure": "house_arrest",
        "since": "2025-02-20T10:00:00+05:00",
        "until": "2025-04-20T00:00:00+05:00",
    }
    assert measures["P2"]["measure"] == "bail"
    assert "P3" not in measures  # released: no measure in force
    assert state.summary()["form"] == "inquiry"


def test_interruption_jury_reviews_and_international_requests():
    state = fold(
        (
            "case.registered",
            "2025-01-01T09:00:00+05:00",
            "investigator",
            {"erdr_number": "1", "article": "99", "region": "almaty"},
        ),
        ("investigation.interrupted", "2025-02-01T09:00:00+05:00", "investigator", {"ground": "suspect abroad"}),
        (
            "interpol.notice",
            "2025-02-02T09:00:00+05:00",
            "prosecutor",
            {"person": "P1", "notice": "red", "status": "published"},
        ),
        (
            "extradition.requested",
            "2025-03-01T09:00:00+05:00",
            "prosecutor",
            {"person": "P1", "direction": "to_kazakhstan", "state": "UZ"},
        ),
        ("jury.requested", "2025-05-01T09:00:00+05:00", "defence_lawyer", {"person": "P1"}),
        ("trial.started", "2025-06-01T09:00:00+05:00", "judge", {"court": "court-1", "jury": True}),
        ("cassation.filed", "2025-09-01T09:00:00+05:00", "defence_lawyer", {"person": "P1", "by": "adv-1"}),
        ("cassation.decided", "2025-10-01T09:00:00+05:00", "judge", {"outcome": "upheld", "person": "P1"}),
    )
    summary = state.summary()
    assert summary["interrupted"] is True and summary["form"] == "preliminary"
    assert summary["jury"] is True and summary["jury_requested"] == ["P1"]
    assert [(r["review"], r["step"]) for r in summary["reviews"]] == [("cassation", "filed"), ("cassation", "decided")]
    assert [i["kind"] for i in summary["international"]] == ["interpol.notice", "extradition.requested"]


def test_a_v1_case_reads_as_before():
    state = fold(
        (
            "case.registered",
            "2024-01-01T09:00:00+05:00",
            "investigator",
            {"erdr_number": "1", "article": "188", "region": "almaty"},
        ),
        ("trial.started", "2024-06-01T09:00:00+05:00", "judge", {"court": "court-1"}),
    )
    summary = state.summary()
    assert summary["form"] == "preliminary" and summary["jury"] is False
    assert measures_in_force(load(), state.timeline) == {}
