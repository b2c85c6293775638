"""Jurisdiction packages: the law as data files shipped with habeas.

This module is the one place that reads them from disk; `habeas.law` stays pure.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from habeas.access import policy as access_policy
from habeas.law.package import Law, LawDataError, Overlay, digest_of
from habeas.law.rules.loading import validate_law

DEFAULT = "kz"
NOT_LAW = frozenset({"calibration.yaml"})
SCENARIOS = ("cases/", "reference/scenarios/")  # tests of the package, not what it says


def package_root(name: str):
    """The folder of a jurisdiction: one shipped with habeas by its code (`kz`), or any
    folder given by its path (a second country, a test jurisdiction) — data, not code."""
    if "/" in name or name.startswith("."):
        return Path(name)
    return resources.files("habeas.jurisdictions") / name


def read_documents(name: str) -> dict[str, Any]:
    """Every YAML and CSV file of the package, keyed by its path inside the package."""
    root = package_root(name)
    if not root.is_dir():
        raise LawDataError(name, "-", "no such jurisdiction package")
    documents: dict[str, Any] = {}
    for path, text in _walk(root, ""):
        if path.startswith(("cases/", "reference/")) or path in NOT_LAW:
            continue  # law scenarios are tests, the calibration is the simulator's, the reference
            # data the statistics' (jurisdictions/reference.py): not law
        try:
            if path.endswith(".yaml"):
                documents[path] = yaml.safe_load(text)
            elif path.endswith(".csv"):
                documents[path] = list(csv.DictReader(io.StringIO(text)))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "-"
            raise LawDataError(path, where, f"not valid YAML: {exc}") from None
    return documents


def _walk(node, prefix: str):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        path = f"{prefix}{child.name}"
        if child.is_dir():
            yield from _walk(child, path + "/")
        elif child.name.endswith((".yaml", ".csv")):
            yield path, child.read_text(encoding="utf-8")


@cache
def load(name: str = DEFAULT) -> Law:
    """The validated law package `name` (cached: law data is read once per process), with
    its access policy (`policy.yaml`) validated too."""
    law = validate_law(replace(Law.from_documents(read_documents(name)), digest=digest(name)))
    access_policy.of(law)
    return law


@cache
def digest(name: str = DEFAULT) -> str:
    """The `Law.digest` of package `name`, from its files' text without parsing them (a few
    ms: a command that reads projections asks it to know they were judged under this law).
    Every file but the scenarios (tests) and the calibration (the simulator's): the
    statistics' reference data shape the episodes projection."""
    root = package_root(name)
    if not root.is_dir():
        raise LawDataError(name, "-", "no such jurisdiction package")
    return digest_of(
        [[path, text] for path, text in _walk(root, "") if not path.startswith(SCENARIOS) and path not in NOT_LAW]
    )


def read_overlay(path: Path) -> Overlay:
    """A what-if file (YAML): dated parameter changes and rule switches (`law.package.Overlay`)."""
    name = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LawDataError(name, "-", f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LawDataError(name, f"line {mark.line + 1}" if mark else "-", "not valid YAML") from None
    return Overlay.parse(raw, name)


def read_calibration(name: str = DEFAULT) -> Any:
    """The simulator's calibration of a jurisdiction (`calibration.yaml`), parsed YAML."""
    path = package_root(name) / "calibration.yaml"
    if not path.is_file():
        raise LawDataError(f"{name}/calibration.yaml", "-", "the jurisdiction has no calibration")
    return yaml.safe_load(path.read_text(encoding="utf-8"))
