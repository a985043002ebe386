"""Errors as RFC 9457 problem details (``application/problem+json``) with Layer8's stable codes.

Every error leaving the API has ``type``, ``title``, ``status``, ``detail``, ``code`` and ``instance``.
Domain errors (:class:`~network.errors.Layer8Error`) keep their own code and status; malformed input is a
4xx (``malformed_body``, ``invalid_request``); only a genuine bug is a 500 ``internal_error``, whose body
says nothing about the internals.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from channels.api.request_id import current_request_id
from network.errors import Layer8Error, RateLimited, Unauthenticated

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:layer8:problem:"
BEARER_CHALLENGE = 'Bearer realm="layer8"'
# codes for errors raised by the HTTP machinery itself (routing, body parsing, security schemes)
HTTP_CODES = {
    400: "malformed_body",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_RESERVED = {"type", "title", "status", "detail", "code", "instance", "request_id"}


class Problem(BaseModel):
    """The body of every error (RFC 9457); extension members may follow."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str
    request_id: str | None = None


def _documented(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {MEDIA_TYPE: {"schema": schema}}}


# for routers' ``responses=``: the errors every authenticated endpoint may answer with
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _documented("Malformed request body (`malformed_body`)"),
    401: _documented("Missing or unknown bearer token (`unauthenticated`)"),
    403: _documented("The token's role may not do this (`forbidden`)"),
    404: _documented("No such record, or not yours to see (`not_found`)"),
    422: _documented("Parameters or body of the wrong shape (`invalid_request`)"),
}
# for actions: what a state machine, a rule or an idempotency key may refuse
ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: _documented(
        "Not yours to do: `forbidden`, `case_required` (an agent without an authenticated case), "
        "`consent_required`"
    ),
    409: _documented(
        "`illegal_transition` (the record's state does not allow it), `conflict`, or "
        "`idempotency_conflict` (the Idempotency-Key was used for another request)"
    ),
}


# what every operation of a kind may answer, whatever its route declares (see ``document_errors``)
_GENERIC: dict[int, str] = {
    400: "Malformed request body (`malformed_body`)",
    401: "Missing, unknown or expired credentials (`unauthenticated`)",
    403: "Not allowed for this token or session (`forbidden`)",
    404: "No such record, or not yours to see (`not_found`)",
    409: "`idempotency_conflict`: the Idempotency-Key was used for another request",
    413: "Body larger than the server accepts (`payload_too_large`)",
    415: "A body that is not `application/json` (`unsupported_media_type`)",
    422: "Parameters or body of the wrong shape (`invalid_request`), or breaking a rule the schema states",
    429: "Over a rate limit (`rate_limited`); `Retry-After` says when to try again",
    503: "The database cannot be reached (`service_unavailable`); `Retry-After` says when to try again",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def document_errors(path: str, method: str, operation: dict[str, Any]) -> None:
    """Complete one operation's error responses, all problem+json: authenticated routes may answer 401,
    403 and 429; a body may be malformed, too large or not JSON; a path parameter may name nothing; a POST
    with an ``Idempotency-Key`` may conflict; anything may find the database down. A route's own
    description of a status is kept; FastAPI's default 422 (a schema Layer8 never sends) is replaced."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    params = operation.get("parameters", [])
    statuses = {503}
    if operation.get("security") or path.startswith("/v1/chat"):
        statuses |= {401, 403, 429}
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if params:
        statuses.add(422)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if method == "post" and any(p.get("name") == "Idempotency-Key" for p in params):
        statuses.add(409)
    for status in sorted(statuses):
        entry = responses.get(str(status))
        if entry is None or MEDIA_TYPE not in entry.get("content", {}):
            description = entry["description"] if entry and status != 422 else _GENERIC[status]
            responses[str(status)] = _documented(description)
        if status in (429, 503):
            responses[str(status)]["headers"] = _RETRY_AFTER


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; ``extensions`` become extra members (never the reserved ones)."""
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{code}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": current_request_id(request),
    }
    body.update({k: v for k, v in jsonable_encoder(extensions).items() if k not in _RESERVED})
    out_headers = dict(headers or {})
    if body["request_id"]:
        out_headers.setdefault("X-Request-ID", body["request_id"])
    return JSONResponse(body, status_code=status, headers=out_headers, media_type=MEDIA_TYPE)


def install(app: FastAPI) -> None:
    """Route every error the app can raise to a problem+json response."""
    app.add_exception_handler(Layer8Error, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OperationalError, _unavailable)
    app.add_exception_handler(PoolTimeout, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
    _document(app)


def _document(app: FastAPI) -> None:
    """Put the ``Problem`` schema into the OpenAPI components that the responses above refer to."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas["Problem"] = Problem.model_json_schema()
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            for path, item in schema.get("paths", {}).items():
                for method, operation in item.items():
                    document_errors(path, method, operation)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend OpenAPI


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Layer8Error)
    headers = {}
    if isinstance(exc, Unauthenticated):
        invalid = "authorization" in request.headers
        headers["WWW-Authenticate"] = BEARER_CHALLENGE + (', error="invalid_token"' if invalid else "")
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    extensions = exc.details if exc.status < 500 else {}
    return problem(request, exc.status, exc.code, exc.message, headers=headers, **extensions)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem(request, 400, "malformed_body", "the request body is not valid JSON")
    return problem(
        request,
        422,
        "invalid_request",
        "the request does not match what this endpoint accepts",
        errors=[_describe(error) for error in errors[:20]],
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = HTTP_CODES.get(status, "client_error" if status < 500 else "server_error")
    headers = dict(exc.headers or {})
    if status == 401:
        headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
    return problem(request, status, code, _http_detail(status, exc.detail), headers=headers)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    logger.error("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    detail = "the service cannot reach its database; try again shortly"
    return problem(request, 503, "service_unavailable", detail, headers={"Retry-After": "5"})


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception(
        "unexpected error on %s %s [request %s]",
        request.method,
        request.url.path,
        current_request_id(request),
    )
    return problem(request, 500, "internal_error", "something went wrong on our side; it has been logged")


def _describe(error: Any) -> dict[str, Any]:
    """A validation error without the offending input (it may be huge or private)."""
    return {
        "loc": [str(part) for part in error.get("loc", ())][:10],
        "msg": str(error.get("msg", ""))[:300],
        "type": str(error.get("type", "")),
    }


_DEFAULT_DETAIL = {
    400: "the request body could not be read",
    404: "there is nothing at this address",
    405: "this address does not accept that method",
}


def _http_detail(status: int, detail: Any) -> str:
    if isinstance(detail, str) and detail and detail != _title(status):
        return detail
    return _DEFAULT_DETAIL.get(status, _title(status))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
