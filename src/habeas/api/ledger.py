"""The log's heads and signed checkpoints: what anyone needs to prove the past was not rewritten."""

from __future__ import annotations

from fastapi import APIRouter, Request

from habeas.api.context import Asker, Ctx
from habeas.api.errors import ApiError, answers
from habeas.api.models import Checkpoint, LedgerHead
from habeas.api.signing_in import signed_in
from habeas.services import checkpoints, guard, maintenance

router = APIRouter(tags=["ledger"])


@router.get("/ledger/head", response_model=LedgerHead)
def head(ctx: Ctx) -> dict:
    """The position and hash of the head of the event log and of the read log (public)."""
    return maintenance.heads(ctx.engine)


@router.get("/ledger/checkpoint", response_model=Checkpoint, responses=answers(401, 403, 503))
def checkpoint(request: Request, ctx: Ctx, who: Asker) -> dict:
    """Both chains walked, their heads signed (Ed25519): a checkpoint to publish
    (`checkpoint:write`; `python -m habeas.verify_export` checks an export against it)."""
    signed_in(request, who)
    try:
        return checkpoints.make(ctx.engine, ctx.law, who, ctx.now(), ctx.signing_key)
    except guard.Refused as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    except checkpoints.NoKey as exc:
        raise ApiError(503, "unavailable", f"no signing key: {exc} (run `habeas init`)") from None
    except ValueError as exc:
        raise ApiError(503, "unavailable", str(exc)) from None
