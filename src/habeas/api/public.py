"""What anyone may read: the law in force, and the public statistics (small counts withheld)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import PlainTextResponse, Response

from habeas.api import params
from habeas.api.cases import moment
from habeas.api.context import Ctx, now_of
from habeas.api.errors import ApiError, answers
from habeas.api.models import Open, Rule
from habeas.law.rules import UnknownRule, describe, rule_codes

router = APIRouter(tags=["public"])


@router.get("/law", response_model=list[str])
def law_codes(ctx: Ctx) -> list[str]:
    """The finding codes of the law package (each one a rule: `GET /law/{code}`)."""
    return list(rule_codes(ctx.law))


@router.get("/law/{code}", response_model=Rule, responses=answers(404))
def law_rule(ctx: Ctx, code: Annotated[str, Path(max_length=params.ID_LENGTH)]) -> dict:
    """A rule: its versions with dates, articles and certainty."""
    try:
        return describe(ctx.law, code)
    except (UnknownRule, LookupError):
        raise ApiError(404, "not_found", f"no rule {code!r}; GET /api/v1/law lists them") from None


class Statistics(Open):
    query: str
    years: list[int]
    min_count: int
    cells: list[dict[str, Any]]


@router.get(
    "/statistics",
    response_model=Statistics,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **answers(422)},
)
def statistics(
    request: Request,
    ctx: Ctx,
    years: Annotated[
        str, Query(max_length=100, pattern=r"^[0-9,\-]*$", description="2024, 2022-2024 or 2019,2022-2024")
    ] = "",
    sections: Annotated[
        str,
        Query(max_length=400, pattern=r"^[a-z0-9_,]*$", description="detention, custody, torture, trial, corruption"),
    ] = "",
    regions: Annotated[
        str, Query(max_length=1000, pattern=r"^[A-Za-z0-9_,.-]*$", description="Region codes, comma-separated")
    ] = "",
    at: Annotated[
        str | None, Query(max_length=64, pattern=params.TEXT, description="As of this time; default now")
    ] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """The oversight indicators by year, section and region, small counts withheld: the custom
    report of `habeas report` (its `query` is the shareable spec). Figures are published per
    closed year (by default the last), as released: a year not yet ended is refused (422)."""
    from habeas.presentation import statistics as shown
    from habeas.services import statistics as stats

    as_of = moment(at, request)
    if as_of > now_of(request):
        raise ApiError(422, "invalid", "at: after the register's clock: no figures for a time still to come", "at")
    try:
        last = stats.last_closed_year(min(as_of, ctx.now()), ctx.law.jurisdiction)  # published per closed year
        spec = stats.ReportSpec.parse(f"years={years or last}&sections={sections}&regions={regions}")
        found = ctx.statistics(spec, as_of, ctx.now())
    except stats.SpecError as exc:
        raise ApiError(422, "invalid", str(exc), exc.part) from None
    if format == "csv":
        return PlainTextResponse(shown.to_csv(found), media_type="text/csv")
    return Response(shown.to_json(found), media_type="application/json")
