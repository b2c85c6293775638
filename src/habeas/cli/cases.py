"""Case files and what is read of them: `case list|show|assign`, `alerts`, `reads`."""

from __future__ import annotations

from typing import Annotated

import typer

from habeas import bootstrap
from habeas.cli.common import database, fail, guarded, law, out, projected, reading, signed_in, when
from habeas.cli.options import (
    AsOption,
    AtOption,
    DbOption,
    JsonOption,
    LangOption,
    PurposeOption,
    ReadDbOption,
    UserOption,
)
from habeas.presentation import terminal

BOARD_SIZE = 100  # alerts shown on a terminal unless --limit says otherwise


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
        now = bootstrap.now()
        found = list(queries.listed_cases(engine, law(), who, now, region, stage, limit, listing=rows_from))
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.case_list(found))


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
            file = queries.case_file(engine, package, case, who, purpose, moment, bootstrap.now())
        except queries.UnknownCase:
            raise fail(f"no case {case!r} in the register") from None
    words.case_file_json(file, moment, package, lang)
    if json_out:
        print(words.dumps(file))
        return
    for part in terminal.case_file(file):
        out.print(part)


def _check_language(lang: str) -> None:
    known = bootstrap.languages()
    if lang not in known:
        raise fail(f"--lang {lang!r}: one of {', '.join(known)}", 2)


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
            now=bootstrap.now(),
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
        found = queries.who_read(engine, law(), who, bootstrap.now(), case, person, unassigned=unassigned, since=start)
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.reads(found, case or "unassigned reads"))


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
            outcome = assignments.assign(engine, package, bootstrap.clock(), who, case, official, ends=end)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
        except RecordRefused as exc:
            raise fail(f"refused: {exc}") from None
    verb = "no longer assigned to" if end else "assigned to"
    out.print(f"{official} {verb} {case} (event {outcome.event.id})", highlight=False)
