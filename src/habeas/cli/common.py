"""What every command shares: the consoles, errors, the database, the law, the time, who acts."""

from __future__ import annotations

import getpass
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, Progress, TimeRemainingColumn
from rich.text import Text

from habeas import bootstrap, config
from habeas.presentation import terminal

if TYPE_CHECKING:
    from habeas.access.facts import Principal
    from habeas.domain.events import Actor

# The register, the law and the database are imported by the commands that need them, not
# here: `habeas --help` (and a mistyped command) starts without Pydantic, SQLAlchemy or the law.

out = terminal.console()
err = terminal.console(stderr=True)

ENV_USER, ENV_TOKEN = "HABEAS_USER", "HABEAS_TOKEN"


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    return typer.Exit(code)


@contextmanager
def database(url: str | None, *, ready: bool = True):
    """An engine for the chosen database, with clear errors instead of tracebacks."""
    try:
        with bootstrap.engine(url) as engine:
            yield engine
    except (bootstrap.DatabaseUrlError, config.SettingError) as exc:
        raise fail(str(exc), 2) from None
    except bootstrap.NoSchema:
        raise fail("the database has no habeas schema yet: run `habeas init` first") from None
    except bootstrap.Unavailable as exc:
        raise fail(f"cannot use the database: {exc}") from None


@contextmanager
def projected(url: str | None):
    """`database`, with every projection caught up before the command reads one."""
    from habeas.services import maintenance

    with database(url) as engine:
        maintenance.current(engine, law, law_digest)
        yield engine


@contextmanager
def reading(engine, url: str | None):
    """Where this command's reads that may lag go: the replica of `--read-db`, else `engine`.
    A command is its own session: it waits for no earlier command's writes."""
    try:
        with bootstrap.reading(engine, url) as found:
            yield found.public()
    except bootstrap.DatabaseUrlError as exc:
        raise fail(str(exc), 2) from None
    except bootstrap.NoSchema:
        raise fail("the read database has no habeas schema: is it a replica of --db?") from None
    except bootstrap.Unavailable as exc:
        raise fail(f"cannot use the read database: {exc}") from None


def law():
    from habeas.law.package import LawDataError

    try:
        return bootstrap.law()
    except LawDataError as exc:
        raise fail(f"law package: {exc}") from None


def law_digest() -> str:
    """The law package's digest, without loading it (`jurisdictions.digest`)."""
    from habeas.law.package import LawDataError

    try:
        return bootstrap.law_digest()
    except LawDataError as exc:
        raise fail(f"law package: {exc}") from None


def when(at: str | None) -> datetime:
    """`--at`: a time with its UTC offset, in the accepted years (the same rules as an event's)."""
    from habeas.domain.events import Problem, parse_time

    if at is None or at == "now":
        return bootstrap.now()
    problems: list[Problem] = []
    moment = parse_time(at, "--at", problems)
    if problems:
        raise fail(str(problems[0]), 2)
    return moment


def actor_from(spec: str | None) -> Actor:
    from habeas.domain.events import IDENTIFIER, Actor
    from habeas.domain.vocabulary import ROLES

    spec = spec or os.environ.get("HABEAS_ACTOR") or f"registrar:{login_name()}"
    role, _, rest = spec.partition(":")
    actor_id, _, agency = rest.partition("@")
    if role not in ROLES or not IDENTIFIER.match(actor_id or ""):
        raise fail(f"--as {spec!r}: write ROLE:ID[@AGENCY], ROLE one of {', '.join(ROLES)}", 2)
    return Actor(actor_id, role, agency or None)


def login_name() -> str:
    from habeas.domain.events import IDENTIFIER

    try:
        name = getpass.getuser()
    except Exception:  # no login name in a bare container
        name = "cli"
    return name if IDENTIFIER.match(name) else "cli"


def signed_in(engine, login: str | None) -> Principal:
    """Who acts: the user named by --as or $HABEAS_USER, signed in with their token, or the
    local operator (the OS account, role admin). Either way every read is logged as them."""
    from habeas.domain.vocabulary import ROLES
    from habeas.services import users

    login = login or os.environ.get(ENV_USER)
    if not login:
        return users.operator(login_name())
    if ":" in login and login.split(":", 1)[0] in ROLES:
        raise fail(f"--as {login!r}: name a user (`habeas user add`); a role is no longer claimed", 2)
    token = os.environ.get(ENV_TOKEN)
    if token is None and sys.stdin.isatty():
        token = getpass.getpass(f"token for {login}: ")
    from habeas.services.throttle import delay_after

    time.sleep(delay_after(users.failures_of(engine, login)))  # failures in a row slow a guesser down
    try:
        return users.sign_in(engine, login, token or "", bootstrap.now())
    except users.SignInRefused as exc:
        raise fail(f"sign-in refused: {exc}") from None


@contextmanager
def guarded():
    """A refusal of the access policy as a clear error (it is already in the read log)."""
    from habeas.services import guard

    try:
        yield
    except guard.Refused as exc:
        raise fail(str(exc)) from None


@contextmanager
def progress(total: int, label: str):
    """Progress bars on a terminal (reading the file, then judging the cases); none when piped."""
    if not err.is_terminal:
        yield None, None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        "[progress.percentage]{task.percentage:>3.0f}%",
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bars:
        reading = bars.add_task(label, total=total)
        judging = None

        def judged(done: int, cases: int) -> None:
            nonlocal judging
            if judging is None:
                judging = bars.add_task(f"judging {cases} cases", total=cases)
            bars.update(judging, completed=done)

        yield (lambda n: bars.advance(reading, n)), judged
