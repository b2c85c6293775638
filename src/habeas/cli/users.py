"""`habeas user add|list|disable`: who may sign in, with which role."""

from __future__ import annotations

from typing import Annotated

import typer

from habeas import bootstrap
from habeas.cli.common import database, fail, guarded, law, out, signed_in
from habeas.cli.options import DbOption, JsonOption, UserOption
from habeas.presentation import terminal


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
            added = users.add(engine, law(), who, bootstrap.now(), login, role, agency, region, subject, title)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
    out.print(f"user {added.login} added; token (shown once): {added.token}", highlight=False)


def user_list(db: DbOption = None, json_out: JsonOption = False, reader: UserOption = None) -> None:
    """The users (user:admin)."""
    from habeas.presentation import findings as words
    from habeas.services import users

    with database(db) as engine, guarded():
        found = users.listed(engine, law(), signed_in(engine, reader), bootstrap.now())
    if json_out:
        print(words.dumps(found))
        return
    out.print(terminal.users(found))


def user_disable(login: str, db: DbOption = None, reader: UserOption = None) -> None:
    """Disable a user (user:admin): their token no longer signs in."""
    from habeas.services import users

    with database(db) as engine, guarded():
        try:
            users.disable(engine, law(), signed_in(engine, reader), bootstrap.now(), login)
        except users.UserError as exc:
            raise fail(str(exc), 2) from None
    out.print(f"user {login} disabled", highlight=False)
