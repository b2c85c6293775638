"""The forms that record a fact: one for every kind of the vocabulary, built from it.

A form records through the same service as the API (`Recorder.record`): the same
validation, the same policy, the same law's competence; a refusal is shown under the field
the register names (`error-data.person`, `error-occurred_at`, `error-actor.role`). The
fields come from the vocabulary (`web.widgets`), the kinds offered from the package's
competence (`web.acts`): nothing here lists kinds or fields.

A form about a case reads that case's file (logged, with the purpose "record: <kind>") to
offer its parties, events and courts; a user who may not read it types them instead.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from habeas.access import policy as access_policy
from habeas.api import params
from habeas.bootstrap import reason_for
from habeas.domain.events import Refused
from habeas.domain.vocabulary import CASE_CREATING_KINDS, CASELESS_KINDS, DATA_MODELS
from habeas.law.offences import offences
from habeas.presentation.wording import Wording
from habeas.services import guard, queries
from habeas.services.recording import NotYours
from habeas.services.register import StorageFailed
from habeas.web import acts, reference, widgets
from habeas.web.common import (
    PageError,
    case_href,
    check_csrf,
    context,
    gettext_for,
    language,
    page,
    redirect,
    required,
)
from habeas.web.pages import regions

router = APIRouter(include_in_schema=False)

_ARTICLES: dict[tuple[str, str], list[dict]] = {}  # per jurisdiction and language: the catalogue's articles


def wording(request: Request) -> Wording:
    return Wording(language(request), context(request).law.jurisdiction)


def region_of(request: Request, case: str | None, kind: str) -> str | None:
    """The case's region: the local time its form's times are shown and typed in (a read of
    the case, with the form's purpose, to whom may read or record on it)."""
    ctx = context(request)
    return queries.case_region(ctx.engine, ctx.law, case or None, required(request), ctx.now(), f"record: {kind}")


def now_text(request: Request, case: str | None, kind: str, things: dict | None = None) -> str:
    """Now, to the minute, as the date-time picker shows it: the form's default, in the case
    region's local time. The region is the case file's when the form has read it (`things`),
    so that opening a form is one read of the case, not two."""
    region = ((things or {}).get("file") or {}).get("summary", {}).get("region")
    if region is None:
        region = region_of(request, case, kind)
    return wording(request).now_picker(context(request).now(), region)


def _kind(request: Request, kind: str) -> str:
    if kind not in DATA_MODELS:
        raise PageError(404, f"{gettext_for(request)('No form for this kind of event')}: {kind[:60]}")
    return kind


def _case_param(request: Request, who) -> str:
    if who.person is not None:
        return who.person[0]  # a person records on their own case only
    case = (request.query_params.get("case") or "").strip()
    return case if params.is_id(case) else ""


def case_things(request: Request, who, case: str, purpose: str) -> dict | None:
    """What a form offers from the case: its stage, parties, events and courts (None when
    there is no such case or the user may not read it)."""
    if not case:
        return None
    ctx = context(request)
    try:
        file = queries.case_file(ctx.engine, ctx.law, case, who, purpose, ctx.now(), ctx.now())
    except (guard.Refused, queries.UnknownCase, ValueError):
        return None
    courts = {e["data"]["court"] for e in file["events"] if isinstance(e.get("data", {}).get("court"), str)}
    return {
        "stage": file["summary"].get("stage"),
        "parties": file["parties"],
        "events": [e for e in file["events"] if e.get("id")],
        "courts": sorted(courts),
        "file": file,
    }


@router.get("/record", response_class=HTMLResponse)
def chooser(request: Request):
    """The kinds this user's role may record: at the case's stage when a case is given."""
    who = required(request)
    ctx = context(request)
    case = _case_param(request, who)
    things = case_things(request, who, case, "record: choose the act")
    stage = things["stage"] if things else None
    kinds = offered(request, who, case, things)
    suggested = acts.next_acts(ctx.law, who.role, things["file"]) if things else []
    return page(request, "record_choose.html", kinds=kinds, case=case, stage=stage, suggested=suggested, at=ctx.now())


def offered(request: Request, who, case: str, things: dict | None) -> list[str]:
    """The kinds the chooser lists and whose form opens: the role's at the case's stage (any
    stage without a case), less the acts the policy never lets this user record, and on a
    case that exists no second registration."""
    ctx = context(request)
    kinds = acts.recordable(ctx.law, who.role, things["stage"] if things else None, who)
    if case and things:  # a case that exists: registered once, after the report that opened it
        registered = any(e["kind"] == "case.registered" for e in things["events"])
        kinds = [k for k in kinds if k not in CASE_CREATING_KINDS or (k == "case.registered" and not registered)]
    return kinds


@router.get("/record/{kind}", response_class=HTMLResponse)
def record_form(request: Request, kind: str):
    who = required(request)
    kind = _kind(request, kind)
    case = _case_param(request, who)
    things = None if kind in CASELESS_KINDS else case_things(request, who, case, f"record: {kind}")
    if kind not in offered(request, who, case, things):  # what a POST would refuse: not offered
        said = gettext_for(request)("Your role may not record this kind of event here")
        raise PageError(403, f"{said}: {wording(request).label(kind)}")
    values = {"case": case, "occurred_at": now_text(request, case, kind, things)}
    person = (request.query_params.get("person") or "").strip()
    if person and params.is_id(person):
        values["data.person"] = person
    return _form(request, who, kind, values, {}, 200, things)


def _form(request: Request, who, kind: str, values: dict, errors: dict, status: int, things: dict | None = None):
    all_fields = widgets.fields(kind)
    caseless = kind in CASELESS_KINDS
    if things is None and not caseless:  # read once: the form's GET has read it already
        things = case_things(request, who, values.get("case", ""), f"record: {kind}")
    shown = [f.key for f in all_fields] + ["case", "occurred_at"]
    others = {k: v for k, v in errors.items() if k not in shown}  # actor.role, id, …: above the form
    ctx = context(request)
    return page(
        request,
        "record.html",
        status=status,
        kind=kind,
        fields=all_fields,
        values=values,
        errors=errors,
        others=others,
        caseless=caseless,
        things=things,
        articles=_articles(ctx.law, language(request)) if any(f.widget == "article" for f in all_fields) else [],
        courts=reference.choices(ctx.law, "courts", language(request))
        if any(f.widget == "court" for f in all_fields)
        else [],
        agencies=reference.choices(ctx.law, "agencies", language(request))
        if any(f.widget == "agency" for f in all_fields)
        else [],
        regions=regions(ctx) if any(f.name == "region" for f in all_fields) else [],
        own_court=who.agency if access_policy.of(ctx.law).holds(who.role, "case:read", "court") else None,
        picker=lambda v: v or "",  # a time as typed (or the default): already the picker's local text
    )


def _articles(law, lang: str) -> list[dict]:
    """The offence catalogue's articles, each once, for the article picker, titled in the
    reader's language: a Kazakh title the catalogue lacks is the Code's Russian one (an
    official text too), never the register's English."""
    key = (law.jurisdiction, lang)
    if key not in _ARTICLES:
        order = (lang, "ru", "en") if lang == "kk" else (lang, "en")
        seen: dict[str, str] = {}
        for offence in offences(law):
            if offence.valid_until is None and offence.article not in seen:
                titles = offence.titles
                seen[offence.article] = next((titles[o] for o in order if titles.get(o)), offence.title)
        _ARTICLES[key] = [{"article": a, "title": t} for a, t in seen.items()]
    return _ARTICLES[key]


@router.post("/record/{kind}", response_class=HTMLResponse)
async def record(request: Request, kind: str):
    who = required(request)
    kind = _kind(request, kind)
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    values: dict = {key: str(form.get(key) or "").strip() for key in ("case", "occurred_at")}
    all_fields = widgets.fields(kind)
    try:
        region = await run_in_threadpool(region_of, request, values["case"], kind)  # a read: its record is written
        shown, data = widgets.read(form, all_fields, lambda text: wording(request).read_time(text, region))
    except widgets.Unreadable as exc:
        shown = {f.key: str(form.get(f.key) or "") for f in all_fields}
        said = gettext_for(request)(str(exc))  # the widget's reasons are in the web catalogues
        return _form(request, who, kind, {**values, **shown}, {exc.key: said}, 422)
    values.update(shown)
    raw: dict = {"kind": kind, "data": data}
    if values["case"] and kind not in CASELESS_KINDS:
        raw["case"] = values["case"]
    if values["occurred_at"]:  # read in the case region's local time (the i18n module's zones)
        raw["occurred_at"] = Wording(jurisdiction=context(request).law.jurisdiction).read_time(
            values["occurred_at"], region
        )
    ctx = context(request)
    try:
        outcome = await run_in_threadpool(ctx.recorder.record, who, raw, ctx.now())
    except NotYours as exc:
        return _form(request, who, kind, values, {exc.field or "actor": str(exc)}, 403)
    except Refused as exc:
        status = {"forbidden": 403, "conflict": 409}.get(exc.code, 422)
        said = wording(request)
        return _form(request, who, kind, values, _errors(exc, [f.key for f in all_fields], said), status)
    except StorageFailed as failed:
        said = gettext_for(request)("The database failed; nothing was stored. Try again.")
        raise PageError(503, f"{said} ({reason_for(failed)})") from None
    if kind in CASELESS_KINDS or not values["case"]:
        return redirect(f"/?recorded={outcome.event.id}")
    return redirect(case_href(request, values["case"], recorded=outcome.event.id))


def _errors(exc: Refused, keys: list[str], wording: Wording) -> dict[str, str]:
    """Each problem under the field it names: `data.grounds.0` under `data.grounds`."""
    out: dict[str, str] = {}
    for p in exc.problems:
        field = p.field if p.field not in ("-", "") else "event"
        field = next((k for k in sorted(keys, key=len, reverse=True) if field == k or field.startswith(k + ".")), field)
        reason = wording.refusal(p.reason)  # in the reader's language
        out[field] = f"{out[field]}; {reason}" if field in out else reason
    return out
