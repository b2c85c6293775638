"""The pages that read: the case list and file, the detention board, who read what,
the law and the public statistics. Every read goes through `services` (the policy decides,
the read log records); these functions only parse the request and render."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from habeas.api import params
from habeas.api.context import listing, now_of
from habeas.domain.events import Problem, parse_time
from habeas.law.rules import UnknownRule, describe, rule_codes
from habeas.law.stages import stages_of
from habeas.presentation import findings as words
from habeas.services import board, guard, queries
from habeas.services import statistics as stats
from habeas.web import acts, charts, reference
from habeas.web.common import PageError, context, gettext_for, language, page, read_token, read_token_ok, required

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50


def moment(request: Request, name: str = "at") -> datetime:
    """`?at=` (ISO 8601 with offset), else now (the request's one instant)."""
    text = (request.query_params.get(name) or "").strip().replace(" ", "+")  # a "+" typed in an address
    if not text or text == "now":
        return now_of(request)
    problems: list[Problem] = []
    found = parse_time(text, name, problems)
    if problems:
        raise PageError(422, f"{gettext_for(request)('Not a time the register can read')}: {problems[0]}")
    return found


FILTERS = ("region", "agency", "stage", "code")


def shaped(request: Request, name: str, valid) -> str | None:
    """A query parameter of the shape `valid` accepts (None when absent), else a 422 page:
    nothing of another shape reaches a database."""
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if not valid(value):
        raise PageError(422, f"{gettext_for(request)('Not a valid value for')} {name}")
    return value


def regions(ctx) -> list[dict]:
    """The regions of the jurisdiction's reference data (code, name), for filters."""
    try:
        listed = stats.reference_data(ctx.law.jurisdiction)["regions"]["regions"]
    except (KeyError, FileNotFoundError):
        return []
    return [{"code": r["code"], "name": r.get("name", r["code"])} for r in listed if not r.get("valid_until")]


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request):
    who = required(request)
    ctx = context(request)
    if not guard.reads_cases(ctx.law, who):  # as the API's GET /cases
        raise PageError(403, gettext_for(request)("The case list is for officials who read case files."))
    q = request.query_params
    chosen = {k: shaped(request, k, params.is_word if k == "stage" else params.is_id) for k in FILTERS}
    after = shaped(request, "cursor", params.is_id)
    rows = queries.listed_cases(
        ctx.engine,
        ctx.law,
        who,
        ctx.now(),
        chosen["region"],
        chosen["stage"],
        PAGE_SIZE,
        agency=chosen["agency"],
        code=chosen["code"],
        after=after,
        listing=listing(request, ctx),
    )
    next_url = None
    if rows.next_after:
        kept = [(k, v) for k, v in q.multi_items() if k not in ("cursor",)]
        next_url = "/cases?" + urlencode([*kept, ("cursor", rows.next_after)])
    return page(
        request,
        "cases.html",
        rows=rows,
        chosen=chosen,
        next_url=next_url,
        regions=regions(ctx),
        stages=list(stages_of(ctx.law).stages),
        codes=list(rule_codes(ctx.law)),
    )


@router.get("/cases/{case}", response_class=HTMLResponse)
def case_file(request: Request, case: str):
    """The case file, read with its purpose, from a link or form of our own pages (their read
    token): a link from anywhere else only asks the user why they would read it."""
    who = required(request)
    ctx = context(request)
    at = moment(request)
    if not params.is_id(case):
        raise PageError(422, f"{gettext_for(request)('Not a case number')}: {case[:40]!r}")
    if not read_token_ok(request, case, request.query_params.get("read")):
        at_text = request.query_params.get("at") or ""
        return page(request, "case_purpose.html", case=case, at=at_text, read_token=read_token(request, case))
    purpose = (request.query_params.get("purpose") or "case review").strip()[:200]
    if not params.is_text(purpose):
        raise PageError(422, gettext_for(request)("The purpose must be printable text."))
    try:
        file = queries.case_file(ctx.engine, ctx.law, case, who, purpose, at, now_of(request))
    except guard.Refused as exc:
        raise PageError(403, str(exc)) from None
    except queries.UnknownCase:
        raise PageError(404, f"{gettext_for(request)('No such case in the register')}: {case}") from None
    words.case_file_json(file, at, ctx.law, language(request))
    corrections = {e["id"]: e for e in file["events"] if e["kind"] == "record.corrected"}
    return page(
        request,
        "case.html",
        file=file,
        at=at,
        purpose=purpose,
        read_token=request.query_params.get("read"),
        corrections=corrections,
        recorded=request.query_params.get("recorded"),
        suggested=acts.next_acts(ctx.law, who.role, file),
        named=reference.names(ctx.law, language(request)),  # a court's or agency's code: its name
    )


@router.get("/detention", response_class=HTMLResponse)
def detention_board(request: Request):
    who = required(request)
    ctx = context(request)
    at = moment(request)
    region = shaped(request, "region", params.is_id)
    rows_from = listing(request, ctx)
    rows = board.held(ctx.engine, ctx.law, at, reader=who, now=now_of(request), region=region, listing=rows_from)
    template = "board_rows.html" if request.query_params.get("partial") else "board.html"
    return page(
        request,
        template,
        rows=rows,
        at=at,
        region=region,
        regions=regions(ctx),
        fixed_time="at" in request.query_params,
    )


@router.get("/me/reads", response_class=HTMLResponse)
def my_reads(request: Request):
    who = required(request)
    ctx = context(request)
    if who.person is None:
        raise PageError(
            403, gettext_for(request)("This page is for a person's own account: it shows who read their case.")
        )
    case, person = who.person
    try:
        found = queries.who_read(ctx.engine, ctx.law, who, now_of(request), case, person)
    except guard.Refused as exc:
        raise PageError(403, str(exc)) from None
    officials = [r for r in found if r["actor"]["id"] != who.id]  # their own looks are no news to them
    return page(request, "reads.html", reads=list(reversed(officials)), case=case, unassigned=False)


@router.get("/reads/unassigned", response_class=HTMLResponse)
def unassigned_reads(request: Request):
    who = required(request)
    ctx = context(request)
    since = moment(request, "since") if request.query_params.get("since") else None
    try:
        found = queries.who_read(ctx.engine, ctx.law, who, now_of(request), unassigned=True, since=since)
    except guard.Refused as exc:
        raise PageError(403, str(exc)) from None
    return page(request, "reads.html", reads=list(reversed(found)), case=None, unassigned=True)


@router.get("/law", response_class=HTMLResponse)
def law_list(request: Request):
    ctx = context(request)
    rules = [describe(ctx.law, code) for code in rule_codes(ctx.law)]
    return page(request, "law.html", rules=rules)


@router.get("/law/{code}", response_class=HTMLResponse)
def law_rule(request: Request, code: str):
    ctx = context(request)
    try:
        rule = describe(ctx.law, code)
    except (UnknownRule, LookupError):
        raise PageError(404, f"{gettext_for(request)('No such rule')}: {code}") from None
    return page(request, "rule.html", rule=rule)


@router.get("/statistics", response_class=HTMLResponse)
def statistics(request: Request):
    """Public: the custom report (years × sections × regions) and its shareable address.

    Regions are opt-in: with none chosen the page shows the whole country (`regions=kz`);
    `regions=all` shows every region. Rows withheld in every year shown are collapsed into
    one line per indicator, so a small register does not fill the page with "< 5"."""
    ctx = context(request)
    q = request.query_params
    at = now_of(request)
    # figures are published per closed year: the page opens on the last one
    years = (q.get("years") or str(stats.last_closed_year(at, ctx.law.jurisdiction))).strip()[:100]
    sections = [s.strip() for v in q.getlist("sections") for s in v.split(",") if s.strip()]
    country = stats.national(ctx.law.jurisdiction)
    chosen_regions = [r.strip() for v in q.getlist("regions") for r in v.split(",") if r.strip()] or [country]
    everything = ALL_REGIONS in chosen_regions
    ref = stats.reference_data(ctx.law.jurisdiction)
    _ = gettext_for(request)
    all_sections = [{"code": k, "title": v.get("title", k)} for k, v in ref["indicators"].get("sections", {}).items()]
    report, error = _custom_report(ctx, years, sections, chosen_regions, everything, at)
    tables = _tables(report, _) if report else []
    query = api_query = ""
    if report:
        api_query = report.spec.query()
        query = api_query + (f"&regions={ALL_REGIONS}" if everything else "")
    return page(
        request,
        "statistics.html",
        status=422 if error else 200,
        error=error,
        report=report,
        tables=tables,
        years=years,
        sections=sections,
        chosen_regions=chosen_regions,
        everything=everything,
        all_sections=all_sections,
        regions=regions(ctx),
        query=query,
        api_query=api_query,
        protected=PROTECTED,
        notes=ref["indicators"].get("notes", {}),
    )


ALL_REGIONS = "all"
PROTECTED = stats.PROTECTED


def _custom_report(ctx, years: str, sections: list[str], chosen_regions: list[str], everything: bool, at):
    """The report the page's choices ask for, or why they cannot be read (None, the error)."""
    error = report = None
    try:
        spec = stats.ReportSpec.parse(
            urlencode(
                {
                    "years": years,
                    "sections": ",".join(sections),
                    "regions": "" if everything else ",".join(chosen_regions),
                }
            )
        )
        report = ctx.statistics(spec, at, at)
    except stats.SpecError as exc:
        error = str(exc)
    return report, error


def _tables(report, _) -> list[dict]:
    """One table per indicator: its measures by region (rows), a column per year, and its
    charts. A row withheld in every year shown is not a row: it is counted in one line."""
    years = list(report.spec.years)
    by_indicator: dict[str, dict[tuple[str, str], dict[int, dict]]] = {}
    kinds: dict[str, str] = {}
    for cell in report.cells:
        key = (cell.label, cell.region)
        by_indicator.setdefault(cell.indicator, {}).setdefault(key, {})[cell.year] = {
            "value": cell.value,
            "suppressed": cell.suppressed,
            "marker": report.marker(cell) if cell.suppressed else "",
            "withheld": cell.withheld or "",
            "estimate": getattr(cell, "estimate", False),
        }
    out = []
    for ind, definition in report.indicators.items():
        for m in definition.get("measures", []):
            kinds[m["label"]] = m.get("kind", "count")
        rows, hidden, nothing = [], [], []
        for (label, region), by_year in by_indicator.get(ind, {}).items():
            cells = [by_year.get(y) for y in years]
            if region != report.national and all(c is not None and c["suppressed"] for c in cells):
                hidden.append(region)
                continue
            if region != report.national and all(c is None or (not c["suppressed"] and not c["value"]) for c in cells):
                nothing.append(region)  # no one counted (0 or nothing to derive) in every year shown
                continue
            rows.append(
                {
                    "label": label,
                    "region": report.region_names.get(region, region),
                    "code": region,
                    "kind": kinds.get(label, "count"),
                    "cells": cells,
                }
            )
        kept = {row["code"] for row in rows}
        out.append(
            {
                "id": ind,
                "title": definition.get("title", ind),
                "years": years,
                "rows": rows,
                "hidden": len(hidden),
                "hidden_regions": _names(report, hidden, kept),
                "estimates": any(c and c["estimate"] for row in rows for c in row["cells"]),
                "nothing": len(nothing),
                "nothing_regions": _names(report, nothing, kept | set(hidden)),
                "trend": charts.trend(report, ind, _),
                "ranked": charts.ranked(report, ind, _),
            }
        )
    return out


def _names(report, regions: list[str], besides: set[str]) -> list[str]:
    """The regions none of whose rows is elsewhere on the page, by name, each once."""
    return [report.region_names.get(r, r) for r in dict.fromkeys(regions) if r not in besides]
