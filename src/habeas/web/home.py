"""The home page: each role's work for today, read through `services` (every case shown
is in the read log).

What a role's page holds follows the law package and the policy, never a list of roles
here: the acts due of the user (the open findings, in the cases they may read, that an act
of their role would meet: an investigator's open deadlines, a prosecutor's approvals and
complaints to register, an investigating judge's custody petitions waiting, a prison's
admissions and releases due, a doctor's examinations due); the breaches, for a monitor who
reads everywhere (the ombudsman's board); the cases the user works on (a lawyer's clients,
a court's trials, a prison's or doctor's assigned cases); a person's own case and who
looked at it; the statistics reports, for whoever reads only statistics (the analyst).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from habeas.access import policy as access_policy
from habeas.api.context import listing, now_of
from habeas.law.rules import rule_codes
from habeas.presentation import findings as words
from habeas.services import guard, queries
from habeas.services import statistics as stats
from habeas.web import acts
from habeas.web.common import context, language, page, required

router = APIRouter(include_in_schema=False)

SHOWN = 20  # rows a panel shows; the full lists are a link away


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    who = required(request)
    ctx = context(request)
    now = now_of(request)
    lang = language(request)
    code = request.query_params.get("code") or None
    codes = list(rule_codes(ctx.law))
    decided: dict = {}  # each case's read decided once for all the page's panels
    found = queries.alerts(
        ctx.engine,
        now,
        code=code if code in codes else None,
        limit=SHOWN,
        reader=who,
        law=ctx.law,
        now=now,
        purpose="home: alerts",
        listing=listing(request, ctx),
        decided=decided,
    )
    words.alerts_json(found, now, ctx.law, lang)
    policy = access_policy.of(ctx.law)
    reads_cases = guard.reads_cases(ctx.law, who)
    everywhere = policy.holds(who.role, "case:read", "everywhere")
    return page(
        request,
        "home.html",
        alerts=found,
        at=now,
        code=code,
        codes=codes,
        work=_work(ctx, who, now, lang, listing(request, ctx), decided) if reads_cases else [],
        breaches=_breaches(ctx, who, now, lang, listing(request, ctx), decided)
        if policy.holds(who.role, "reads:read", "everywhere")
        else [],
        my_cases=_my_cases(ctx, who, now, listing(request, ctx))
        if reads_cases and not everywhere and who.person is None
        else None,
        own_reads=_own_reads(ctx, who, now) if who.person is not None else None,
        reports=_reports(ctx) if not policy.holds(who.role, "case:read") else [],
        records=policy.holds(who.role, "case:record") and bool(acts.recordable(ctx.law, who.role, None)),
        investigates=policy.holds(who.role, "case:read", "unit"),
        board=reads_cases,
        monitor=policy.holds(who.role, "reads:read", "everywhere"),
        person=who.person is not None,
        recorded=request.query_params.get("recorded"),
    )


def _work(ctx, who, now, lang, rows_from, decided: dict) -> list[dict]:
    """The open findings an act of the user's role would meet, the most urgent first, each
    with the acts that meet it: one walk of the alerts over all those rules' codes (a walk
    per code decided again each case it passed, `bench/home.py`)."""
    mine = set(acts.recordable(ctx.law, who.role, None)) - acts.NEVER_SUGGESTED
    wanted = {c: [k for k in acts.meeting(ctx.law, c) if k in mine] for c in rule_codes(ctx.law)}
    wanted = {c: kinds for c, kinds in wanted.items() if kinds}
    if not wanted:
        return []
    found = queries.alerts(
        ctx.engine,
        now,
        code=set(wanted),
        limit=SHOWN,
        reader=who,
        law=ctx.law,
        now=now,
        purpose="home: my work",
        listing=rows_from,
        decided=decided,
    )
    words.alerts_json(found, now, ctx.law, lang)
    return [{**row, "acts": wanted[row["code"]]} for row in found if row.get("status") in acts.OPEN]


def _breaches(ctx, who, now, lang, rows_from, decided: dict) -> list[dict]:
    found = queries.alerts(
        ctx.engine,
        now,
        limit=SHOWN * 2,
        reader=who,
        law=ctx.law,
        now=now,
        purpose="home: breaches",
        listing=rows_from,
        decided=decided,
    )
    words.alerts_json(found, now, ctx.law, lang)
    return [row for row in found if row.get("status") == "breached"][:SHOWN]


def _my_cases(ctx, who, now, rows_from) -> list[dict]:
    return list(queries.listed_cases(ctx.engine, ctx.law, who, now, limit=SHOWN, listing=rows_from))


def _own_reads(ctx, who, now) -> list[dict]:
    case, person = who.person
    try:
        found = queries.who_read(ctx.engine, ctx.law, who, now, case, person)
    except guard.Refused:
        return []
    return [r for r in reversed(found) if r["actor"]["id"] != who.id][:SHOWN]


def _reports(ctx) -> list[dict]:
    try:
        sections = stats.reference_data(ctx.law.jurisdiction)["indicators"].get("sections", {})
    except (KeyError, FileNotFoundError):
        return []
    return [{"code": k, "title": v.get("title", k)} for k, v in sections.items()]
