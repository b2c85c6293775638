"""The pages that write: signing in and out, and the forms that record the common events.

A form records through the same service as the API (`Recorder.record`): the same
validation, the same policy, the same law's competence; a refusal is shown beside the
field the register names (`error-data.person`, `error-occurred_at`, `error-actor.role`).
The fields of each form are read from the vocabulary (`domain.vocabulary`), not listed here.
"""

from __future__ import annotations

import secrets
import types
from typing import Annotated, Literal, Union, get_args, get_origin

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from habeas.api.context import COOKIE
from habeas.api.signing_in import TooManyAttempts, address_of, open_session
from habeas.domain.events import Refused
from habeas.domain.vocabulary import DATA_MODELS
from habeas.presentation.wording import Wording
from habeas.services import queries, sessions, users
from habeas.services.recording import NotYours
from habeas.services.register import StorageFailed
from habeas.services.setup import reason_for
from habeas.web.common import (
    PRE_SESSION,
    PageError,
    case_href,
    check_csrf,
    context,
    gettext_for,
    language,
    local_path,
    page,
    pre_session_ok,
    pre_session_token,
    redirect,
    remember,
    required,
)

router = APIRouter(include_in_schema=False)

# The common events of an investigator's day (issue 10), in the order they happen.
KINDS = (
    "person.detained",
    "person.delivered",
    "rights.explained",
    "counsel.admitted",
    "person.questioned",
    "person.released",
    "custody.petitioned",
    "complaint.filed",
)


# -- signing in and out --------------------------------------------------------------------


def _sign_in_page(request: Request, status: int, target: str, error: str | None, login: str):
    """The sign-in form, its CSRF token bound to the pre-session cookie (set here if need be)."""
    value = request.cookies.get(PRE_SESSION) or secrets.token_urlsafe(32)
    response = page(
        request,
        "sign_in.html",
        status=status,
        next=target,
        error=error,
        login=login,
        sign_in_csrf=pre_session_token(value, request),
    )
    if request.cookies.get(PRE_SESSION) != value:
        response.set_cookie(PRE_SESSION, value, httponly=True, samesite="strict", path="/", secure=_secure(request))
    return response


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request):
    return _sign_in_page(request, 200, local_path(request.query_params.get("next")), None, "")


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request):
    form = await request.form()
    login, token = str(form.get("login") or "").strip()[:128], str(form.get("token") or "")[:200]
    target = local_path(str(form.get("next") or "/"))
    _ = gettext_for(request)
    if not pre_session_ok(request, str(form.get("csrf") or "")):
        expired = _("The form has expired. Open the page again and resend it.")
        return _sign_in_page(request, 403, target, expired, login)
    ctx = context(request)
    try:
        opened = await open_session(ctx, login, token, address_of(request))
    except TooManyAttempts as exc:
        message = _("Too many failed sign-ins: wait a little and try again.")
        response = _sign_in_page(request, 429, target, message, login)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    except users.SignInRefused:
        return _sign_in_page(request, 401, target, _("Sign-in refused: wrong login or token."), login)
    response = redirect(target)
    seconds = int((opened.expires_at - ctx.now()).total_seconds())
    response.set_cookie(
        COOKIE, opened.token, max_age=seconds, httponly=True, samesite="strict", path="/", secure=_secure(request)
    )
    response.delete_cookie(PRE_SESSION, path="/", httponly=True, samesite="strict")
    remember(request, response)
    return response


@router.post("/sign-out")
async def sign_out(request: Request):
    form = await request.form()
    token = request.cookies.get(COOKIE)
    if token:
        check_csrf(request, str(form.get("csrf") or ""))
        await run_in_threadpool(sessions.close, context(request).engine, token)
    response = redirect("/sign-in")
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


# -- recording -----------------------------------------------------------------------------


def fields(kind: str) -> list[dict]:
    """The form fields of a kind's data, from its schema: a choice for a fixed list of
    values, checkboxes for a list of them, a checkbox for yes/no, text otherwise (a list of
    free values as comma-separated text)."""
    out = []
    for name, info in DATA_MODELS[kind].model_fields.items():
        shape, options = _shape(info.annotation)
        out.append(
            {"name": name, "key": f"data.{name}", "required": info.is_required(), "shape": shape, "options": options}
        )
    return out


def _shape(annotation) -> tuple[str, tuple[str, ...]]:
    annotation = _plain(annotation)
    if get_origin(annotation) is list:
        inner = _plain(get_args(annotation)[0])
        if get_origin(inner) is Literal:
            return "checkboxes", tuple(get_args(inner))
        return "list", ()
    if get_origin(annotation) is Literal:
        return "select", tuple(get_args(annotation))
    if annotation is bool:
        return "checkbox", ()
    return "text", ()


def _plain(annotation):
    """Without `Annotated[...]` and `| None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            annotation = rest[0] if len(rest) == 1 else annotation
            if len(rest) != 1:
                return annotation
        else:
            return annotation


def _kind(request: Request, kind: str) -> str:
    if kind not in KINDS:
        raise PageError(404, f"{gettext_for(request)('No form for this kind of event')}: {kind}")
    return kind


def region_of(request: Request, case: str | None) -> str | None:
    """The case's region: the local time its form's times are shown and typed in."""
    return queries.case_region(context(request).engine, case)


def now_text(request: Request, case: str | None = None) -> str:
    """Now, to the minute, in the case region's local time: the form's default."""
    ctx = context(request)
    return Wording(jurisdiction=ctx.law.jurisdiction).now_picker(ctx.now(), region_of(request, case))


def typed_time(request: Request, text: str, case: str | None) -> str:
    """A time as typed, read in the case region's local time when it names no offset."""
    ctx = context(request)
    return Wording(jurisdiction=ctx.law.jurisdiction).read_time(text, region_of(request, case)) if text else text


@router.get("/record", response_class=HTMLResponse)
def chooser(request: Request):
    required(request)
    return page(request, "record_choose.html", kinds=KINDS, case=request.query_params.get("case", ""))


@router.get("/record/{kind}", response_class=HTMLResponse)
def record_form(request: Request, kind: str):
    required(request)
    kind = _kind(request, kind)
    case = request.query_params.get("case", "")
    values = {"case": case, "occurred_at": now_text(request, case)}
    return _form(request, kind, values, {}, 200)


def _form(request: Request, kind: str, values: dict, errors: dict, status: int):
    shown = [f["key"] for f in fields(kind)] + ["case", "occurred_at"]
    others = {k: v for k, v in errors.items() if k not in shown}  # actor.role, id, …: above the form
    return page(
        request,
        "record.html",
        status=status,
        kind=kind,
        fields=fields(kind),
        values=values,
        errors=errors,
        others=others,
    )


@router.post("/record/{kind}", response_class=HTMLResponse)
async def record(request: Request, kind: str):
    who = required(request)
    kind = _kind(request, kind)
    form = await request.form()
    check_csrf(request, str(form.get("csrf") or ""))
    values: dict = {key: str(form.get(key) or "").strip() for key in ("case", "occurred_at")}
    data: dict = {}
    for f in fields(kind):
        if f["shape"] == "checkboxes":
            chosen = [str(v) for v in form.getlist(f["key"])]
            values[f["key"]] = chosen
            if chosen or f["required"]:
                data[f["name"]] = chosen
        elif f["shape"] == "checkbox":
            ticked = str(form.get(f["key"]) or "") in ("true", "on", "1")
            values[f["key"]] = ticked
            data[f["name"]] = ticked
        elif f["shape"] == "list":
            text = str(form.get(f["key"]) or "")
            values[f["key"]] = text
            items = [p.strip() for p in text.split(",") if p.strip()]
            if items or f["required"]:
                data[f["name"]] = items
        else:
            text = str(form.get(f["key"]) or "").strip()
            values[f["key"]] = text
            if text:
                data[f["name"]] = text
    raw = {"kind": kind, "data": data}
    for key in ("case", "occurred_at"):
        if values[key]:
            raw[key] = values[key]
    if values["occurred_at"]:
        raw["occurred_at"] = typed_time(request, values["occurred_at"], values["case"])
    ctx = context(request)
    try:
        outcome = await run_in_threadpool(ctx.recorder.record, who, raw, ctx.now())
    except NotYours as exc:
        return _form(request, kind, values, {exc.field or "actor": str(exc)}, 403)
    except Refused as exc:
        status = {"forbidden": 403, "conflict": 409}.get(exc.code, 422)
        wording = Wording(language(request), ctx.law.jurisdiction)
        return _form(request, kind, values, _errors(exc, [f["key"] for f in fields(kind)], wording), status)
    except StorageFailed as failed:
        said = gettext_for(request)("The database failed; nothing was stored. Try again.")
        raise PageError(503, f"{said} ({reason_for(failed)})") from None
    return redirect(case_href(request, values["case"], recorded=outcome.event.id))


def _errors(exc: Refused, keys: list[str], wording: Wording) -> dict[str, str]:
    """Each problem under the field it names (`data.grounds.0` under `data.grounds`), in the
    reader's language."""
    out: dict[str, str] = {}
    for p in exc.problems:
        field = p.field if p.field not in ("-", "") else "event"
        field = next((k for k in keys if field.startswith(k + ".")), field)
        reason = wording.refusal(p.reason)
        out[field] = f"{out[field]}; {reason}" if field in out else reason
    return out
