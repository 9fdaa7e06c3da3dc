"""Working-hours arithmetic: what one ``business_time_between`` costs by the span it covers
(the reminder job calls it per request due by the wall clock; /report twice per request of
its window), against the plain subtraction used when no hours are configured.

    .venv/bin/python bench/bench_hours.py [--calls 2000] [--repeats 5]

Prints the median microseconds per call of several repetitions, interleaved.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from tipbot.core.hours import business_time_between, parse_hours

HOURS = parse_hours(
    "Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00",
    holidays="2026-12-24..2026-12-26,2027-01-01",
    zone="Europe/Berlin",
)
SPANS = {
    "1 h": timedelta(hours=1),
    "1 d": timedelta(days=1),
    "7 d": timedelta(days=7),
    "30 d": timedelta(days=30),
    "365 d": timedelta(days=365),
}


def per_call_us(hours, span: timedelta, calls: int) -> float:
    start = datetime(2026, 3, 20, 7, 30, tzinfo=UTC)  # spans cross the spring DST change
    began = time.perf_counter()
    for n in range(calls):
        moment = start + timedelta(minutes=n % 1440)
        business_time_between(moment, moment + span, hours)
    return (time.perf_counter() - began) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"business_time_between, median of {args.repeats} runs of {args.calls} calls")
    for label, span in SPANS.items():
        plain, hours = [], []
        for _ in range(args.repeats):  # interleaved: the same machine load for both
            plain.append(per_call_us(None, span, args.calls))
            hours.append(per_call_us(HOURS, span, args.calls))
        p, h = statistics.median(plain), statistics.median(hours)
        print(f"span {label:>5}: no hours {p:8.2f} µs   with hours {h:9.2f} µs   ({h / p:,.1f}x)")


if __name__ == "__main__":
    main()
