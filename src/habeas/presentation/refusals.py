"""A refusal's reason in the reader's language.

The register says why it refused a fact in English (`Problem.reason`, the contract of the
CLI's and the API's error documents). A page shows it in the reader's language: each known
shape of a reason is a pattern here, its parts named; the words are a catalogue msgid with
those names (`%(kind)s`), translated like any other. A code in a reason (a kind, a role) is
worded by `Wording.code`; a reason of no known shape is shown as the register gave it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from habeas.presentation.wording import Wording

# (the reason's shape, the msgid that words it); codes named `kind`, `role`, `roles` are worded
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), msgid)
    for p, msgid in [
        (r"^(?:required|Field required)$", "required"),
        (r"^must be an ISO 8601 time string with a UTC offset$", "not a time with its UTC offset"),
        (r"^not an ISO 8601 time: (?P<value>.*)$", "not a time: %(value)s"),
        (
            r"^'(?P<value>.+)' has no UTC offset \(write e\.g\. (?P<example>\S+)\)$",
            "%(value)s has no UTC offset (write e.g. %(example)s)",
        ),
        (r"^must lie in the years (?P<first>\d+) to (?P<last>\d+)$", "must lie in the years %(first)s to %(last)s"),
        (
            r"^(?P<time>\S+) is after the register's clock \((?P<clock>\S+) with its tolerance\):"
            r" a fact is recorded once it has happened$",
            "%(time)s is after the register's clock (%(clock)s): a fact is recorded once it has happened",
        ),
        (
            r"^'(?P<person>.+)' is no party of case (?P<case>\S+): record party\.added first(?: \((?P<why>.+)\))?$",
            "%(person)s is no party of case %(case)s: record the party first%(why)s",
        ),
        (
            r"^an? (?P<role>[a-z_]+) may not record (?P<kind>[a-z_.]+): only (?P<roles>[a-z_, ]+?)(?P<cited> \(.*\))?$",
            "a %(role)s may not record %(kind)s: only %(roles)s%(cited)s",
        ),
        (r"^no one may record (?P<kind>[a-z_.]+) under the (?P<law>\S+) law$", "no one may record %(kind)s"),
        (r"^already stored with other content$", "already stored with other content"),
        (r"^Input should be a valid string$", "must be text"),
        (r"^Input should be a valid boolean$", "must be yes or no"),
        (r"^Input should be a valid integer.*$", "must be a whole number"),
        (r"^String should have at least 1 character$", "required"),
        (r"^String should have at most (?P<n>\d+) characters?$", "at most %(n)s characters"),
        (r"^Input should be (?P<options>'.+')$", "must be one of %(options)s"),
    ]
]
CODES = ("kind", "role")


def refusal(reason: str, wording: Wording) -> str:
    """`reason` in the language of `wording` (as given when its shape is not known, and in
    English: the register's own words)."""
    if wording.lang == "en":
        return reason
    return known(reason, wording) or reason


_FIELD = re.compile(r"^(?P<field>[A-Za-z_][\w.\[\]-]*): (?P<reason>.+)$", re.S)


def message(text: str, wording: Wording) -> str | None:
    """An error message (`reason`, or `field: reason` as the CLI and the API word them) in
    the language of `wording`; None when its shape is not known (the English stands)."""
    whole = known(text, wording)
    if whole is not None:
        return whole
    parts = _FIELD.match(text)
    if parts is None:
        return None
    worded = known(parts["reason"], wording)
    return None if worded is None else f"{parts['field']}: {worded}"


def known(reason: str, wording: Wording) -> str | None:
    """`reason` worded through the catalogue when it has one of the known shapes, else None."""
    for pattern, msgid in PATTERNS:
        found = pattern.match(reason)
        if found is None:
            continue
        values = {k: v or "" for k, v in found.groupdict().items()}
        for name in CODES:
            if values.get(name):
                values[name] = wording.code(values[name])
        if values.get("roles"):
            values["roles"] = ", ".join(wording.code(r.strip()) for r in values["roles"].split(","))
        if "why" in values:  # the package's reason (plausibility.yaml), through the catalogue
            values["why"] = f" ({wording.gettext(values['why'])})" if values["why"] else ""
        if values.get("cited"):
            values["cited"] = f" ({wording.citation(values['cited'].strip()[1:-1])})"
        return wording.gettext(msgid, **values) if values else wording.gettext(msgid)
    return None
