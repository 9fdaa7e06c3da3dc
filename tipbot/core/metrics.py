"""Prometheus metric families, defined once; each area increments its own.

Gauges that describe stored state (subscribers by status, requests by status, outbox
backlog) are filled at scrape time from the database by the web module.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

TIPS_SENT = Counter("tipbot_tips_sent_total", "Tips delivered to subscribers", ["kind"])
TIPS_FAILED = Counter("tipbot_tips_failed_total", "Tips that could not be delivered", ["reason"])
TIPS_UNKNOWN = Gauge(
    "tipbot_tips_unknown",
    "Daily tips of the last 7 days left pending by a crash: sent or not, never sent again",
)
SWEEP_DURATION = Histogram(
    "tipbot_sweep_duration_seconds",
    "Duration of one delivery sweep",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
SWEEP_LAG = Gauge("tipbot_sweep_lag_seconds", "How late the oldest tip of the last sweep was")
UPDATES = Counter("tipbot_updates_total", "Telegram updates handled", ["kind"])
HANDLER_LATENCY = Histogram("tipbot_handler_latency_seconds", "Time to handle one update")
SUBSCRIBERS = Gauge("tipbot_subscribers", "Subscribers by status", ["status"])
CONSULT_REQUESTS = Gauge("tipbot_consult_requests", "Consultation requests by status", ["status"])
TIP_FALLBACKS = Counter(
    "tipbot_tip_fallbacks_total",
    "Tips shown in English because the person's language lacks their translation",
    ["language"],
)
OUTBOX_BACKLOG = Gauge("tipbot_outbox_backlog", "Messages to staff waiting in the outbox")
