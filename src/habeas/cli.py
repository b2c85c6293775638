"""`habeas` on the command line (design §5). Parse, call a service, render."""

from __future__ import annotations

import getpass
import json
import logging
import os
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import OperationalError, ProgrammingError

from habeas import config
from habeas.clock import SystemClock
from habeas.db.engine import DatabaseUrlError, make_engine, migrate
from habeas.domain.events import IDENTIFIER, Actor, Problem, parse_time
from habeas.domain.vocabulary import ROLES
from habeas.jurisdictions import load as load_law
from habeas.jurisdictions.messages import languages, render
from habeas.law.package import LawDataError
from habeas.law.rules import describe, rule_codes
from habeas.services import maintenance, queries
from habeas.services.register import Register, StorageFailed

BOARD_SIZE = 100  # alerts shown on a terminal unless --limit says otherwise

app = typer.Typer(no_args_is_help=True, add_completion=False, help="habeas: a criminal-justice register.")
case_app = typer.Typer(no_args_is_help=True, help="Case files.")
law_app = typer.Typer(no_args_is_help=True, help="The law in force, as data.")


app.add_typer(case_app, name="case")
app.add_typer(law_app, name="law")

# Piped output is not cut at 80 columns: tables stay readable in files and logs.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "160"))
out = Console(soft_wrap=True, width=_WIDTH)
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else int(os.environ.get("COLUMNS", "160")))

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $HABEAS_DATABASE_URL or sqlite:///habeas.db).")
]
AtOption = Annotated[
    str | None, typer.Option("--at", help="Evaluate as of this time (ISO 8601 with offset; default now).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Who reads: ROLE:ID[@AGENCY] (default $HABEAS_ACTOR or registrar:<login>).")
]
LangOption = Annotated[str, typer.Option("--lang", help="Language of finding messages: en, ru or kk.")]
PurposeOption = Annotated[str, typer.Option("--purpose", help="Why you read this (logged with the read).")]


@app.callback()
def _everywhere(db: DbOption = None) -> None:
    """habeas: a criminal-justice register. `--db` may come before the command too."""
    if db:  # a command's own --db still wins (config.database_url)
        os.environ[config.ENV_DATABASE_URL] = db


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@contextmanager
def database(url: str | None, *, ready: bool = True):
    """An engine for the chosen database, with clear errors instead of tracebacks."""
    try:
        engine = make_engine(config.database_url(url))
    except DatabaseUrlError as exc:
        raise fail(str(exc), 2) from None
    try:
        yield engine
    except OperationalError as exc:
        if "no such table" in str(exc) or "does not exist" in str(exc):
            raise fail("the database has no habeas schema yet: run `habeas init` first") from None
        raise fail(f"cannot use the database: {exc.orig}") from None
    except ProgrammingError as exc:
        if "does not exist" in str(exc):
            raise fail("the database has no habeas schema yet: run `habeas init` first") from None
        raise
    finally:
        engine.dispose()


def law():
    try:
        return load_law(config.jurisdiction())
    except LawDataError as exc:
        raise fail(f"law package: {exc}") from None


def when(at: str | None) -> datetime:
    """`--at`: a time with its UTC offset, in the accepted years (the same rules as an event's)."""
    if at is None or at == "now":
        return SystemClock().now()
    problems: list[Problem] = []
    moment = parse_time(at, "--at", problems)
    if problems:
        raise fail(str(problems[0]), 2)
    return moment


def actor_from(spec: str | None) -> Actor:
    spec = spec or os.environ.get("HABEAS_ACTOR") or f"registrar:{_login()}"
    role, _, rest = spec.partition(":")
    actor_id, _, agency = rest.partition("@")
    if role not in ROLES or not IDENTIFIER.match(actor_id or ""):
        raise fail(f"--as {spec!r}: write ROLE:ID[@AGENCY], ROLE one of {', '.join(ROLES)}", 2)
    return Actor(actor_id, role, agency or None)


def _login() -> str:
    try:
        name = getpass.getuser()
    except Exception:  # no login name in a bare container
        name = "cli"
    return name if IDENTIFIER.match(name) else "cli"


@app.command()
def init(db: DbOption = None) -> None:
    """Create or migrate the database (safe to run twice)."""
    with database(db) as engine:
        revision = migrate(engine)
    out.print(f"database ready: {config.database_url(db)} (schema {revision})", highlight=False)


LogFileOption = Annotated[
    Path | None,
    typer.Option(
        "--log-file",
        help="Append what the database said, should it fail, to this file (default: $HABEAS_LOG_FILE;"
        " without one the details are not kept: they may quote other cases' data).",
    ),
]


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
    if not file.is_file():
        raise fail(f"{file}: no such file", 2)
    who = actor_from(registrar)
    law_package = law()
    log_path = _log_to(log_file)
    with database(db) as engine, file.open(encoding="utf-8", errors="strict") as handle:
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
) -> None:
    """The case list: number, stage, region, article."""
    with database(db) as engine:
        found = queries.case_list(engine, region=region, stage=stage, limit=limit)
    if json_out:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table(
        "case", "stage", "region", "article", "events", "registered (UTC)", title="Cases", title_justify="left"
    )
    for c in found:
        article = (c["article"] or "-") + (f" part {c['part']}" if c["part"] else "")
        table.add_row(c["case"], c["stage"], c["region"] or "-", article, str(c["events"]), c["registered_at"] or "-")
    out.print(table)


@case_app.command("show")
def case_show(
    case: str,
    db: DbOption = None,
    json_out: JsonOption = False,
    at: AtOption = None,
    reader: AsOption = None,
    purpose: PurposeOption = "case review",
    lang: LangOption = "en",
) -> None:
    """The case file: parties, timeline, findings (as of --at)."""
    moment = when(at)
    _check_language(lang)
    who = actor_from(reader)
    with database(db) as engine:
        try:
            file = queries.case_file(engine, law(), case, who, purpose, moment, SystemClock().now())
        except queries.UnknownCase:
            raise fail(f"no case {case!r} in the register") from None
    explain_findings(file["findings"], lang, moment)
    if json_out:
        print(json.dumps(file, ensure_ascii=False, indent=2))
        return
    summary = file["summary"]
    out.print(
        f"[bold]{case}[/]  stage {summary['stage']}  article {summary['article'] or '-'}"
        f"{' part ' + str(summary['part']) if summary['part'] else ''}  region {summary['region'] or '-'}"
    )
    parties = Table("person", "role", "name", "born", title="Parties", title_justify="left")
    for p in file["parties"]:
        parties.add_row(p["person"], p["role"], p.get("name") or "", p.get("birth_date") or "")
    out.print(parties)
    timeline = Table("#", "occurred", "kind", "by", "details", title="Timeline", title_justify="left")
    for ev in file["events"]:
        details = ", ".join(f"{k}={v}" for k, v in ev["data"].items())
        if ev.get("corrected_by"):
            details += f"  [yellow](corrected by {', '.join(ev['corrected_by'])})[/]"
        timeline.add_row(
            str(ev["position"]), ev["occurred_at"], ev["kind"], f"{ev['actor']['role']} {ev['actor']['id']}", details
        )
    out.print(timeline)
    print_findings(file["findings"], f"Findings as of {file['at']}")


def _check_language(lang: str) -> None:
    known = languages(config.jurisdiction())
    if lang not in known:
        raise fail(f"--lang {lang!r}: one of {', '.join(known)}", 2)


def explain_findings(findings: list[dict], lang: str, at: datetime) -> None:
    """Add each finding's message in the reader's language and how far past or ahead its due time is."""
    for f in findings:
        f["text"] = render(f.get("message") or f["code"], f.get("params"), lang, config.jurisdiction())
        due = datetime.fromisoformat(f["due_at"]) if f.get("due_at") else None
        if due is not None and f["status"] == "breached" and not f.get("met_at"):
            f["overdue"] = _duration(at - due)
        elif due is not None and f["status"] == "open":
            f["remaining"] = _duration(due - at)


def _duration(delta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} h" if hours < 48 else f"{hours // 24} d {hours % 24} h"


def print_findings(findings: list[dict], title: str) -> None:
    if not findings:
        out.print(f"{title}: none")
        return
    table = Table(
        "status", "code", "case", "due", "", "citation", "what the law requires", title=title, title_justify="left"
    )
    for f in findings:
        style = "bold red" if f["status"] == "breached" else "yellow"
        timing = f"by {f['overdue']}" if f.get("overdue") else f"in {f['remaining']}" if f.get("remaining") else ""
        table.add_row(
            f"[{style}]{f['status']}[/]",
            f["code"],
            f.get("case", ""),
            f.get("due_at") or "",
            timing,
            f.get("citation") or "",
            f.get("text") or "",
        )
    out.print(table)


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
) -> None:
    """Open and breached findings across all cases, most urgent first."""
    moment = when(at)
    _check_language(lang)
    if code and code not in rule_codes(law()):
        raise fail(f"unknown finding code {code!r}; see `habeas law show`", 2)
    if limit is None:
        limit = 0 if json_out else BOARD_SIZE  # a screen shows the most urgent; JSON gives all
    with database(db) as engine:
        found = queries.alerts(engine, moment, code=code, limit=limit or None)
        total = queries.count_alerts(engine, moment, code=code) if limit and len(found) == limit else len(found)
    explain_findings(found, lang, moment)
    if json_out:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    print_findings(found, f"Alerts as of {moment.isoformat()}")
    if total > len(found):
        out.print(f"showing the {len(found)} most urgent of {total}; --limit 0 shows all", highlight=False)


@app.command()
def verify(db: DbOption = None) -> None:
    """Walk the whole hash chain. Exit 1 at the first record that is not what was stored."""
    with database(db) as engine:
        result = maintenance.verify(engine)
    if result.intact:
        out.print(f"intact: {result.count} events, head {result.head_position} {result.head_hash}", highlight=False)
        return
    # The verdict is the command's answer, so it goes to stdout like "intact"; the exit code says it.
    # Position 0 is no event: the chain head record itself is what is wrong.
    where = "broken" if result.bad_position == 0 else f"broken at position {result.bad_position}"
    out.print(f"{where}: {result.reason} ({result.count} events verified)", highlight=False)
    raise typer.Exit(1)


@app.command()
def rebuild(db: DbOption = None) -> None:
    """Drop every projection and rebuild it from the log."""
    with database(db) as engine:
        count = maintenance.rebuild(engine, law())
    out.print(f"rebuilt projections from {count} events", highlight=False)


@app.command()
def export(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="Only jsonl for now.")] = "jsonl",
) -> None:
    """The log as events in the import format (round-trips through `habeas import`)."""
    if format != "jsonl":
        raise fail(f"unknown format {format!r}: only jsonl", 2)
    with database(db) as engine:
        write = sys.stdout.write
        for line in maintenance.export_lines(engine):
            write(line + "\n")


@law_app.command("show")
def law_show(
    code: Annotated[
        str | None, typer.Argument(help="A finding code, e.g. KZ-DETENTION-LIMIT; none lists them.")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """A rule, its versions with dates, citations and certainty."""
    package = law()
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
    _print_rule(rule)


def _print_rule(rule: dict) -> None:
    out.print(f"[bold]{rule['code']}[/]  {rule.get('title') or ''}", highlight=False)
    start = ", ".join((rule.get("start") or {}).get("kinds", []))
    stop = ", ".join((rule.get("stop") or {}).get("kinds", []))
    if start:
        out.print(f"  clock starts at {start}" + (f"; stops at {stop}" if stop else ""), highlight=False)
    out.print(f"  citations: {rule.get('citation') or '-'}", highlight=False)
    out.print(
        f"  certainty: {rule.get('certainty') or '-'}  (C confirmed, P partly, M from memory, U uncertain)",
        highlight=False,
    )
    descriptions = rule.get("parameter_descriptions") or {}
    for name, versions in (rule.get("parameters") or {}).items():
        table = Table(
            "value",
            "valid from",
            "valid until",
            "certainty",
            "citation",
            "verified",
            title=f"{name}: {descriptions.get(name, '')}",
            title_justify="left",
        )
        for v in versions:
            value = v.get("value")
            value = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            table.add_row(
                f"{value} {v.get('unit') or ''}".strip(),
                str(v.get("valid_from")),
                str(v.get("valid_until") or "-"),
                str(v.get("certainty")),
                str(v.get("citation") or ""),
                str(v.get("verified") or ""),
            )
        out.print(table)


@app.command()
def reads(
    case: Annotated[str, typer.Option("--case", help="The case.")],
    person: Annotated[str | None, typer.Option("--person", help="Only reads of this person's data.")] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Who read this case's (or person's) data, when, and why."""
    with database(db) as engine:
        found = queries.who_read(engine, case, person)
    if json_out:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return
    table = Table("when", "who", "role", "agency", "what", "purpose", title=f"Reads of {case}", title_justify="left")
    for r in found:
        table.add_row(
            r["read_at"],
            r["actor"]["id"],
            r["actor"]["role"],
            r["actor"]["agency"] or "",
            r["what"],
            r["purpose"] or "",
        )
    out.print(table)


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
