"""The composition root: the one place that builds what the drivers run on.

The settings (`config`: the command line and the environment), the engine of the primary and
of its read replica (`services.setup`, `services.replicas`), the law package
(`jurisdictions`) and the clock (`clock`) are built here. The CLI, the API and its web UI
and the demo (and the simulator's run recorded in a register) take them from this module;
the `root` contract of import-linter (pyproject.toml) forbids them to build their own.

The law, the database and SQLAlchemy are imported when first asked for, not at import:
`habeas --help` starts without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from habeas import config
from habeas.clock import Clock, FixedClock, ShiftedClock, SystemClock

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from habeas.law.package import Law, Overlay
    from habeas.services.replicas import Reading
    from habeas.services.setup import DATABASE_ERRORS, DatabaseUrlError, NoSchema, Unavailable, prepare, reason_for

__all__ = [
    "Clock",
    "DATABASE_ERRORS",
    "DatabaseUrlError",
    "Engine",
    "FixedClock",
    "NoSchema",
    "Reading",
    "Running",
    "Settings",
    "ShiftedClock",
    "Unavailable",
    "clock",
    "engine",
    "law",
    "law_digest",
    "languages",
    "now",
    "prepare",
    "read_overlay",
    "reading",
    "reason_for",
    "running",
]

# The database's failures as a driver names them (and `prepare`), from `services.setup`:
# resolved on first use (module __getattr__), so that importing the root stays light.
_FROM_SETUP = {"DATABASE_ERRORS", "DatabaseUrlError", "NoSchema", "Unavailable", "reason_for", "prepare"}


def __getattr__(name: str) -> Any:
    if name in _FROM_SETUP:
        from habeas.services import setup

        return getattr(setup, name)
    if name == "Engine":
        from sqlalchemy import Engine

        return Engine
    if name == "Reading":
        from habeas.services.replicas import Reading

        return Reading
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the clock ---


def clock() -> Clock:
    """The register's clock: real time."""
    return SystemClock()


def now() -> datetime:
    return clock().now()


# --- the law ---


def law(jurisdiction: str | None = None) -> Law:
    """The law package of `jurisdiction` (default: $HABEAS_JURISDICTION, else kz).
    Raises LawDataError for a package that does not hold."""
    from habeas.jurisdictions import load

    return load(jurisdiction or config.jurisdiction())


def law_digest(jurisdiction: str | None = None) -> str:
    """The law package's digest, without loading it."""
    from habeas.jurisdictions import digest

    return digest(jurisdiction or config.jurisdiction())


def read_overlay(path: Path) -> Overlay:
    """A what-if's dated changes to the law (YAML)."""
    from habeas.jurisdictions import read_overlay as read

    return read(path)


def languages(jurisdiction: str | None = None) -> list[str]:
    """The languages the jurisdiction's messages are written in."""
    from habeas.jurisdictions.messages import languages as written_in

    return written_in(jurisdiction or config.jurisdiction())


# --- the database ---


@contextmanager
def engine(url: str | None = None) -> Iterator[Engine]:
    """The primary's engine while the block runs: `url` (--db), else $HABEAS_DATABASE_URL,
    else a SQLite file in the working folder. Its failures come out as `DatabaseUrlError`,
    `NoSchema` or `Unavailable` (services.setup)."""
    from habeas.services import setup

    with setup.open_database(config.database_url(url)) as opened:
        yield opened


@contextmanager
def reading(primary: Engine, url: str | None = None) -> Iterator[Reading]:
    """Where the reads that may lag go: the replica of `url` (--read-db), else
    $HABEAS_READ_DATABASE_URL, else the primary itself."""
    from habeas.services.replicas import open_reading

    with open_reading(primary, config.read_database_url(url)) as found:
        yield found


# --- a server: the API and the web UI ---


@dataclass
class Settings:
    """What a server (`habeas serve`, the demo's) is built from; each default from the environment."""

    database_url: str = field(default_factory=config.database_url)
    read_database_url: str | None = field(default_factory=config.read_database_url)  # a replica
    jurisdiction: str = field(default_factory=config.jurisdiction)
    clock: Clock = field(default_factory=SystemClock)
    signing_key: Path | None = None  # default: config.signing_key_path(database_url)
    web: bool = True  # the web UI beside the API
    docs: bool = True  # Swagger UI at /api/docs, from the package's own files (swagger-ui-bundle)
    secret: bytes = field(default_factory=config.web_secret)


@dataclass
class Running:
    """What a server runs on, open while `running` lasts."""

    engine: Engine
    reading: Reading
    law: Law
    clock: Clock
    signing_key: Path | None
    secret: bytes


@contextmanager
def running(settings: Settings, law_loader: Callable[[str], Law] | None = None) -> Iterator[Running]:
    """The engines, the law and the clock of `settings`, open while the block runs
    (`law_loader`: a test's own law for the jurisdiction)."""
    from habeas.services.replicas import open_reading

    package = law_loader(settings.jurisdiction) if law_loader else law(settings.jurisdiction)
    with engine(settings.database_url) as primary, open_reading(primary, settings.read_database_url) as reads:
        yield Running(
            engine=primary,
            reading=reads,
            law=package,
            clock=settings.clock,
            signing_key=settings.signing_key or config.signing_key_path(settings.database_url),
            secret=settings.secret,
        )
