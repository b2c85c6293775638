"""The composition root builds what every driver runs on: the settings from the environment,
the engines, the law package and the clock; the CLI starts without the database."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from habeas import bootstrap
from habeas.services import setup
from habeas.services.replicas import Reading

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def test_the_cli_starts_without_sqlalchemy():
    done = subprocess.run(
        [sys.executable, "-c", "import sys, habeas.cli; print('sqlalchemy' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_the_root_names_the_database_failures_of_the_services():
    assert bootstrap.NoSchema is setup.NoSchema and bootstrap.Unavailable is setup.Unavailable
    assert bootstrap.DATABASE_ERRORS == setup.DATABASE_ERRORS and bootstrap.Reading is Reading
    with pytest.raises(AttributeError, match="no attribute 'open_database'"):
        _ = bootstrap.open_database


def test_the_engine_is_the_environment_s_database_unless_one_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("HABEAS_DATABASE_URL", f"sqlite:///{tmp_path / 'from-env.db'}")
    with bootstrap.engine() as engine:
        assert engine.url.database.endswith("from-env.db")
    with bootstrap.engine(f"sqlite:///{tmp_path / 'named.db'}") as engine:
        assert engine.url.database.endswith("named.db")


def test_a_server_runs_on_the_settings_engine_law_and_clock(tmp_path, monkeypatch):
    monkeypatch.setenv("HABEAS_SIGNING_KEY", str(tmp_path / "keys" / "signing.key"))
    clock = bootstrap.FixedClock(NOW)
    settings = bootstrap.Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", read_database_url=None, clock=clock)
    with bootstrap.running(settings) as running:
        assert running.engine.url.database.endswith("r.db")
        assert running.reading.primary is running.engine and running.reading.replica is None
        assert running.clock.now() == NOW
        assert running.signing_key == tmp_path / "keys" / "signing.key"
        assert running.law.digest == bootstrap.law_digest("kz")


def test_a_sqlite_register_has_no_read_replica(tmp_path):
    settings = bootstrap.Settings(
        database_url=f"sqlite:///{tmp_path / 'r.db'}", read_database_url=f"sqlite:///{tmp_path / 'copy.db'}"
    )
    with pytest.raises(bootstrap.DatabaseUrlError, match="PostgreSQL streaming replica"), bootstrap.running(settings):
        pass
