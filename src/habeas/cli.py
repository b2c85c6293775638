"""`habeas` on the command line (design §5). Parse, call a service, render."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TimeRemainingColumn
from rich.text import Text

from habeas import config
from habeas.clock import SystemClock
from habeas.presentation import terminal

if TYPE_CHECKING:
    from habeas.access.facts import Principal
    from habeas.domain.events import Actor

# The register, the law and the database are imported by the commands that need them, not
# here: `habeas --help` (and a mistyped command) starts without Pydantic, SQLAlchemy or the law.

BOARD_SIZE = 100  # alerts shown on a terminal unless --limit says otherwise

app = typer.Typer(no_args_is_help=True, add_completion=False, help="habeas: a criminal-justice register.")
case_app = typer.Typer(no_args_is_help=True, help="Case files.")
law_app = typer.Typer(no_args_is_help=True, help="The law in force, as data.")
user_app = typer.Typer(no_args_is_help=True, help="Users: who may sign in, with which role.")
checkpoint_app = typer.Typer(
    invoke_without_command=True, help="Signed checkpoints: the head of both logs, signed (Ed25519)."
)


app.add_typer(case_app, name="case")
app.add_typer(law_app, name="law")
app.add_typer(user_app, name="user")
app.add_typer(checkpoint_app, name="checkpoint")

out = terminal.console()
err = terminal.console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $HABEAS_DATABASE_URL or sqlite:///habeas.db).")
]
ReadDbOption = Annotated[
    str | None,
    typer.Option(
        "--read-db",
        help="A PostgreSQL streaming replica to read from: what may lag a little (lists, statistics)"
        " (default: $HABEAS_READ_DATABASE_URL; none: the primary).",
    ),
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="Evaluate as of this time (ISO 8601 with offset; default now).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Who brings the file in: a registrar's LOGIN (signed in with $HABEAS_TOKEN), or for the local"
        " operator ROLE:ID[@AGENCY] (default $HABEAS_ACTOR or registrar:<login>).",
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as this user (default $HABEAS_USER; without one, the local operator, role admin);"
        " the user's token comes from $HABEAS_TOKEN or is asked for.",
    ),
]
PublishOption = Annotated[
    Path | None,
    typer.Option(
        "--publish",
        help="The checkpoint log to append to, outside the database (default: $HABEAS_CHECKPOINT_LOG).",
    ),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints",
        help="The published checkpoint log to check against (default: $HABEAS_CHECKPOINT_LOG, if set).",
    ),
]
KeyOption = Annotated[
    Path | None, typer.Option("--key", help="The published public key (default: this register's own, .pub).")
]
TsaCertOption = Annotated[
    Path | None,
    typer.Option(
        "--tsa-cert",
        help="The timestamp authority's certificate (PEM): every published checkpoint must carry its"
        " timestamp (default: $HABEAS_TSA_CERT).",
    ),
]


LangOption = Annotated[str, typer.Option("--lang", help="Language of finding messages: en, ru or kk.")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why you read this (logged with the read).")]


@app.callback()
def _everywhere(db: DbOption = None) -> None:
    """habeas: a criminal-justice register. `--db` may come before the command too."""
    if db:  # a command's own --db still wins (config.database_url)
        os.environ[config.ENV_DATABASE_URL] = db


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(Text.assemble(("error:", "bold red"), " ", message), highlight=False)
    return typer.Exit(code)


@contextmanager
def database(url: str | None, *, ready: bool = True):
    """An engine for the chosen database, with clear errors instead of tracebacks."""
    from habeas.services import setup

    try:
        with setup.open_database(config.database_url(url)) as engine:
            yield engine
    except (setup.DatabaseUrlError, config.SettingError) as exc:
        raise fail(str(exc), 2) from None
    except setup.NoSchema:
        raise fail("the database has no habeas schema yet: run `habeas init` first") from None
    except setup.Unavailable as exc:
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
    from habeas.services import replicas, setup

    try:
        with replicas.open_reading(engine, config.read_database_url(url)) as found:
            yield found.public()
    except setup.DatabaseUrlError as exc:
        raise fail(str(exc), 2) from None
    except setup.NoSchema:
        raise fail("the read database has no habeas schema: is it a replica of --db?") from None
    except setup.Unavailable as exc:
        raise fail(f"cannot use the read database: {exc}") from None


def law():
    from habeas.jurisdictions import load as load_law
    from habeas.law.package import LawDataError

    try:
        return load_law(config.jurisdiction())
    except LawDataError as exc:
        raise fail(f"law package: {exc}") from None


def law_digest() -> str:
    """The law package's digest, without loading it (`jurisdictions.digest`)."""
    from habeas.jurisdictions import digest
    from habeas.law.package import LawDataError

    try:
        return digest(config.jurisdiction())
    except LawDataError as exc:
        raise fail(f"law package: {exc}") from None


def when(at: str | None) -> datetime:
    """`--at`: a time with its UTC offset, in the accepted years (the same rules as an event's)."""
    from habeas.domain.events import Problem, parse_time

    if at is None or at == "now":
        return SystemClock().now()
    problems: list[Problem] = []
    moment = parse_time(at, "--at", problems)
    if problems:
        raise fail(str(problems[0]), 2)
    return moment


def actor_from(spec: str | None) -> Actor:
    from habeas.domain.events import IDENTIFIER, Actor
    from habeas.domain.vocabulary import ROLES

    spec = spec or os.environ.get("HABEAS_ACTOR") or f"registrar:{_login()}"
    role, _, rest = spec.partition(":")
    actor_id, _, agency = rest.partition("@")
    if role not in ROLES or not IDENTIFIER.match(actor_id or ""):
        raise fail(f"--as {spec!r}: write ROLE:ID[@AGENCY], ROLE one of {', '.join(ROLES)}", 2)
    return Actor(actor_id, role, agency or None)


def _login() -> str:
    from habeas.domain.events import IDENTIFIER

    try:
        name = getpass.getuser()
    except Exception:  # no login name in a bare container
        name = "cli"
    return name if IDENTIFIER.match(name) else "cli"


ENV_USER, ENV_TOKEN = "HABEAS_USER", "HABEAS_TOKEN"


def signed_in(engine, login: str | None) -> Principal:
    """Who acts: the user named by --as or $HABEAS_USER, signed in with their token, or the
    local operator (the OS account, role admin). Either way every read is logged as them."""
    from habeas.domain.vocabulary import ROLES
    from habeas.services import users

    login = login or os.environ.get(ENV_USER)
    if not login:
        return users.operator(_login())
    if ":" in login and login.split(":", 1)[0] in ROLES:
        raise fail(f"--as {login!r}: name a user (`habeas user add`); a role is no longer claimed", 2)
    token = os.environ.get(ENV_TOKEN)
    if token is None and sys.stdin.isatty():
        token = getpass.getpass(f"token for {login}: ")
    from habeas.services.throttle import delay_after

    time.sleep(delay_after(users.failures_of(engine, login)))  # failures in a row slow a guesser down
    try:
        return users.sign_in(engine, login, token or "", SystemClock().now())
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


@app.command()
def init(db: DbOption = None) -> None:
    """Create or migrate the database (safe to run twice). Says where the signing key is; never makes one."""
    from habeas.services import checkpoints, setup

    with database(db) as engine:
        revision = setup.prepare(engine)
    url = config.database_url(db)
    out.print(f"database ready: {url} (schema {revision})", highlight=False)
    out.print(checkpoints.key_status(config.signing_key_path(), url), highlight=False)


LogFileOption = Annotated[
    Path | None,
    typer.Option(
        "--log-file",
        help="Append what the database said, should it fail, to this file (default: $HABEAS_LOG_FILE;"
        " without one the details are not kept: they may quote other cases' data).",
    ),
]


@app.command()
def simulate(
    cases: Annotated[int, typer.Option("--cases", min=1, help="Cases reported over the period.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="The same seed gives the same caseload.")] = 1,
    years: Annotated[float, typer.Option("--years", min=0.01, help="The period simulated, in years.")] = 1.0,
    what_if: Annotated[
        Path | None, typer.Option("--what-if", help="YAML: `overlay` (dated law changes) and `resources` changes.")
    ] = None,
    replications: Annotated[int, typer.Option("--replications", min=1, help="Runs to average over.")] = 3,
    start: Annotated[str, typer.Option("--start", help="When the period begins (ISO 8601 with offset).")] = (
        "2024-01-01T00:00:00+05:00"
    ),
    db: Annotated[
        str | None, typer.Option("--db", help="Also record the first baseline run in this register (the service).")
    ] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="The comparison as a chart (.png or .svg).")] = None,
    fast: Annotated[bool, typer.Option("--fast", help="The vectorised path: no queues, many replications.")] = False,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            help="NAME=V1,V2,…: a law parameter (e.g. detention.limit.adult=24,48,72) or resources.NAME at each"
            " value from the period's start, each beside the baseline (not with --what-if).",
        ),
    ] = None,
    on_dask: Annotated[
        bool, typer.Option("--dask", help="Run the replications on a Dask cluster (a local one unless named).")
    ] = False,
    dask_scheduler: Annotated[
        str | None,
        typer.Option(
            "--dask-scheduler",
            metavar="ADDRESS",
            help="The Dask scheduler to run on (e.g. tcp://10.0.0.5:8786; implies --dask); its workers need habeas.",
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """A calibrated caseload through the law engine: a baseline and a what-if side by side, or a sweep.

    The same seeds give the same result, serial or on Dask."""
    import yaml

    from habeas.law.package import LawDataError
    from habeas.services.register import Register
    from habeas.simulator import SIMULATOR, calibration, lines
    from habeas.simulator import compare as comparing
    from habeas.simulator import sweep as sweeping
    from habeas.simulator.engine import Simulation

    if sweep is not None and what_if is not None:
        raise fail("--sweep and --what-if: give one of them", 2)
    package = law()
    begin = when(start)
    try:
        calibrated = calibration(config.jurisdiction())
        change, axis = None, None
        if what_if is not None:
            try:
                raw = yaml.safe_load(what_if.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise fail(f"--what-if {what_if}: cannot read it ({exc})", 2) from None
            change = comparing.WhatIf.parse(raw, str(what_if))
            change.apply(package, calibrated)  # refuses an unknown parameter, rule or resource now
        if sweep is not None:
            axis = sweeping.Axis.parse(sweep)
            sweeping.what_ifs(axis, package, calibrated, begin)  # the same refusals, before any run
    except LawDataError as exc:
        raise fail(str(exc), 2) from None
    except yaml.YAMLError as exc:
        raise fail(f"--sweep {sweep}: a value is not readable ({exc.__class__.__name__})", 2) from None
    if db is not None:
        from habeas.clock import FixedClock

        sim = Simulation(package, calibrated, cases=cases, years=years, seed=seed, start=begin)
        with database(db) as engine:
            # on a fixed clock (recorded at the period's end): the same seed, the same log, byte for byte
            register = Register(engine, package, FixedClock(sim.end))
            report = register.import_lines(lines(sim.as_of(sim.end)), SIMULATOR)
        if report.errors:  # the simulator emits only valid facts: this is a bug, said plainly
            raise fail(f"the register refused {len(report.errors)} simulated lines: {report.errors[0].lines()[0]}", 1)
        err.print(f"recorded {report.stored} simulated events in the register", highlight=False)
    variants = 1 + (len(axis.values) if axis else change is not None)
    total = comparing.runs(replications, variants, fast)
    with (
        _runner(on_dask or dask_scheduler is not None, dask_scheduler) as runner,
        _progress(total, f"simulating {replications} replication(s)") as (advance, _),
    ):
        run = {
            "cases": cases,
            "years": years,
            "seed": seed,
            "replications": replications,
            "start": begin,
            "fast": fast,
            "runner": runner,
            "progress": advance,
        }
        if axis is not None:
            result = sweeping.sweep(package, calibrated, axis, **run)
        else:
            result = comparing.compare(package, calibrated, change, **run)
    if chart is not None:
        (sweeping.chart if axis else comparing.chart)(result, str(chart))
    if json_out:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    out.print((terminal.sweep if axis else terminal.comparison)(result.to_dict()))


@contextmanager
def _runner(on_dask: bool, scheduler: str | None):
    """Serial, or on Dask (imported only then: `habeas --help` stays fast)."""
    from habeas.simulator import runners

    if not on_dask:
        yield runners.SERIAL
        return
    try:
        with runners.dask(scheduler) as runner:
            yield runner
    except runners.ClusterUnavailable as exc:
        raise fail(str(exc), 1) from None


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="JSONL file: one event per line (design §4).")],
    db: DbOption = None,
    registrar: AsOption = None,
    log_file: LogFileOption = None,
) -> None:
    """Import events, all or nothing: any bad line stores nothing and is listed (exit 2).

    A line may hold at most 64 KiB, nest 16 deep, strings of 4,000 characters and numbers of
    20 digits, and times in the years 1900 to 2200. Should the database itself fail, the
    import stores nothing and says which line it was storing and the error's class (exit 1);
    what the database said goes only to --log-file."""
    from habeas.services.register import Register, StorageFailed

    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    law_package = law()
    log_path = _log_to(log_file)
    with database(db) as engine, file.open(encoding="utf-8", errors="strict", newline="\n") as handle:
        who = _importer(engine, law_package, registrar)
        register = Register(engine, law_package)
        try:
            with _progress(file.stat().st_size, f"reading {file.name}") as (read, judged):
                report = register.import_lines(handle, who, progress=read, judging=judged)
        except UnicodeDecodeError as exc:
            raise fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); nothing stored", 2) from None
        except StorageFailed as exc:
            details = f"details in {log_path}" if log_path else "details withheld: see --log-file or HABEAS_LOG_FILE"
            err.print(f"{exc} ({details})", highlight=False, markup=False)
            raise fail("the database failed; nothing was stored", 1) from None
    if report.errors:
        for line_error in report.errors:
            for text in line_error.lines():
                err.print(text, highlight=False, markup=False)
        bad = len(report.errors)
        raise fail(f"{bad} of {report.lines} lines refused; nothing was stored", 2)
    out.print(f"stored {report.stored}, skipped {report.skipped} (already stored)", highlight=False)


def _importer(engine, package, spec: str | None) -> Actor:
    """Who brings the file in: a user (`--as LOGIN`, signed in) who may record others' acts
    (`case:record_for_others`: a registrar), or, for the local operator, ROLE:ID[@AGENCY]."""
    if spec is None or ":" in spec:
        return actor_from(spec)
    from habeas.services import guard

    user = signed_in(engine, spec)
    decision = guard.decide(package, user, "case:record_for_others")
    if not decision.allowed:
        raise fail(
            f"refused: importing others' records needs case:record_for_others (a registrar); {user.id} "
            f"has the role {user.role}"
        )
    return user.actor


def _log_to(option: Path | None) -> Path | None:
    """Send the register's log (what a database said when it failed) to the operator's file."""
    path = option or (Path(os.environ["HABEAS_LOG_FILE"]) if os.environ.get("HABEAS_LOG_FILE") else None)
    if path is None:
        return None
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise fail(f"--log-file {path}: {exc.strerror}", 2) from None
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("habeas")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path


@contextmanager
def _progress(total: int, label: str):
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


@case_app.command("list")
def case_list(
    db: DbOption = None,
    json_out: JsonOption = False,
    region: Annotated[str | None, typer.Option("--region", help="Only this region.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="pre_trial, court or closed.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    as_user: AsOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """The case list: number, stage, region, article (the cases you may read; each one listed is logged)."""
    from habeas.presentation import findings as words
    from habeas.services import queries

    with projected(db) as engine, reading(engine, read_db) as rows_from, guarded():
        who = signed_in(engine, as_user)
        now = SystemClock().now()
        found = list(queries.listed_cases(engine, law(), who, now, region, stage, limit, listing=rows_from))
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.case_list(found))


@case_app.command("show")
def case_show(
    case: str,
    db: DbOption = None,
    json_out: JsonOption = False,
    at: AtOption = None,
    reader: UserOption = None,
    purpose: PurposeOption = "case review",
    lang: LangOption = "en",
) -> None:
    """The case file: parties, timeline, findings (as of --at). The read is logged."""
    from habeas.presentation import findings as words
    from habeas.services import queries

    moment = when(at)
    _check_language(lang)
    package = law()
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        try:
            file = queries.case_file(engine, package, case, who, purpose, moment, SystemClock().now())
        except queries.UnknownCase:
            raise fail(f"no case {case!r} in the register") from None
    words.case_file_json(file, moment, package, lang)
    if json_out:
        print(words.dumps(file))
        return
    for part in terminal.case_file(file):
        out.print(part)


def _check_language(lang: str) -> None:
    from habeas.jurisdictions.messages import languages

    known = languages(config.jurisdiction())
    if lang not in known:
        raise fail(f"--lang {lang!r}: one of {', '.join(known)}", 2)


@app.command()
def alerts(
    db: DbOption = None,
    json_out: JsonOption = False,
    at: AtOption = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this finding code.")] = None,
    lang: LangOption = "en",
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="At most this many, most urgent first (0: all).")
    ] = None,
    reader: UserOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """Open and breached findings across the cases you may read, most urgent first (logged per case)."""
    from habeas.law.rules import rule_codes
    from habeas.presentation import findings as words
    from habeas.services import queries

    moment = when(at)
    _check_language(lang)
    package = law()
    if code and code not in rule_codes(package):
        raise fail(f"unknown finding code {code!r}; see `habeas law show`", 2)
    if limit is None:
        limit = 0 if json_out else BOARD_SIZE  # a screen shows the most urgent; JSON gives all
    with projected(db) as engine, reading(engine, read_db) as rows_from:
        who = signed_in(engine, reader)
        found = queries.alerts(
            engine,
            moment,
            code=code,
            limit=limit or None,
            reader=who,
            law=package,
            now=SystemClock().now(),
            listing=rows_from,
        )
        total = queries.count_alerts(rows_from, moment, code=code) if limit and len(found) == limit else len(found)
    words.alerts_json(found, moment, package, lang)
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.findings(found, f"Alerts as of {terminal.WORDING.stamp(moment)}"))
    if total > len(found):
        out.print(f"showing the {len(found)} most urgent of {total}; --limit 0 shows all", highlight=False)


@app.command()
def verify(
    db: DbOption = None,
    checkpoints_file: CheckpointsOption = None,
    key: KeyOption = None,
    tsa_cert: TsaCertOption = None,
    deep: Annotated[
        bool,
        typer.Option("--deep", help="Also replay cases and compare the projections (alerts, statistics) with them."),
    ] = False,
    sample: Annotated[int, typer.Option("--sample", min=1, help="With --deep: how many cases, drawn at random.")] = 200,
    full: Annotated[bool, typer.Option("--full", help="With --deep: every case, not a sample.")] = False,
) -> None:
    """Walk every chain (events, reads, accounts) and check users and sessions against theirs.
    With a published checkpoint log, the logs must also be what every checkpoint there signs.
    Exit 1 at the first record that is not what was stored."""
    from habeas.services import checkpoints, maintenance, projection_check

    published = checkpoints_file or config.checkpoint_log_path()
    if checkpoints_file is None and published is not None and not published.exists():
        out.print(f"checkpoint log {published}: none published yet (`habeas checkpoint`)", highlight=False)
        published = None
    log = _published(published, _trusted(key), tsa_cert or config.timestamp_authority()[1]) if published else None
    with database(db) as engine:
        result = maintenance.verify(engine)
        mismatches = checkpoints.verify_published(engine, log) if log else []
        replayed = projection_check.check(engine, law(), None if full else sample) if deep else None
    broken = _said_of_chains(result)
    if log is not None:
        for problem in mismatches:
            out.print(f"checkpoint log: {problem}", highlight=False)
        if not mismatches:
            out.print(f"checkpoint log: the logs are what its {len(log)} checkpoint(s) sign", highlight=False)
    if replayed is not None:
        for name, position in replayed.behind.items():
            out.print(
                f"projection {name} is behind the log (at {position}): `habeas rebuild --catch-up` first",
                highlight=False,
            )
        for problem in replayed.differences:
            out.print(f"projections: {problem}", highlight=False)
        if replayed.holds:
            out.print(f"projections hold: {replayed.checked} of {replayed.cases} cases replayed agree", highlight=False)
    if broken or mismatches or (replayed is not None and not replayed.holds):
        raise typer.Exit(1)


def _said_of_chains(result) -> bool:
    """Print what the walk found of each chain; True when one is broken."""
    # The verdict is the command's answer, so it goes to stdout like "intact"; the exit code says it.
    # Position 0 is no record: the chain head record itself is what is wrong.
    if result.bad_position is None:
        out.print(f"intact: {result.count} events, head {result.head_position} {result.head_hash}", highlight=False)
    else:
        where = "broken" if result.bad_position == 0 else f"broken at position {result.bad_position}"
        out.print(f"{where}: {result.reason} ({result.count} events verified)", highlight=False)
        return True
    reads_chain, broken = result.reads, False
    if reads_chain.broken is None:
        out.print(
            f"reads intact: {reads_chain.count} records, head {reads_chain.position} {reads_chain.head.hex()}",
            highlight=False,
        )
    else:
        gap = reads_chain.broken
        where = "broken" if gap.position == 0 else f"broken at read {gap.position}"
        out.print(f"reads {where}: {gap.reason} ({reads_chain.count} records verified)", highlight=False)
        broken = True
    chain = result.accounts
    if chain.broken is not None:
        gap = chain.broken
        where = "broken" if gap.position == 0 else f"broken at record {gap.position}"
        out.print(f"accounts {where}: {gap.reason} ({chain.count} records verified)", highlight=False)
        return True
    if chain.differences:
        for problem in chain.differences:
            out.print(f"accounts: {problem}", highlight=False)
        return True
    out.print(
        f"accounts intact: {chain.count} records, head {chain.position} {chain.head.hex()}; users and sessions agree",
        highlight=False,
    )
    return broken


@app.command()
def rebuild(
    db: DbOption = None,
    catch_up: Annotated[
        bool,
        typer.Option(
            "--catch-up",
            help="Only read what each projection has not read yet (all of it, for one judged under another law).",
        ),
    ] = False,
) -> None:
    """Drop every projection and rebuild it from the log (or, with --catch-up, complete it)."""
    from habeas.services import maintenance

    with database(db) as engine:
        if not catch_up:
            count = maintenance.rebuild(engine, law())
            out.print(f"rebuilt projections from {count} events", highlight=False)
            return
        caught = maintenance.catch_up(engine, law())
    if not caught.was:
        out.print(f"projections up to date at position {caught.head}", highlight=False)
    for name, position in caught.was.items():
        out.print(f"caught up {name} from position {position} to {caught.head}", highlight=False)


@app.command()
def export(
    db: DbOption = None,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            help="jsonl: events in the import format (round-trips); log: the stored records with their"
            " positions, recorded times and hashes (for `python -m habeas.verify_export`).",
        ),
    ] = "jsonl",
    reader: UserOption = None,
    purpose: PurposeOption = "export",
) -> None:
    """The whole log (export:read; the export is logged as a read of every case)."""
    from habeas.services import maintenance

    if format not in maintenance.FORMATS:
        raise fail(f"unknown format {format!r}: one of {', '.join(maintenance.FORMATS)}", 2)
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        write = sys.stdout.write
        for line in maintenance.export_lines(engine, law(), who, SystemClock().now(), format, purpose):
            write(line + "\n")


@law_app.command("show")
def law_show(
    code: Annotated[
        str | None, typer.Argument(help="A finding code, e.g. KZ-DETENTION-LIMIT; none lists them.")
    ] = None,
    json_out: JsonOption = False,
    overlay: Annotated[
        Path | None, typer.Option("--overlay", help="A what-if: dated changes to apply (YAML), shown as such.")
    ] = None,
) -> None:
    """A rule, its versions with dates, citations and certainty."""
    from habeas.jurisdictions import read_overlay
    from habeas.law.package import LawDataError
    from habeas.law.rules import describe, rule_codes

    package = law()
    if overlay is not None:
        try:
            package = package.with_overlay(read_overlay(overlay))
        except LawDataError as exc:
            raise fail(f"overlay: {exc}", 2) from None
    if code is None:
        for known in rule_codes(package):
            out.print(known)
        return
    try:
        rule = describe(package, code)
    except LookupError:
        raise fail(f"unknown rule code {code!r}; known: {', '.join(rule_codes(package))}", 2) from None
    if json_out:
        print(json.dumps(rule, ensure_ascii=False, indent=2, default=str))
        return
    for part in terminal.rule(rule):
        out.print(part, highlight=False)


@app.command()
def reads(
    case: Annotated[str | None, typer.Option("--case", help="The case.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Only reads of this person's data.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Who read my case (as a person's user).")] = False,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="Reads by officials with no assignment behind them (monitors).")
    ] = False,
    since: Annotated[str | None, typer.Option("--since", help="With --unassigned: from this time on.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
    reader: UserOption = None,
) -> None:
    """Who read this case's (or person's) data, when, and why (reads:read; itself logged)."""
    from habeas.presentation import findings as words
    from habeas.services import queries

    if sum((case is not None, mine, unassigned)) != 1:
        raise fail("say one of --case CASE, --mine or --unassigned", 2)
    if since is not None and not unassigned:
        raise fail("--since goes with --unassigned", 2)
    start = when(since) if since is not None else None
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        if mine:
            if who.person is None:
                raise fail("--mine is a person's question: sign in as the person's user (--as)", 2)
            case, person = who.person
        found = queries.who_read(
            engine, law(), who, SystemClock().now(), case, person, unassigned=unassigned, since=start
        )
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.reads(found, case or "unassigned reads"))


@case_app.command("assign")
def case_assign(
    case: str,
    official: Annotated[str, typer.Option("--official", help="The user (login) assigned.")],
    end: Annotated[bool, typer.Option("--end", help="End the assignment (case.unassigned).")] = False,
    db: DbOption = None,
    reader: UserOption = None,
) -> None:
    """Assign an official to a case (case:assign, and the law's competence for case.assigned)."""
    from habeas.domain.events import Refused as RecordRefused
    from habeas.services import assignments, users

    package = law()
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        try:
            outcome = assignments.assign(engine, package, SystemClock(), who, case, official, ends=end)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
        except RecordRefused as exc:
            raise fail(f"refused: {exc}") from None
    verb = "no longer assigned to" if end else "assigned to"
    out.print(f"{official} {verb} {case} (event {outcome.event.id})", highlight=False)


@user_app.command("add")
def user_add(
    login: Annotated[str, typer.Option("--login", help="The user's login.")],
    role: Annotated[str, typer.Option("--role", help="A role of design §2: investigator, judge, person…")],
    agency: Annotated[str | None, typer.Option("--agency", help="The user's agency, unit or court.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="The user's region.")] = None,
    person: Annotated[
        str | None, typer.Option("--person", help="A person's user: CASE:PARTY, the case and their party id.")
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="An office the policy tells apart: head (of a unit), chair (a court)")
    ] = None,
    db: DbOption = None,
    reader: UserOption = None,
) -> None:
    """Add a user (user:admin). Prints the user's token once: it is not stored, only its hash."""
    from habeas.services import users

    subject = None
    if person is not None:
        case, _, party = person.rpartition(":")
        if not case or not party:
            raise fail("--person: write CASE:PARTY", 2)
        subject = (case, party)
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        try:
            added = users.add(engine, law(), who, SystemClock().now(), login, role, agency, region, subject, title)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
    out.print(f"user {added.login} added; token (shown once): {added.token}", highlight=False)


@user_app.command("list")
def user_list(db: DbOption = None, json_out: JsonOption = False, reader: UserOption = None) -> None:
    """The users (user:admin)."""
    from habeas.presentation import findings as words
    from habeas.services import users

    with database(db) as engine, guarded():
        found = users.listed(engine, law(), signed_in(engine, reader), SystemClock().now())
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.users(found))


@user_app.command("disable")
def user_disable(login: str, db: DbOption = None, reader: UserOption = None) -> None:
    """Disable a user (user:admin): their token no longer signs in."""
    from habeas.services import users

    with database(db) as engine, guarded():
        try:
            users.disable(engine, law(), signed_in(engine, reader), SystemClock().now(), login)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
    out.print(f"user {login} disabled", highlight=False)


@checkpoint_app.callback()
def checkpoint(
    ctx: typer.Context,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write it here (default: print it).")] = None,
    publish: PublishOption = None,
    db: DbOption = None,
    reader: UserOption = None,
) -> None:
    """Sign the head position and hash of the event, read and account logs (checkpoint:write),
    and append the checkpoint to the checkpoint log when one is configured."""
    from habeas.services import checkpoints, timestamps

    if ctx.invoked_subcommand is not None:
        return
    publish = publish or config.checkpoint_log_path()
    tsa_url, _ = config.timestamp_authority()
    countersign = timestamps.authority(tsa_url) if tsa_url else None
    with database(db) as engine, guarded():
        who = signed_in(engine, reader)
        try:
            made = checkpoints.make(
                engine, law(), who, SystemClock().now(), config.signing_key_path(), publish, countersign
            )
        except (checkpoints.NoKey, checkpoints.KeyRefused, timestamps.Unanswered) as exc:
            raise fail(str(exc)) from None
        except OSError as exc:
            raise fail(f"checkpoint log {publish}: {exc}") from None
        except ValueError as exc:  # a broken log, or a checkpoint log that does not hold
            raise fail(str(exc)) from None
    text = json.dumps(made, indent=2, sort_keys=True)
    heads = f"events {made['events']['position']} and reads {made['reads']['position']}"
    if publish is not None:
        err.print(f"checkpoint of {heads} published to {publish}", highlight=False)
    if out_file is None:
        print(text)
        return
    out_file.write_text(text + "\n", encoding="utf-8")
    out.print(f"checkpoint of {heads} written to {out_file}", highlight=False)


@checkpoint_app.command("keygen")
def checkpoint_keygen(db: DbOption = None) -> None:
    """Make the signing key at $HABEAS_SIGNING_KEY (never over one, never in the database's folder)."""
    from habeas.services import checkpoints

    key = config.signing_key_path()
    try:
        checkpoints.create_key(key, config.database_url(db))
    except (checkpoints.NoKey, checkpoints.KeyRefused) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"signing key {key}: {exc.strerror}") from None
    out.print(f"signing key created: {key} (publish {checkpoints.public_path(key)})", highlight=False)


def _published(path: Path | None, trusted: bytes, tsa_cert: Path | None) -> list[dict] | None:
    """The published checkpoint log at `path`, checked whole (exit 1 if it does not hold)."""
    from habeas.services import checkpoints, publication

    if path is None:
        return None
    try:
        log = publication.published(path, trusted)
        checkpoints.check_timestamps(log, tsa_cert)
    except OSError as exc:
        raise fail(f"checkpoint log {path}: {exc.strerror or exc}", 2) from None
    except checkpoints.Forged as exc:
        out.print(f"checkpoint log refused: {exc}", highlight=False)
        raise typer.Exit(1) from None
    return log


def _trusted(key: Path | None) -> bytes:
    from habeas.services import checkpoints

    try:
        return _public_key(key) if key else checkpoints.public_key(config.signing_key_path())
    except (OSError, ValueError) as exc:
        raise fail(f"public key: {exc}", 2) from None


@checkpoint_app.command("verify")
def checkpoint_verify(
    file: Annotated[Path, typer.Argument(help="A checkpoint written by `habeas checkpoint`.")],
    key: KeyOption = None,
    checkpoints_file: CheckpointsOption = None,
    tsa_cert: TsaCertOption = None,
    db: DbOption = None,
) -> None:
    """Check a checkpoint against the database: its signature by the key given, not older than
    the last published checkpoint, and each log's hash at its positions."""
    from habeas.services import checkpoints

    try:
        statement = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise fail(f"{file}: cannot read a checkpoint ({exc})", 2) from None
    trusted = _trusted(key)
    configured = config.checkpoint_log_path()
    path = checkpoints_file or (configured if configured is not None and configured.exists() else None)
    log = _published(path, trusted, tsa_cert or config.timestamp_authority()[1])
    with database(db) as engine:
        try:
            said = checkpoints.verify(engine, statement, trusted, log)
        except checkpoints.Forged as exc:
            out.print(f"refused: {exc}", highlight=False)
            raise typer.Exit(1) from None
    out.print(f"checkpoint holds: {said}", highlight=False)


def _public_key(path: Path) -> bytes:
    from habeas.verify_export import read_key  # the outsider's reading of a published key

    return read_key(path)


@app.command()
def report(
    years: Annotated[str | None, typer.Option("--years", help="Years: 2024, 2022-2024 or 2019,2022-2024.")] = None,
    section: Annotated[
        list[str] | None, typer.Option("--section", help="A section (detention, custody, torture, trial, corruption).")
    ] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="A region's code (almaty, shymkent, …).")] = None,
    query: Annotated[
        str | None, typer.Option("--query", help="A report's shareable spec: years=2022-2024&sections=…&regions=…")
    ] = None,
    format_: Annotated[
        str, typer.Option("--format", help="table, csv or json; or an export (CSV): offences (open data), un-cts.")
    ] = "table",
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also draw the report's charts to FILE.svg or .png.")
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """Public statistics: the oversight indicators by year and region, small counts suppressed."""
    from habeas.presentation import statistics as shown  # imported here: the CLI starts fast
    from habeas.services import statistics

    if format_ not in ("table", "csv", "json", "offences", "un-cts"):
        raise fail(f"--format {format_!r}: one of table, csv, json, offences, un-cts", 2)
    try:
        if query is not None:
            if years or section or region:
                raise statistics.SpecError("--query: give the spec alone, or --years/--section/--region")
            spec = statistics.ReportSpec.parse(query)
        else:
            if not years:
                raise statistics.SpecError("--years: which years (2024, 2022-2024)")
            spec = statistics.ReportSpec(statistics.parse_years(years), tuple(section or ()), tuple(region or ()))
        moment = when(at)
        with database(db) as engine, reading(engine, read_db) as reads:
            replica = None if reads is engine else reads  # the released figures are read there
            if format_ in statistics.EXPORTS:
                columns, rows = statistics.export(engine, format_, spec, moment, load=law, replica=replica)
                sys.stdout.write(shown.rows_csv(columns, rows))
                return
            found = statistics.report(engine, spec, moment, load=law, replica=replica)
    except statistics.SpecError as exc:
        raise fail(str(exc), 2) from None
    if chart is not None:
        from habeas.presentation import charts

        try:
            charts.draw(found, chart)
        except ValueError as exc:
            raise fail(str(exc), 2) from None
    if format_ == "json":
        print(shown.to_json(found))
    elif format_ == "csv":
        sys.stdout.write(shown.to_csv(found))
    else:
        for table in shown.tables(found):
            out.print(table)
        out.print(
            f"withheld: < {found.min_count} counts fewer people; x is withheld so that another cannot be worked out"
            " (or drawn from a withheld count)",
            highlight=False,
        )
        out.print(f"share: habeas report --query '{spec.query()}'", highlight=False)
    if chart is not None:
        err.print(f"chart written to {chart}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (one core each; appends stay serialised).")
    ] = 1,
    db: DbOption = None,
    read_db: ReadDbOption = None,
) -> None:
    """Serve the REST API (/api/v1, /openapi.json) and the web UI."""
    import uvicorn

    from habeas.services import maintenance

    # a clear error now, not a traceback from the server's start
    with database(db) as engine, reading(engine, read_db):
        maintenance.current(engine, law, law_digest)  # the projections caught up once, before the workers start
    out.print(f"habeas on http://{host}:{port}/ (API: /api/v1, contract: /openapi.json)", highlight=False)
    # each worker process builds the app itself, from the same settings (the environment)
    os.environ[config.ENV_DATABASE_URL] = config.database_url(db)
    if read_db:
        os.environ[config.ENV_READ_DATABASE_URL] = read_db
    os.environ.setdefault(config.ENV_WEB_SECRET, config.web_secret().hex())  # one CSRF key for every worker
    uvicorn.run("habeas.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="warning")


@app.command()
def demo(
    db: Annotated[str, typer.Option("--db", help="Database URL for the demo.")] = "sqlite:///habeas-demo.db",
    cases: Annotated[int, typer.Option("--cases", min=1, help="Sample cases to generate.")] = 300,
) -> None:
    """A register with a sample caseload: import, verify, the most urgent alerts, one case file."""
    from habeas.demo import main as run_demo  # the demo itself renders through this module

    raise typer.Exit(run_demo(["--db", db, "--cases", str(cases)]))


def main() -> None:
    app()
