"""List parameters shared by the resource collections: filters and cursor pagination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from network.errors import InvalidInput
from network.listing import Filters
from network.pagination import MAX_CURSOR

T = TypeVar("T")
MAX_PAGE = 100
ID_PATTERN = r"^[A-Za-z0-9_-]+$"


class Page(BaseModel, Generic[T]):
    """One page, newest first; pass ``next_cursor`` as ``cursor`` for the next (null: the last page)."""

    data: list[T]
    next_cursor: str | None = Field(description="Opaque; absent on the last page.")


@dataclass(frozen=True, slots=True)
class ListParams:
    filters: Filters
    limit: int
    cursor: str | None


def list_params(
    state: Annotated[
        str | None, Query(max_length=16, pattern=r"^[a-z_]+$", description="Only this state.")
    ] = None,
    subscriber_id: Annotated[
        str | None,
        Query(max_length=40, pattern=ID_PATTERN, description="Only records this subscriber is a party to."),
    ] = None,
    since: Annotated[
        datetime | None, Query(description="Created at or after (ISO 8601; UTC if no zone).")
    ] = None,
    until: Annotated[datetime | None, Query(description="Created before (ISO 8601; UTC if no zone).")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
    cursor: Annotated[str | None, Query(max_length=MAX_CURSOR, description="From `next_cursor`.")] = None,
) -> ListParams:
    filters = Filters(state=state, subscriber_id=subscriber_id, since=_utc(since), until=_utc(until))
    return ListParams(filters=filters, limit=limit, cursor=cursor)


ListDep = Annotated[ListParams, Depends(list_params)]


def _utc(at: datetime | None) -> datetime | None:
    """In UTC (a time without a zone is taken as UTC); a time that cannot be is refused, not a 500."""
    if at is None:
        return None
    try:
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInput("since/until must be a date and time that exists in UTC") from None
