"""The rings of docs/architecture.md hold: each import-linter contract breaks on a violating import.

A contract that nothing can break checks nothing. Each test copies the package to a
temporary folder, adds one import the architecture forbids, and runs `lint-imports` with
the project's own contracts on the copy: the contract must name the import and fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "habeas"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(PACKAGE, tmp_path / "src" / "habeas", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(tree: Path, *contracts: str) -> subprocess.CompletedProcess:
    """`lint-imports` on the copy: its src/ comes first on the path, before the installed package."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "COLUMNS": "400"}
    chosen = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache", *chosen],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )


def contract_name(contract_id: str) -> str:
    return next(c["name"] for c in CONTRACTS if c["id"] == contract_id)


def test_every_contract_is_kept_by_the_package_as_it_is(tmp_path):
    done = lint_imports(copy_of_the_package(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in done.stdout


VIOLATIONS = [
    # the violations the review of issue 7 made, which the first contracts let through
    ("cli/__init__.py", "habeas.ledger.store", "drivers"),
    ("cli/cases.py", "habeas.db.schema", "drivers"),
    ("cli/common.py", "habeas.projections", "drivers"),
    ("law/rules/__init__.py", "habeas.jurisdictions", "core"),
    ("domain/case.py", "yaml", "core"),
    # and one of each kind the architecture forbids
    ("demo.py", "habeas.db.engine", "drivers"),
    ("simulator/caseload.py", "habeas.ledger.store", "drivers"),
    ("presentation/terminal.py", "habeas.projections.registry", "drivers"),
    ("domain/events.py", "sqlalchemy", "core"),
    ("access/__init__.py", "babel", "core"),
    ("law/package.py", "habeas.clock", "core"),
    ("law/competence.py", "habeas.services.queries", "core"),
    ("ledger/chain.py", "habeas.db.schema", "core"),
    ("services/queries.py", "habeas.presentation.findings", "services"),
    ("projections/cases.py", "rich", "services"),
    ("jurisdictions/messages.py", "habeas.cli", "services"),
    ("db/engine.py", "habeas.ledger.store", "storage"),
    ("ledger/store.py", "habeas.projections.registry", "storage"),
    ("projections/base.py", "habeas.services.maintenance", "storage"),
    ("demo.py", "habeas.cli", "leaf"),
    ("ledger/checkpoint.py", "habeas.ledger.store", "core"),
    ("verify_export.py", "sqlalchemy", "verifier"),
    ("verify_export.py", "habeas.ledger.store", "verifier"),
    ("presentation/findings.py", "habeas.cli", "leaf"),
    # the engine, the law package and the clock come from the composition root (issue 24)
    ("cli/common.py", "habeas.services.setup", "root"),
    ("cli/cases.py", "habeas.clock", "root"),
    ("cli/statistics.py", "habeas.services.replicas", "root"),
    ("api/app.py", "habeas.jurisdictions", "root"),
    ("web/pages.py", "sqlalchemy", "root"),
    ("demo.py", "habeas.clock", "root"),
    ("bootstrap.py", "habeas.cli", "leaf"),
    ("bootstrap.py", "fastapi", "services"),
    ("law/package.py", "habeas.bootstrap", "core"),
]


@pytest.mark.parametrize(("module", "imported", "contract"), VIOLATIONS)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, imported, contract):
    tree = copy_of_the_package(tmp_path)
    path = tree / "src" / "habeas" / module
    path.write_text(path.read_text() + f"\nimport {imported}  # noqa\n")
    done = lint_imports(tree, contract)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{contract_name(contract)} BROKEN" in done.stdout
    importer = "habeas." + module.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    assert f"{importer} -> {imported}" in done.stdout


def test_every_module_of_habeas_belongs_to_a_ring():
    """A new package (api, web, simulator…) must be placed in a contract before it can be imported."""
    placed = set()
    for contract in CONTRACTS:
        placed.update(contract.get("source_modules", []), contract.get("layers", []))
    top = {
        f"habeas.{p.stem if p.suffix == '.py' else p.name}"
        for p in PACKAGE.iterdir()
        if (p.suffix == ".py" and p.name != "__init__.py") or (p / "__init__.py").is_file()
    }
    unplaced = {m for m in top if m not in placed and not any(s.startswith(m + ".") for s in placed)}
    assert not unplaced, f"{sorted(unplaced)} belong to no ring: add them to a contract in pyproject.toml"
