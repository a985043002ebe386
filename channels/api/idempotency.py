"""``Idempotency-Key`` on POST (Stripe's semantics).

The key, a fingerprint of the request (method, path and parsed body) and the response are stored in the
same transaction as the effect. The same key and request again gets the first response back (with
``Idempotent-Replayed: true``) and changes nothing; the same key with another request is a 409
``idempotency_conflict``; a key is forgotten after 24 hours. A request that failed stored nothing, so its
retry runs afresh. Keys are scoped to the token that sent them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from network.errors import InvalidInput
from network.idempotency import run_or_replay
from network.tokens import Principal

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
TTL = timedelta(hours=24)
_DESCRIPTION = (
    "A unique key (e.g. a UUID) per intended action: a retry with the same key and body returns the first "
    "response without acting twice; the same key with another body is 409. Keys expire after 24 hours."
)

KeyDep = Annotated[str | None, Header(alias=HEADER, min_length=1, max_length=200, description=_DESCRIPTION)]
RequiredKeyDep = Annotated[
    str, Header(alias=HEADER, min_length=1, max_length=200, description=_DESCRIPTION + " Required here.")
]


def respond_once(
    session: Session,
    principal: Principal,
    request: Request,
    key: str | None,
    effect: Callable[[], Any],
    *,
    body: BaseModel | None = None,
    status: int = 200,
) -> JSONResponse:
    """Run ``effect`` (in ``session``'s transaction) once per key and answer with its JSON result."""
    if key is None:
        return JSONResponse(jsonable_encoder(effect()), status_code=status)
    if not key.strip():
        raise InvalidInput("an Idempotency-Key must not be blank")
    fingerprint = {
        "method": request.method,
        "path": request.url.path,
        "body": body.model_dump(mode="json") if body is not None else None,
    }
    scope = f"api:{principal.token_id or principal.role.value}"

    def run() -> dict[str, Any]:
        return {"status": status, "body": jsonable_encoder(effect())}

    result, replayed = run_or_replay(session, scope, key, fingerprint, run, ttl=TTL)
    headers = {REPLAYED: "true"} if replayed else {}
    return JSONResponse(result["body"], status_code=int(result["status"]), headers=headers)
