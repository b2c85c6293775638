"""Recording: `POST /events` (one fact) and `POST /events:batch` (a JSONL file, all or nothing)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from habeas.api.context import Asker, Ctx
from habeas.api.errors import ApiError, answers
from habeas.api.models import BATCH_EXAMPLE, EVENT_EXAMPLE, BatchStored, EventIn, Stored
from habeas.api.security import BATCH_BYTES as MAX_BATCH_BYTES
from habeas.api.signing_in import signed_in
from habeas.bootstrap import reason_for
from habeas.domain.events import DuplicateKey, Refused, label, unique_keys
from habeas.services import guard
from habeas.services.recording import NotYours
from habeas.services.register import Register, StorageFailed, jsonl_lines

router = APIRouter(tags=["events"])


def refusal(exc: Refused) -> ApiError:
    status = {"conflict": 409, "forbidden": 403}.get(exc.code, 422)
    first = exc.problems[0] if exc.problems else None
    field = first.field if first is not None and first.field != "-" else None
    return ApiError(status, exc.code if status != 422 else "invalid", str(exc), field)


async def unique_body(request: Request) -> None:
    """A body that names a key twice is refused before it is read as an event: the JSON
    reader would keep one of the two values and drop the other silently (issue 20)."""
    body = await request.body()  # kept by the request: the event is read from the same bytes
    try:
        json.loads(body, object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        raise ApiError(422, "invalid", f"{label(exc.key)}: {exc}", label(exc.key)) from None
    except ValueError:
        return  # not JSON at all: the event's own reading says so


BATCH_TEXT = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in BATCH_EXAMPLE)


@router.post(
    "/events",
    status_code=201,
    response_model=Stored,
    responses={
        200: {"model": Stored, "description": "This id was stored already, with the same content"},
        **answers(401, 403, 409, 422, 503),
    },
)
def record_event(
    request: Request,
    response: Response,
    ctx: Ctx,
    who: Asker,
    event: Annotated[EventIn, Body(openapi_examples={"case": {"value": EVENT_EXAMPLE}})],
    _unique: Annotated[None, Depends(unique_body)] = None,
) -> Stored:
    """Record one fact (design §4). 201 with its position and hash; 200 if this id is stored
    already with the same content; 409 if with other content; 403 if the access policy or the
    law's competence refuses it to you; 422 with the field and the reason for bad input."""
    signed_in(request, who)
    raw: dict[str, Any] = event.model_dump(exclude_unset=True)
    try:
        outcome = ctx.recorder.record(who, raw, ctx.now())
    except NotYours as exc:
        raise ApiError(403, "forbidden", str(exc), exc.field) from None
    except Refused as exc:
        raise refusal(exc) from None
    except StorageFailed as failed:
        raise unavailable(failed) from None
    stored = outcome.event
    if outcome.status == "skipped":
        response.status_code = 200
    return Stored(
        id=stored.id,
        status=outcome.status,
        position=stored.position or 0,
        hash=stored.hash or "",
        recorded_at=stored.recorded_at.isoformat() if stored.recorded_at else None,
    )


def unavailable(failed: StorageFailed) -> ApiError:
    """503: the database failed (full, locked past the timeout, read-only…); nothing stored."""
    return ApiError(
        503, "unavailable", f"the database is unavailable ({reason_for(failed)}); nothing was stored: try again"
    )


@router.post(
    "/events:batch",
    status_code=201,
    response_model=BatchStored,
    responses=answers(401, 403, 413, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}, "example": BATCH_TEXT}},
        }
    },
)
async def record_batch(request: Request, ctx: Ctx, who: Asker) -> BatchStored:
    """A JSONL body, one event per line, all or nothing, as `habeas import`: any bad line stores
    nothing, and the 422 lists every one (`lines`: line, field, reason). For systems that send
    their officers' records: it needs `case:record_for_others` (a registrar)."""
    signed_in(request, who)
    decision = guard.decide(ctx.law, who, "case:record_for_others")
    if not decision.allowed:
        raise ApiError(
            403,
            "forbidden",
            "refused: a batch brings in others' records: it needs case:record_for_others (a registrar)",
        )
    text = await _body_text(request)
    # judged in this process: forking a judging pool from a threaded server risks a child
    # inheriting a lock some other thread held
    register = Register(ctx.engine, ctx.law, ctx.clock, judging_processes=0)
    try:
        report = await run_in_threadpool(register.import_lines, jsonl_lines(text), who.actor)
    except StorageFailed as failed:
        raise unavailable(failed) from None
    if report.errors:
        lines = [
            {"line": error.line, "field": problem.field, "reason": problem.reason}
            for error in report.errors
            for problem in error.problems
        ]
        first = lines[0]
        raise ApiError(
            422,
            "invalid",
            f"{len(report.errors)} line(s) refused; nothing stored. line {first['line']}: "
            f"{first['field']}: {first['reason']}",
            first["field"],
            lines,
        )
    return BatchStored(
        lines=report.lines, stored=report.stored, skipped=report.skipped, head_position=report.head_position
    )


async def _body_text(request: Request) -> str:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BATCH_BYTES:
            raise ApiError(413, "too_large", f"a batch is at most {MAX_BATCH_BYTES // 2**20} MB: use `habeas import`")
        chunks.append(chunk)
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid", f"the body is not UTF-8 (byte {exc.start})") from None
