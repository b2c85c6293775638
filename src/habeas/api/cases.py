"""Case files, findings, alerts and who read what: reads through `services.queries`, each
checked by the access policy and logged with its purpose."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from habeas.api import params
from habeas.api.context import Asker, Ctx, listing, now_of
from habeas.api.errors import ApiError, answers
from habeas.api.models import AlertPage, CaseFile, CasePage, Finding, ReadRecord
from habeas.api.signing_in import signed_in
from habeas.domain.events import Problem, parse_time
from habeas.presentation import findings as words
from habeas.services import guard, queries

router = APIRouter(tags=["cases"])

Lang = Annotated[str, Query(description="Language of finding texts: en, ru or kk", pattern="^(en|ru|kk)$")]
At = Annotated[
    str | None,
    Query(max_length=64, pattern=params.TEXT, description="As of this time (ISO 8601 with offset); default now"),
]
Purpose = Annotated[
    str,
    Query(min_length=1, max_length=200, pattern=params.TEXT, description="Why you read it (logged with the read)"),
]
Limit = Annotated[int, Query(ge=1, le=1000)]
Cursor = Annotated[
    str | None, Query(max_length=400, pattern=params.CURSOR, description="next_cursor of the previous page")
]
CaseId = Annotated[str, Path(max_length=params.ID_LENGTH, pattern=params.ID, description="The case number")]


def an_id(description: str):
    return Query(max_length=params.ID_LENGTH, pattern=params.ID, description=description)


Region = Annotated[str | None, an_id("A region's code (reference data), e.g. almaty-city")]
Code = Annotated[str | None, an_id("A finding's code, e.g. KZ-DETENTION-LIMIT")]


def moment(at: str | None, request: Request) -> datetime:
    if at is None or at == "now":
        return now_of(request)
    problems: list[Problem] = []
    found = parse_time(at, "at", problems)
    if problems:
        raise ApiError(422, "invalid", str(problems[0]), "at")
    return found


def encode_cursor(kind: str, value: str) -> str:
    """An opaque cursor: what list it belongs to, and where the next page starts."""
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode("ascii")


def decode_cursor(kind: str, cursor: str | None) -> str | None:
    """The place a cursor of this list names; a cursor this API did not give is a 422."""
    if cursor is None:
        return None
    try:
        text = base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, UnicodeError):
        text = ""
    found, sep, value = text.partition(":")
    well_formed = value.isdigit() and len(value) <= 9 if kind == "alerts" else params.is_id(value)
    if found != kind or not sep or not value or not well_formed:
        raise ApiError(422, "invalid", "cursor: not a cursor this list gave", "cursor")
    return value


def refused(exc: guard.Refused) -> ApiError:
    return ApiError(403, "forbidden", str(exc))


@router.get("/cases", response_model=CasePage, responses=answers(401, 403, 422))
def list_cases(
    request: Request,
    ctx: Ctx,
    who: Asker,
    region: Region = None,
    agency: Annotated[str | None, an_id("The agency that opened the case")] = None,
    stage: Annotated[
        str | None, Query(max_length=40, pattern=params.WORD, description="pre_trial, court or closed")
    ] = None,
    code: Code = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> CasePage:
    """The case list: numbers, stages, regions, articles (no names), in case-number order: only
    the cases you may read (each one listed leaves a read record)."""
    signed_in(request, who)
    if not guard.reads_cases(ctx.law, who):
        raise ApiError(403, "forbidden", f"refused: the case list is for roles that read case files, not a {who.role}")
    after = decode_cursor("cases", cursor)
    rows = queries.listed_cases(
        ctx.engine,
        ctx.law,
        who,
        now_of(request),
        region,
        stage,
        limit,
        agency=agency,
        code=code,
        after=after,
        listing=listing(request, ctx),
    )
    following = rows.next_after
    return CasePage(items=list(rows), next_cursor=encode_cursor("cases", following) if following else None)


def _case_file(request: Request, ctx, who, case: str, at: str | None, purpose: str, lang: str) -> dict:
    when = moment(at, request)
    try:
        file = queries.case_file(ctx.engine, ctx.law, case, who, purpose, when, now_of(request))
    except guard.Refused as exc:
        raise refused(exc) from None
    except queries.UnknownCase:
        raise ApiError(404, "not_found", f"no case {case!r} in the register") from None
    return words.case_file_json(file, when, ctx.law, lang)


@router.get(
    "/cases/{case}", response_model=CaseFile, response_model_exclude_unset=True, responses=answers(401, 403, 404, 422)
)
def case_file(
    request: Request,
    ctx: Ctx,
    who: Asker,
    case: CaseId,
    at: At = None,
    purpose: Purpose = "case review",
    lang: Lang = "en",
) -> dict:
    """The case file of `habeas case show --json`: parties, timeline (corrections beside what they
    correct), findings with citations, as of `at`. The read is logged with its purpose."""
    signed_in(request, who)
    return _case_file(request, ctx, who, case, at, purpose, lang)


@router.get(
    "/cases/{case}/findings",
    response_model=list[Finding],
    response_model_exclude_unset=True,
    responses=answers(401, 403, 404, 422),
)
def case_findings(
    request: Request,
    ctx: Ctx,
    who: Asker,
    case: CaseId,
    at: At = None,
    purpose: Purpose = "case review",
    lang: Lang = "en",
) -> list[dict]:
    """The findings of one case as of `at` (the read is logged)."""
    signed_in(request, who)
    return _case_file(request, ctx, who, case, at, purpose, lang)["findings"]


@router.get("/cases/{case}/reads", response_model=list[ReadRecord], responses=answers(401, 403, 422))
def case_reads(
    request: Request,
    ctx: Ctx,
    who: Asker,
    case: CaseId,
    person: Annotated[str | None, an_id("Only reads of this person's data")] = None,
) -> list[dict]:
    """Who read this case's data, when and why (`reads:read`; this read is logged too)."""
    signed_in(request, who)
    try:
        return queries.who_read(ctx.engine, ctx.law, who, now_of(request), case, person)
    except guard.Refused as exc:
        raise refused(exc) from None


@router.get("/me/reads", response_model=list[ReadRecord], responses=answers(401, 403))
def my_reads(request: Request, ctx: Ctx, who: Asker) -> list[dict]:
    """Who read my data: for a person's user, every read of their case and their data in it."""
    signed_in(request, who)
    if who.person is None:
        raise ApiError(403, "forbidden", "a person's question: sign in as the person's user")
    case, person = who.person
    try:
        return queries.who_read(ctx.engine, ctx.law, who, now_of(request), case, person)
    except guard.Refused as exc:
        raise refused(exc) from None


@router.get("/reads/unassigned", response_model=list[ReadRecord], responses=answers(401, 403, 422))
def unassigned_reads(request: Request, ctx: Ctx, who: Asker, since: At = None) -> list[dict]:
    """Reads by officials with no assignment behind them (a monitor's question: `reads:read` everywhere)."""
    signed_in(request, who)
    start = moment(since, request) if since else None
    try:
        return queries.who_read(ctx.engine, ctx.law, who, now_of(request), unassigned=True, since=start)
    except guard.Refused as exc:
        raise refused(exc) from None


@router.get("/alerts", response_model=AlertPage, responses=answers(401, 422))
def alerts(
    request: Request,
    ctx: Ctx,
    who: Asker,
    at: At = None,
    code: Code = None,
    region: Region = None,
    limit: Limit = 100,
    cursor: Cursor = None,
    lang: Lang = "en",
) -> AlertPage:
    """Open and breached findings across the cases you may read, breached first, by due time.
    Each case listed leaves a read record. `total` is the count of the whole board, given to
    a reader who may read every case (null for anyone else)."""
    signed_in(request, who)
    when = moment(at, request)
    offset = int(decode_cursor("alerts", cursor) or 0)
    rows_from = listing(request, ctx)
    found = queries.alerts(
        ctx.engine,
        when,
        code=code,
        limit=limit,
        reader=who,
        law=ctx.law,
        now=now_of(request),
        region=region,
        offset=offset,
        listing=rows_from,
    )
    # the count of every alert is the board's, for a reader who may read every case
    everywhere = guard.decide(ctx.law, who, "case:read").allowed
    total = queries.count_alerts(rows_from, when, code=code, region=region) if everywhere else None
    following = found.next_offset
    words.alerts_json(found, when, ctx.law, lang)
    return AlertPage(
        items=list(found),
        total=total,
        next_cursor=encode_cursor("alerts", str(following)) if following is not None else None,
    )
