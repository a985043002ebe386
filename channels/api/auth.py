"""Bearer-token authentication at the web edge.

``Authorization: Bearer <token>`` names a token issued with ``layer8 token create`` (stored hashed) or the
operator's ``LAYER8_ADMIN_TOKEN``. A support agent acting inside a case adds ``X-Layer8-Case: <case id>``,
which must name an open case of that agent. Missing or unknown tokens give 401 with
``WWW-Authenticate: Bearer``; a role that may not use an endpoint gives 403. Failed tokens count against the
client address and calls against the token (:mod:`channels.api.rate_limits`): 429 beyond the limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from channels.api.deps import DbDep, SettingsDep
from channels.api.rate_limits import RateLimitsDep, client_address
from network.errors import PermissionDenied, Unauthenticated
from network.models import Role
from network.tokens import Principal, authenticate

__all__ = ["CASE_HEADER", "AdminDep", "Principal", "PrincipalDep", "StaffDep", "require_role"]

CASE_HEADER = "X-Layer8-Case"
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="A Layer8 API token (`layer8 token create`) or the operator's admin token.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def get_principal(
    request: Request,
    settings: SettingsDep,
    db: DbDep,
    limits: RateLimitsDep,
    credentials: Credentials,
    case_header: Annotated[  # not `case_id`: that name is a path parameter of /v1/cases/{case_id}
        str | None,
        Header(alias=CASE_HEADER, description="Support agents: the open case they act in."),
    ] = None,
) -> Principal:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    address = client_address(request)
    limits.check("sign_in_ip", address)  # an address that keeps guessing tokens waits, even for a good one
    admin = settings.admin_token
    # a short session of its own: a route that writes must not hold a second pooled connection meanwhile
    try:
        with db.read() as session:
            principal = authenticate(
                session,
                credentials.credentials,
                case_id=(case_header or "").strip() or None,
                admin_token=admin.get_secret_value() if admin else None,
            )
    except Unauthenticated:
        limits.hit("sign_in_ip", address)
        raise
    limits.hit("api", principal.token_id or "admin")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""
    allowed = ", ".join(role.value for role in roles)

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise PermissionDenied(f"this needs one of these roles: {allowed}")
        return principal

    return check


StaffDep = Annotated[Principal, Depends(require_role(Role.AGENT, Role.ADMIN))]
SubscriberDep = Annotated[Principal, Depends(require_role(Role.SUBSCRIBER))]
AdminDep = Annotated[Principal, Depends(require_role(Role.ADMIN))]
