"""Collect the law scenarios `<jurisdiction>/cases/*.yaml` as pytest items, and the indicator
scenarios `<jurisdiction>/reference/scenarios/*.yaml`."""

from __future__ import annotations

import pytest
import yaml

from habeas.jurisdictions import indicator_scenarios, load
from habeas.jurisdictions.scenarios import ScenarioFailure, run


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return ScenarioFile.from_parent(parent, path=file_path)
    if (
        file_path.suffix == ".yaml"
        and file_path.parent.name == "scenarios"
        and file_path.parent.parent.name == "reference"
    ):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        document = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        indicators = self.path.parent.parent.name == "reference"
        jurisdiction = self.path.parents[2 if indicators else 1].name
        defaults = document.get("defaults", {})
        setup = document.get("setup", [])
        names = set()
        for scenario in document.get("scenarios", []):
            name = scenario["name"]
            if name in names:
                raise ValueError(f"{self.path.name}: scenario {name!r} is named twice")
            names.add(name)
            yield ScenarioItem.from_parent(
                self,
                name=name,
                jurisdiction=jurisdiction,
                scenario=scenario,
                defaults=defaults,
                setup=setup,
                indicators=indicators,
            )


class ScenarioItem(pytest.Item):
    def __init__(self, *, jurisdiction, scenario, defaults, setup, indicators=False, **kwargs):
        super().__init__(**kwargs)
        self.indicators = indicators
        self.jurisdiction = jurisdiction
        self.scenario = scenario
        self.defaults = defaults
        self.setup_events = setup

    def runtest(self):
        if self.indicators:
            indicator_scenarios.run(load(self.jurisdiction), self.scenario, self.defaults)
            return
        run(load(self.jurisdiction), self.scenario, self.defaults, self.setup_events)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return f"{self.path.name}: {self.name}\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{'indicator' if self.indicators else 'law'} scenario: {self.name}"
