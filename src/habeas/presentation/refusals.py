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
        (r"^(?:String should have at most|at most) (?P<n>\d+) characters?$", "at most %(n)s characters"),
        (r"^Input should be (?P<options>'.+')$", "must be one of %(options)s"),
        # the shape of an event (domain/events.py)
        (
            r"^(?P<value>.+) has no time of day \(write e\.g\. (?P<example>\S+)\)$",
            "%(value)s has no time of day (write e.g. %(example)s)",
        ),
        (
            r"^(?P<value>.+): a UTC offset is whole minutes \(e\.g\. \+05:00\)$",
            "%(value)s: a UTC offset is whole minutes (e.g. +05:00)",
        ),
        (r"^must be an object with id, role and agency$", "must be an object with id, role and agency"),
        (
            r"^required; letters, digits and \._:/@\+-, at most 128 characters$",
            "required; letters, digits and ._:/@+-, at most 128 characters",
        ),
        (
            r"^letters, digits and \._:/@\+-, at most 128 characters$",
            "letters, digits and ._:/@+-, at most 128 characters",
        ),
        (r"^unknown role (?P<value>.+); one of (?P<roles>[a-z_, ]+)$", "unknown role %(value)s; one of %(roles)s"),
        (r"^required; one of (?P<roles>[a-z_, ]+)$", "required; one of %(roles)s"),
        (r"^must be a string of 1 to 128 characters$", "must be a string of 1 to 128 characters"),
        (r"^unknown field\(s\): (?P<names>.+)$", "unknown field(s): %(names)s"),
        (r"^must be an object$", "must be an object"),
        (r"^(?:must be|an event is) a JSON object$", "must be a JSON object"),
        (r"^required: a string naming a kind of the vocabulary$", "required: a string naming a kind of the vocabulary"),
        (r"^unknown kind (?P<value>.+): not in the vocabulary$", "unknown kind %(value)s: not in the vocabulary"),
        (
            r"^(?P<kind>[a-z_.]+) names no case: it is filed under its (?P<subject>[a-z_]+)$",
            "%(kind)s names no case: it is filed under its %(subject)s",
        ),
        (r"^a line of (?P<size>\d+) bytes; at most (?P<n>\d+)$", "a line of %(size)s bytes; at most %(n)s"),
        (r"^not valid JSON: (?P<detail>.+)$", "not valid JSON: %(detail)s"),
        (r"^nested more than (?P<n>\d+) deep$", "nested more than %(n)s deep"),
        (r"^object keys must be strings$", "object keys must be strings"),
        (r"^a field name (?P<reason>.+)$", "a field name: %(reason)s"),
        (
            r"^a (?P<what>number|string) of (?P<size>\d+) (?:digits|characters); at most (?P<n>\d+)$",
            "too long: %(size)s; at most %(n)s",
        ),
        (r"^a number of more than (?P<n>\d+) digits$", "a number of more than %(n)s digits"),
        (r"^the number (?P<value>\S+) is out of range$", "the number %(value)s is out of range"),
        (r"^(?P<value>\S+) is not a JSON number$", "%(value)s is not a JSON number"),
        (r"^a number must be finite$", "a number must be finite"),
        (r"^not a JSON value: (?P<type>\w+)$", "not a JSON value: %(type)s"),
        (r"^contains a NUL character \(\\u0000\)$", "contains a NUL character (\\u0000)"),
        (
            r"^contains a lone surrogate \(\\ud800-\\udfff\): not Unicode text$",
            "contains a lone surrogate (\\ud800-\\udfff): not Unicode text",
        ),
        (
            r"^the key (?P<key>.+) is given twice in one object: which value is meant cannot be known$",
            "the key %(key)s is given twice in one object: which value is meant cannot be known",
        ),
        # the case and the corrections (services/register.py, law/competence.py)
        (
            r"^unknown case (?P<case>.+): a case starts with report\.received or case\.registered$",
            "unknown case %(case)s: a case starts with report.received or case.registered",
        ),
        (r"^no event (?P<event>.+) in case (?P<case>\S+)$", "no event %(event)s in case %(case)s"),
        (
            r"^a correction is corrected by a new correction of the original$",
            "a correction is corrected by a new correction of the original",
        ),
        (
            r"^(?P<event>\S+) was recorded by an? (?P<role>[a-z_]+); only (?P<roles>[a-z_, ]+) may correct it$",
            "%(event)s was recorded by a %(role)s; only %(roles)s may correct it",
        ),
        # facts that cannot be true (law/plausibility.py; `why` is the package's reason)
        (
            r"^(?P<kind>[a-z_.]+) of (?P<person>.+) is recorded already \((?P<why>.+)\)$",
            "%(kind)s of %(person)s is recorded already%(why)s",
        ),
        (
            r"^(?P<kind>[a-z_.]+) of (?P<person>.+) after (?P<after>[a-z_.]+) \((?P<why>.+)\)$",
            "%(kind)s of %(person)s after %(after)s%(why)s",
        ),
        (
            r"^(?P<value>\S+) is not after the fact itself \((?P<why>.+)\)$",
            "%(value)s is not after the fact itself%(why)s",
        ),
        (r"^(?P<value>\S+) is after the fact itself \((?P<why>.+)\)$", "%(value)s is after the fact itself%(why)s"),
        # the API's own answers (api/)
        (r"^no case (?P<case>.+) in the register$", "no case %(case)s in the register"),
        (
            r"^a person's question: sign in as the person's user$",
            "a person's question: sign in as the person's user",
        ),
        (r"^cursor: not a cursor this list gave$", "cursor: not a cursor this list gave"),
        (
            r"^refused: the case list is for roles that read case files, not an? (?P<role>[a-z_]+)$",
            "refused: the case list is for roles that read case files, not a %(role)s",
        ),
        (
            r"^(?P<n>\d+) line\(s\) refused; nothing stored\. line (?P<line>\d+): (?P<reason>.+)$",
            "%(n)s line(s) refused; nothing stored. line %(line)s: %(reason)s",
        ),
        (
            r"^a batch is at most (?P<n>\d+) MB: use `habeas import`$",
            "a batch is at most %(n)s MB: use `habeas import`",
        ),
        (r"^the body is not UTF-8 \(byte (?P<n>\d+)\)$", "the body is not UTF-8 (byte %(n)s)"),
        (
            r"^the database is unavailable \((?P<explained>.+)\); nothing was stored: try again$",
            "the database is unavailable (%(explained)s); nothing was stored: try again",
        ),
        (r"^no signing key: (?P<reason>.+) \(run `habeas init`\)$", "no signing key: %(reason)s (run `habeas init`)"),
        (
            r"^no signing key configured: set HABEAS_SIGNING_KEY to a path outside the database's folder$",
            "no signing key configured: set HABEAS_SIGNING_KEY to a path outside the database's folder",
        ),
        (
            r"^no signing key configured: set HABEAS_SIGNING_KEY \(`habeas checkpoint keygen` makes one\)$",
            "no signing key configured: set HABEAS_SIGNING_KEY (`habeas checkpoint keygen` makes one)",
        ),
        (
            r"^no signing key at (?P<path>.+): `habeas checkpoint keygen` makes one$",
            "no signing key at %(path)s: `habeas checkpoint keygen` makes one",
        ),
        (r"^no rule (?P<code>.+); GET /api/v1/law lists them$", "no rule %(code)s; GET /api/v1/law lists them"),
        (
            r"^at: after the register's clock: no figures for a time still to come$",
            "at: after the register's clock: no figures for a time still to come",
        ),
        (r"^sign in first: no valid session token$", "sign in first: no valid session token"),
        (
            r"^too many failed sign-ins from this address: try again in (?P<n>\d+) s$",
            "too many failed sign-ins from this address: try again in %(n)s s",
        ),
        (r"^sign-in refused: wrong login or token$", "sign-in refused: wrong login or token"),
        # the access policy's refusals (access/policy.py, access/acts.py)
        (
            r"^refused: (?P<kind>[a-z_.]+) is outside the (?P<section>[a-z_]+) section you record in$",
            "refused: %(kind)s is outside the section you record in (%(section)s)",
        ),
        (
            r"^refused: you act in your own name only \(person (?P<person>.+)\), not for (?P<other>.+)$",
            "refused: you act in your own name only (person %(person)s), not for %(other)s",
        ),
        (
            r"^refused: an? (?P<role>[a-z_]+) names only themselves in (?P<kind>[a-z_.]+)"
            r" \((?P<field>[a-z_]+) (?P<own>.+), not (?P<value>.+)\)$",
            "refused: a %(role)s names only themselves in %(kind)s (%(field)s %(own)s, not %(value)s)",
        ),
        (
            r"^refused: (?P<kind>[a-z_.]+) (?P<what>.*?)needs (?P<action>[a-z_]+:[a-z_]+) \((?P<inner>.+)\)$",
            "refused: %(kind)s %(what)sneeds the right: %(action)s (%(inner)s)",
        ),
        (
            r"^refused: (?P<action>[a-z_]+:[a-z_]+)(?: on (?P<on>\S+))? is no right of the role (?P<role>[a-z_]+)$",
            "refused: %(action)s%(on)s is no right of the role %(role)s",
        ),
        (
            r"^refused: (?P<action>[a-z_]+:[a-z_]+)(?: on (?P<on>\S+))? needs the right to act (?P<needs>.+)$",
            "refused: %(action)s%(on)s needs the right to act %(needs)s",
        ),
        # the same two, quoted without their "refused: " inside an act's refusal (access/acts.py)
        (
            r"^(?P<action>[a-z_]+:[a-z_]+)(?: on (?P<on>\S+))? is no right of the role (?P<role>[a-z_]+)$",
            "%(action)s%(on)s is no right of the role %(role)s",
        ),
        (
            r"^(?P<action>[a-z_]+:[a-z_]+)(?: on (?P<on>\S+))? needs the right to act (?P<needs>.+)$",
            "%(action)s%(on)s needs the right to act %(needs)s",
        ),
    ]
]
CODES = ("kind", "role", "after", "subject", "section", "action", "field")


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
        values = {k: _part(k, v or "", wording) for k, v in found.groupdict().items()}
        return wording.gettext(msgid, **values) if values else wording.gettext(msgid)
    return None


def _part(name: str, value: str, wording: Wording) -> str:
    """One named part of a reason, worded: codes by their labels, the package's own words
    (`why`, `what`) through the catalogue, a nested reason by its own shape."""
    if not value:
        return ""
    if name in CODES:
        return wording.code(value)
    if name == "roles":
        return ", ".join(wording.code(r.strip()) for r in value.split(","))
    if name == "why":  # the package's reason (plausibility.yaml)
        return f" ({wording.gettext(value)})"
    if name == "what":  # the policy's words for what an act changes (policy.yaml `what`)
        return wording.gettext(value.strip()) + " "
    if name == "cited":
        return f" ({wording.citation(value.strip()[1:-1])})"
    if name == "on":
        return wording.gettext(" on case %(case)s", case=value)
    if name == "needs":  # "on a case of your region or as the head": each alternative worded
        return wording.gettext(" or ").join(_alternative(a, wording) for a in value.split(" or "))
    if name == "explained":  # the operator's words for a database failure (services/setup.py)
        return wording.gettext(value)
    if name in ("inner", "reason"):
        return message(value, wording) or value
    return value


_TITLED = re.compile(r"^(?P<scope>.*?)(?: as the (?P<title>[a-z_]+))?$")


def _alternative(text: str, wording: Wording) -> str:
    parts = _TITLED.match(text)
    scope = wording.gettext(parts["scope"]) if parts["scope"] else ""
    if not parts["title"]:
        return scope
    titled = wording.gettext("as the %(title)s", title=wording.code(parts["title"]))
    return f"{scope} {titled}".strip()
