"""A what-if is an overlay on the law, never an edit of the package: `Law.with_overlay` applies
dated parameter changes and rule switches; the package itself keeps judging as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from habeas.domain.case import fold_all
from habeas.domain.events import parse_event
from habeas.jurisdictions import load
from habeas.law.package import LawDataError, Overlay
from habeas.law.rules import describe, judge

WHAT_IF = {
    "name": "limit-24h",
    "parameters": {"detention.limit.adult": [{"value": 24, "valid_from": "2025-01-01", "note": "a what-if"}]},
    "rules": {"KZ-TORTURE-MEDICAL": {"enabled": False, "from": "2025-06-01"}},
}


def detained(day: str):
    raw = {
        "id": "e1",
        "kind": "person.detained",
        "case": "KZ-1",
        "occurred_at": f"{day}T10:00:00+05:00",
        "actor": {"id": "i", "role": "investigator"},
        "data": {"person": "P1", "place": "street"},
    }
    return fold_all([parse_event(raw)])


def limit_hours(law, day):
    at = datetime.fromisoformat(f"{day}T11:00:00+05:00")
    (found,) = [f for f in judge(detained(day), law, at) if f.code == "KZ-DETENTION-LIMIT"]
    return (found.due_at - found.started_at).total_seconds() / 3600


def test_a_parameter_changes_from_its_date_and_the_package_does_not():
    package = load("kz")
    what_if = package.with_overlay(Overlay.parse(WHAT_IF))
    assert limit_hours(what_if, "2025-03-01") == 24
    assert limit_hours(what_if, "2024-12-31") == 48  # before the overlay's date: the package's value
    assert limit_hours(package, "2025-03-01") == 48  # the package is untouched
    found = [
        f
        for f in judge(detained("2025-03-01"), what_if, datetime.fromisoformat("2025-03-01T11:00:00+05:00"))
        if f.code == "KZ-DETENTION-LIMIT"
    ]
    assert found[0].params["overlay"] == "limit-24h"


def test_a_rule_switched_off_from_a_date_ends_there():
    what_if = load("kz").with_overlay(Overlay.parse(WHAT_IF))
    described = describe(what_if, "KZ-TORTURE-MEDICAL")
    assert described["valid_until"] == "2025-05-31" and described["overlay"] == "limit-24h"
    versions = describe(what_if, "KZ-DETENTION-LIMIT")["parameters"]["detention.limit.adult"]
    assert [v.get("overlay") for v in versions][-1] == "limit-24h"


@pytest.mark.parametrize(
    ("overlay", "reason"),
    [
        ({"parameters": {"no.such.key": [{"value": 1, "valid_from": "2025-01-01"}]}}, "no such parameter"),
        ({"rules": {"KZ-NOPE": {"enabled": False, "from": "2025-01-01"}}}, "no such rule"),
        ({"parameters": {"detention.limit.adult": [{"value": 1}]}}, "valid_from"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_overlay_is_refused_with_its_key(overlay, reason):
    with pytest.raises(LawDataError, match=reason):
        from habeas.law.rules import load_rules

        load_rules(load("kz").with_overlay(Overlay.parse(overlay)))


def test_law_show_with_an_overlay(tmp_path):
    path = tmp_path / "what-if.yaml"
    path.write_text(json.dumps(WHAT_IF), encoding="utf-8")  # JSON is YAML
    run = subprocess.run(
        [sys.executable, "-m", "habeas", "law", "show", "KZ-DETENTION-LIMIT", "--overlay", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    versions = json.loads(run.stdout)["parameters"]["detention.limit.adult"]
    assert versions[-1]["value"] == 24 and versions[-1]["overlay"] == "limit-24h"
    wide = {**os.environ, "COLUMNS": "400"}
    text = subprocess.run(
        [sys.executable, "-m", "habeas", "law", "show", "KZ-DETENTION-LIMIT", "--overlay", str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=wide,
    ).stdout
    assert "overlay 'limit-24h'" in text
    bad = subprocess.run(
        [sys.executable, "-m", "habeas", "law", "show", "--overlay", str(tmp_path / "none.yaml")],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "cannot read" in bad.stderr
