"""A finding as a reader gets it: the JSON of `case show --json` and `alerts --json`.

To the finding the services return (design §5: `code`, `status`, `person`, `due_at`,
`citation`, `evidence`, …) this adds `text` (its message in the reader's language),
`overdue` or `remaining` (how far past or ahead its due time is, as of the time asked
about) and, for a duty with no due time of its own, `due_before`: what it must come
before, read from the rule (the `due_kinds` of a `before` rule).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any

from habeas.jurisdictions.messages import catalogue, render, text
from habeas.law.findings import UNDECIDED
from habeas.law.package import Law
from habeas.law.rules import UnknownRule, describe
from habeas.presentation.wording import compact_duration

# Words used when the jurisdiction's catalogue has none for a key (English).
DEFAULT_WORDS = {
    "due.before": "before the first {events}",
    "due.or": " or ",
    "event.person.questioned": "questioning",
    "event.detention.protocol_drawn": "detention protocol",
    "calendar.unknown": "No table of non-working days for {years}: the last day was moved past weekends only.",
    "undecided": "Cannot be decided: it depends on the offence's gravity, which is unknown.",
    "gravity.unknown": "The offence's gravity is unknown ({why}): this was judged without it.",
    "offence.part": " part {part}",
    "calendar.moved": "Its last day, {day}, is a non-working day: the term ends on the next working day.",
    "competent.body": "Competent to investigate it on that day: {body}.",
}


def explain(
    findings: list[dict], at: datetime, law: Law, language: str = "en", region: str | None = None
) -> list[dict]:
    """Add to each finding its `text`, `overdue` or `remaining`, and `due_before` (in place);
    times in its words are in the local time of the finding's region (or `region`)."""
    before: dict[str, str | None] = {}
    for f in findings:
        shown = f.get("params")
        if shown and "article" in shown:  # an offence named by a finding: "part N" in words
            shown = {**shown, "part_words": _part_words(law, shown.get("part"), language)}
        where = f.get("region") or region
        f["text"] = render(f.get("message") or f["code"], shown, language, law.jurisdiction, where)
        params = f.get("params") or {}
        if f.get("kind") == UNDECIDED and params.get("gravity_unknown"):
            # the rule's words would claim a breach: say what is not known (an undecided
            # finding of another cause, e.g. a level not recorded, has its own wording)
            f["text"] = word(law, "undecided", language)
        if params.get("competent_body"):  # a dated value of the law a rule shows (`shows`)
            body = word(law, f"body.{params['competent_body']}", language, params["competent_body"])
            f["text"] += " " + word(law, "competent.body", language).format(body=body)
        if params.get("moved_from"):
            f["text"] += " " + word(law, "calendar.moved", language).format(day=params["moved_from"])
        if params.get("gravity_unknown"):
            # never a default gravity: a rule judged without it says so, and why
            f["text"] += " " + unknown_gravity_words(law, params["gravity_unknown"], language)
        if params.get("calendar_unknown_years"):
            # never a silent guess: a year the package has no table for is said so
            years = ", ".join(str(y) for y in params["calendar_unknown_years"])
            f["text"] += " " + word(law, "calendar.unknown", language).format(years=years)
        due = datetime.fromisoformat(f["due_at"]) if f.get("due_at") else None
        if due is not None and f["status"] == "breached" and not f.get("met_at"):
            f["overdue"] = compact_duration(at - due)
        elif due is not None and f["status"] == "open":
            f["remaining"] = compact_duration(due - at)
        if due is None:
            if f["code"] not in before:
                before[f["code"]] = due_before(law, f["code"], language)
            if before[f["code"]]:
                f["due_before"] = before[f["code"]]
    return findings


def _part_words(law: Law, part: Any, language: str) -> str:
    return word(law, "offence.part", language).format(part=part) if part not in (None, "") else ""


def unknown_gravity_words(law: Law, unknown: dict, language: str = "en") -> str:
    """Why a rule was judged without the offence's gravity, in the reader's language."""
    reason = unknown.get("reason") or "not_named"
    why = word(law, f"gravity.unknown.{reason}", language, reason).format(
        article=unknown.get("article") or "—",
        part_words=_part_words(law, unknown.get("part"), language),
        day=unknown.get("day") or "—",
    )
    return word(law, "gravity.unknown", language).format(why=why)


def offence_words(offence: dict | None, law: Law, language: str = "en") -> dict | None:
    """`summary.offence` with its `text` in the reader's language (in place): article, part,
    title, gravity and longest penalty; or that the catalogue does not hold it."""
    if not offence:
        return offence
    part_words = _part_words(law, offence.get("part"), language)
    if not offence.get("known"):
        unknown = offence.get("unknown") or {}
        offence["text"] = word(law, "offence.unknown", language).format(
            article=offence.get("article"), part_words=part_words, day=unknown.get("day") or "—"
        )
        return offence
    years = offence.get("max_imprisonment")
    if years is None:
        penalty = word(law, "offence.penalty.none", language)
    elif years == "life":
        penalty = word(law, "offence.penalty.life", language)
    else:
        penalty = word(law, "offence.penalty.years", language).format(years=f"{years:g}")
    titles = offence.get("titles") or {}
    offence["text"] = word(law, "offence.text", language).format(
        article=offence["article"],
        part_words=part_words,
        title=titles.get(language) or offence.get("title"),
        gravity=text(law.jurisdiction, f"gravity.{offence['gravity']}", language),
        penalty=penalty,
    )
    return offence


def due_before(law: Law, code: str, language: str = "en") -> str | None:
    """What a `before` rule's duty must come before, e.g. "before the first questioning"."""
    try:
        rule = describe(law, code)
    except UnknownRule:
        return None
    kinds = rule.get("due_kinds") if rule.get("mechanism") == "before" else None
    if not kinds:
        return None
    events = word(law, "due.or", language).join(word(law, f"event.{kind}", language, kind) for kind in kinds)
    return word(law, "due.before", language).format(events=events)


def word(law: Law, key: str, language: str, otherwise: str | None = None) -> str:
    """`key` in the catalogue of `language`, then of English, then habeas's own English."""
    for lang in (language, "en"):
        found = catalogue(law.jurisdiction, lang).get(key)
        if found:
            return found
    return DEFAULT_WORDS.get(key) or otherwise or key


def case_file_json(file: dict[str, Any], at: datetime, law: Law, language: str = "en") -> dict[str, Any]:
    """`case show --json`: the case file of `services.queries.case_file`, findings explained."""
    explain(file["findings"], at, law, language, (file.get("summary") or {}).get("region"))
    offence_words((file.get("summary") or {}).get("offence"), law, language)
    return file


def alerts_json(found: list[dict], at: datetime, law: Law, language: str = "en") -> list[dict]:
    """`alerts --json`: the alerts of `services.queries.alerts`, explained."""
    return explain(found, at, law, language)


class _HoldsFloat(Exception):
    pass


def _float_found(text: str) -> float:
    """A float as msgspec spelt it: kept when Python's repr spells it the same (2.0, 12.5),
    else the answer is encoded by `json` (1e16, which repr spells 1e+16)."""
    number = float(text)
    if repr(number) != text:
        raise _HoldsFloat
    return number


def dumps(answer: Any) -> str:
    """The answer as indented JSON: `json.dumps(answer, ensure_ascii=False, indent=2)`, the
    same text, through msgspec's encoder (several times faster than json's pure-Python
    indenting encoder) unless the answer holds a float msgspec spells otherwise
    than Python's repr (1e16) or a value msgspec cannot encode. Whether it holds such a
    float is asked of msgspec's own parser (`float_hook`), never of a pattern over the text:
    a time's "24.777050" inside a string is no float. A NaN or an infinity (no JSON: json
    writes NaN, msgspec null) never reaches an answer: recorded numbers are finite."""
    import msgspec  # not at import time: `habeas --help` stays quick

    try:
        compact = _encoder().encode(answer)
        _float_finder().decode(compact)
    except (TypeError, ValueError, OverflowError, _HoldsFloat):
        return json.dumps(answer, ensure_ascii=False, indent=2)
    return msgspec.json.format(compact, indent=2).decode()


@cache
def _float_finder():
    import msgspec

    return msgspec.json.Decoder(float_hook=_float_found)


@cache
def _encoder():
    import msgspec

    return msgspec.json.Encoder()
