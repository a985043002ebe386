"""Reading a resource for a principal, the same way for every collection: a page of the records it may see
(newest first, filters, cursor) or one of them (404 when it may not see it), each shown by a view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.api.paging import ListParams
from network import listing
from network.acting import reader_scope
from network.db import Database
from network.listing import Kind, Scope
from network.tokens import Principal

View = Callable[[Any, Scope], dict[str, Any]]


def plain(view: Callable[[Any], dict[str, Any]]) -> View:
    """A view that does not depend on who reads."""
    return lambda row, _scope: view(row)


def read_page(
    db: Database, principal: Principal, tenant: str, kind: Kind, params: ListParams, view: View
) -> dict[str, Any]:
    scope = reader_scope(principal, tenant)
    with db.read() as session:
        found = listing.page(session, kind, scope, params.filters, limit=params.limit, cursor=params.cursor)
        return {"data": [view(row, scope) for row in found.rows], "next_cursor": found.next_cursor}


def read_one(
    db: Database, principal: Principal, tenant: str, kind: Kind, record_id: str, view: View
) -> dict[str, Any]:
    scope = reader_scope(principal, tenant)
    with db.read() as session:
        return view(listing.get(session, kind, scope, record_id), scope)
