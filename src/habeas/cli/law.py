"""`habeas law show`: the law in force, as data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from habeas import bootstrap
from habeas.cli.common import fail, law, out
from habeas.cli.options import JsonOption
from habeas.presentation import terminal


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
    from habeas.law.package import LawDataError
    from habeas.law.rules import describe, rule_codes

    package = law()
    if overlay is not None:
        try:
            package = package.with_overlay(bootstrap.read_overlay(overlay))
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
