"""``tipbot export-requests``: consultation requests as CSV, for the clinic's CRM, with the
help desk's figures: who holds it, first response and resolution times (in the clinic's
working hours, minutes), the person's rating and comment."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot import i18n
from tipbot.consult.cards import time_label
from tipbot.core.db import Database
from tipbot.core.db.models import ConsultRequest, RequestStatus
from tipbot.core.hours import ClinicHours, business_time_between


def _since(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-06-01, not {value!r}"
        ) from None


def _status(value: str) -> RequestStatus:
    try:
        return RequestStatus(value.lower())
    except ValueError:
        known = ", ".join(status.value for status in RequestStatus)
        raise argparse.ArgumentTypeError(f"expected one of {known}, not {value!r}") from None


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", type=_since, metavar="DATE", help="only requests from this day on (UTC)"
    )
    parser.add_argument(
        "--status",
        type=_status,
        metavar="STATUS",
        help="only requests with this status: " + ", ".join(s.value for s in RequestStatus),
    )


async def export_requests(
    database_url: str,
    out: TextIO,
    since: date | None = None,
    status: RequestStatus | None = None,
    hours: ClinicHours | None = None,
) -> None:
    db = Database(database_url)
    try:
        async with db.session() as session:
            requests = await requests_for_export(session, since=since, status=status)
        write_csv(requests, out, hours)
    finally:
        await db.dispose()


EXPORT_COLUMNS = (
    "number",
    "created_at",
    "status",
    "name",
    "contact_kind",
    "contact",
    "preferred_time",
    "topic",
    "note",
    "source",
    "claimed_by",
    "claimed_at",
    "closed_at",
    "assigned_to",
    "first_response_at",
    "first_response_minutes",
    "resolution_minutes",
    "rating",
    "rating_comment",
)


def response_times(
    request: ConsultRequest, hours: ClinicHours | None
) -> tuple[timedelta | None, timedelta | None]:
    """(first response, resolution) of a request in working hours; None where not yet."""
    first = (
        business_time_between(request.created_at, request.first_response_at, hours)
        if request.first_response_at
        else None
    )
    resolved = (
        business_time_between(request.created_at, request.closed_at, hours)
        if request.closed_at and request.status is RequestStatus.CLOSED
        else None
    )
    return first, resolved


async def requests_for_export(
    session: AsyncSession, *, since: date | None = None, status: RequestStatus | None = None
) -> list[ConsultRequest]:
    query = select(ConsultRequest).order_by(ConsultRequest.id)
    if since is not None:
        start = datetime.combine(since, time(0), tzinfo=UTC)
        query = query.where(ConsultRequest.created_at >= start)
    if status is not None:
        query = query.where(ConsultRequest.status == status)
    return list(await session.scalars(query))


def _cell(text: str | None) -> str:
    """Free text as a CSV cell a spreadsheet will not run as a formula."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_csv(
    requests: Iterable[ConsultRequest], out: TextIO, hours: ClinicHours | None = None
) -> None:
    """CSV for the clinic's CRM: one row per request, times in UTC ISO 8601, durations in
    whole minutes of working ``hours``."""

    def iso(moment: datetime | None) -> str:
        return moment.isoformat(timespec="seconds") if moment else ""

    def minutes(duration: timedelta | None) -> str:
        return str(int(duration.total_seconds() // 60)) if duration is not None else ""

    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for request in requests:
        first, resolved = response_times(request, hours)
        writer.writerow(
            [
                request.id,
                iso(request.created_at),
                request.status.value,
                _cell(request.name),
                request.contact_kind,
                request.contact_value or "",
                _cell(time_label(request.preferred_time, i18n.staff_language())),
                request.topic or "",
                _cell(request.note),
                request.source or "",
                request.claimed_by_name or "",
                iso(request.claimed_at),
                iso(request.closed_at),
                request.assigned_to_name or "",
                iso(request.first_response_at),
                minutes(first),
                minutes(resolved),
                request.rating if request.rating is not None else "",
                _cell(request.rating_comment),
            ]
        )
