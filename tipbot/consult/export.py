"""``tipbot export-requests``: consultation requests as CSV, for the clinic's CRM."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TextIO

from tipbot.consult.service import requests_for_export, write_csv
from tipbot.core.db import Database
from tipbot.core.db.models import RequestStatus


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
) -> None:
    db = Database(database_url)
    try:
        async with db.session() as session:
            requests = await requests_for_export(session, since=since, status=status)
        write_csv(requests, out)
    finally:
        await db.dispose()
