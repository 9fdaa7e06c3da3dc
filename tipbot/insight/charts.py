"""The digest's figures as PNG charts: matplotlib's object API on the Agg canvas.

matplotlib is imported in the worker thread, the first time a picture is drawn: its import
takes about a second of CPU, which would otherwise delay every start of the bot and, on the
event loop, every update meanwhile.

Never pyplot: it keeps every figure in a global registry (and may pick a GUI backend); a
``Figure`` drawn on its own ``FigureCanvasAgg`` is an ordinary object, cleared and freed when
the picture is out. Drawing is CPU work for a fraction of a second, so the async callers run
it in a worker thread (``render_*``): the event loop keeps answering updates meanwhile. One
lock keeps the drawing to one thread at a time (matplotlib's font caches are shared).
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tipbot import texts
from tipbot.insight.figures import Digest

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

DPI = 100
WIDE = (11.0, 4.2)  # one digest picture: two panels side by side, 1100 x 420 pixels
OVERVIEW = (11.0, 8.0)  # /stats: four panels, 1100 x 800 pixels
TOP_SOURCES = 5
ONE_ROW = {"left": 0.12, "right": 0.95, "bottom": 0.17, "top": 0.91, "wspace": 0.42}
TWO_ROWS = {"left": 0.12, "right": 0.95, "bottom": 0.08, "top": 0.95, "wspace": 0.42, "hspace": 0.3}
UP_COLOUR, DOWN_COLOUR, SENT_COLOUR = "#2e7d32", "#c62828", "#90a4ae"
TRIED_COLOUR = "#f9a825"
STATUS_COLOURS = {
    "active": "#2e7d32",
    "paused": "#f9a825",
    "stopped": "#757575",
    "blocked": "#c62828",
}
BUCKET_LABELS = ("<15m", "15m-1h", "1-4h", "4h-1d", "1-3d", ">3d")
_DRAWING = threading.Lock()
_in_progress = 0  # pictures being drawn in worker threads (the demo waits for them)


def drawing() -> bool:
    """True while a picture is being drawn: the bot is busy without calling Telegram."""
    return _in_progress > 0


async def _in_thread(function: Callable[..., object], *args: object) -> object:
    global _in_progress
    _in_progress += 1
    try:
        return await asyncio.to_thread(function, *args)
    finally:
        _in_progress -= 1


@dataclass(frozen=True)
class Labels:
    """Every word drawn into a chart, rendered in one language before drawing."""

    subscribers: str
    new_by_source: str
    tips_by_topic: str
    best_worst: str
    funnel: str
    request_times: str
    sent: str
    liked: str
    disliked: str
    tried: str
    requests: str
    to_claim: str
    to_close: str
    to_first_answer: str
    other: str
    direct: str
    no_data: str
    steps: tuple[str, ...]

    @classmethod
    def render(cls, language: str) -> Labels:
        def r(text: texts.Text) -> str:
            return text.render(language)

        return cls(
            subscribers=r(texts.CHART_SUBSCRIBERS),
            new_by_source=r(texts.CHART_NEW_BY_SOURCE),
            tips_by_topic=r(texts.CHART_TIPS_BY_TOPIC),
            best_worst=r(texts.CHART_BEST_WORST),
            funnel=r(texts.CHART_FUNNEL),
            request_times=r(texts.CHART_REQUEST_TIMES),
            sent=r(texts.CHART_SENT),
            liked=r(texts.CHART_LIKED),
            disliked=r(texts.CHART_DISLIKED),
            tried=r(texts.CHART_TRIED),
            requests=r(texts.CHART_REQUESTS),
            to_claim=r(texts.CHART_TO_CLAIM),
            to_close=r(texts.CHART_TO_CLOSE),
            to_first_answer=r(texts.CHART_TO_FIRST_ANSWER),
            other=r(texts.CHART_OTHER),
            direct=r(texts.STATS_DIRECT),
            no_data=r(texts.CHART_NO_DATA),
            steps=tuple(
                r(t)
                for t in (
                    texts.CHART_STEP_TIPS,
                    texts.CHART_STEP_BUTTON,
                    texts.CHART_STEP_FORM,
                    texts.CHART_STEP_REQUEST,
                    texts.CHART_STEP_CLAIMED,
                    texts.CHART_STEP_CLOSED,
                    texts.CHART_STEP_RATED,
                )
            ),
        )


Panel = Callable[["Axes", Digest, Labels], None]


# ----------------------------------------------------------------------------- panels


def _empty(ax: Axes, labels: Labels) -> None:
    ax.text(0.5, 0.5, labels.no_data, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def subscribers_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Stacked areas: how many had joined by each week, by the status they have now."""
    ax.set_title(labels.subscribers, fontsize=10)
    weeks = [digest.history.week_start(i) for i in range(digest.history.weeks)]
    if not digest.subscribers:
        _empty(ax, labels)
        return
    index = {week: i for i, week in enumerate(weeks)}
    statuses = sorted({row.key for row in digest.subscribers}, key=_status_order)
    series = []
    for status in statuses:
        joined = [0] * len(weeks)
        for row in digest.subscribers:
            if row.key == status and row.week in index:
                joined[index[row.week]] += row.count
        running, total = [], 0
        for count in joined:
            total += count
            running.append(total)
        series.append(running)
    ax.stackplot(
        weeks,
        series,
        labels=statuses,
        colors=[STATUS_COLOURS.get(s, "#5c6bc0") for s in statuses],
        alpha=0.85,
    )
    ax.legend(loc="upper left", fontsize=8)
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.set_ylim(bottom=0)


def _status_order(status: str) -> int:
    order = list(STATUS_COLOURS)
    return order.index(status) if status in order else len(order)


def sources_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Stacked bars: new subscribers per week, the biggest sources and the rest."""
    ax.set_title(labels.new_by_source, fontsize=10)
    if not digest.sources:
        _empty(ax, labels)
        return
    weeks = [digest.history.week_start(i) for i in range(digest.history.weeks)]
    index = {week: i for i, week in enumerate(weeks)}
    totals: dict[str, int] = {}
    for row in digest.sources:
        totals[row.key] = totals.get(row.key, 0) + row.count
    top = sorted(totals, key=lambda s: (-totals[s], s))[:TOP_SOURCES]
    names = [*top, None] if len(totals) > len(top) else top
    bottom = [0] * len(weeks)
    for name in names:
        heights = [0] * len(weeks)
        for row in digest.sources:
            if (row.key == name or (name is None and row.key not in top)) and row.week in index:
                heights[index[row.week]] += row.count
        label = labels.other if name is None else (name or labels.direct)
        ax.bar(range(len(weeks)), heights, bottom=bottom, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xticks(range(len(weeks)), [w.strftime("%d %b") for w in weeks], fontsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    ax.legend(loc="upper left", fontsize=8)


def topics_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Bars: tips sent per topic; points on the right axis: liked, disliked and tried, % of
    sent."""
    ax.set_title(labels.tips_by_topic, fontsize=10)
    if not digest.topics:
        _empty(ax, labels)
        return
    names = [t.topic for t in digest.topics]
    x = range(len(names))
    ax.bar(x, [t.sent for t in digest.topics], color=SENT_COLOUR, label=labels.sent)
    ax.set_xticks(x, names, fontsize=8)
    ax.tick_params(axis="x", labelrotation=20)
    rates = ax.twinx()
    rates.plot(x, [100 * t.up_rate for t in digest.topics], "o", color=UP_COLOUR)
    rates.plot(x, [100 * t.down_rate for t in digest.topics], "v", color=DOWN_COLOUR)
    rates.plot(x, [100 * t.tried_rate for t in digest.topics], "s", color=TRIED_COLOUR)
    rates.set_ylim(bottom=0)
    rates.set_ylabel("%", fontsize=8)
    handles = [
        *ax.get_legend_handles_labels()[0],
        *rates.get_lines(),
    ]
    legend = [labels.sent, labels.liked, labels.disliked, labels.tried]
    ax.legend(handles, legend, loc="upper left", fontsize=8)


def best_worst_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Horizontal bars: the five best (green) and worst (red) tips by likes minus dislikes."""
    ax.set_title(labels.best_worst, fontsize=10)
    rows = [*digest.best, *(t for t in reversed(digest.worst) if t not in digest.best)]
    if not rows:
        _empty(ax, labels)
        return
    y = range(len(rows))
    colours = [UP_COLOUR if t.score > 0 else DOWN_COLOUR for t in rows]
    ax.barh(y, [t.score for t in rows], color=colours)
    ax.set_yticks(y, [t.tip_id for t in rows], fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)


def funnel_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Horizontal bars on a log scale (a thousand tips, a handful of requests), with counts."""
    ax.set_title(labels.funnel, fontsize=10)
    counts = [count for _, count in digest.funnel.steps()]
    y = range(len(counts))
    ax.barh(y, counts, color="#5c6bc0")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yticks(y, labels.steps, fontsize=8)
    ax.invert_yaxis()
    for i, count in enumerate(counts):
        ax.text(max(count, 0.6), i, f" {count:,}", va="center", fontsize=8)
    ax.set_xlim(left=0, right=max(10, max(counts) * 4))


def times_panel(ax: Axes, digest: Digest, labels: Labels) -> None:
    """Grouped bars: requests per duration bucket, to claim, to first answer and to close."""
    ax.set_title(labels.request_times, fontsize=10)
    times = digest.times
    claim, answer, close = times.to_claim, times.to_first_answer, times.to_close
    if not claim.count and not answer.count and not close.count:
        _empty(ax, labels)
        return
    x = range(len(BUCKET_LABELS))
    ax.bar([i - 0.27 for i in x], claim.buckets, width=0.27, label=labels.to_claim)
    ax.bar(x, answer.buckets, width=0.27, label=labels.to_first_answer)
    ax.bar([i + 0.27 for i in x], close.buckets, width=0.27, label=labels.to_close)
    ax.set_xticks(x, BUCKET_LABELS, fontsize=8)
    ax.set_ylabel(labels.requests, fontsize=8)
    ax.legend(fontsize=8)


# ----------------------------------------------------------------------------- pictures

DIGEST_PICTURES: tuple[tuple[Panel, Panel], ...] = (
    (subscribers_panel, sources_panel),
    (topics_panel, best_worst_panel),
    (funnel_panel, times_panel),
)
OVERVIEW_PANELS: tuple[Panel, ...] = (
    subscribers_panel,
    topics_panel,
    best_worst_panel,
    funnel_panel,
)


def _png(figure: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    figure.clear()  # drop the artists now; the figure itself goes with its last reference
    return buffer.getvalue()


def draw(
    panels: tuple[Panel, ...], digest: Digest, labels: Labels, *, size: tuple, rows: int
) -> bytes:
    """One PNG of ``panels`` in ``rows`` rows (synchronous: call it off the event loop)."""
    with _DRAWING:
        import matplotlib

        matplotlib.use("Agg")  # no display, ever (also keeps a stray pyplot import headless)
        from matplotlib.figure import Figure

        # Fixed margins, wide enough for the tip ids and funnel steps: a layout engine
        # ("constrained", "tight") measures every label and costs a third of the drawing.
        figure = Figure(figsize=size, dpi=DPI)
        figure.subplots_adjust(**(ONE_ROW if rows == 1 else TWO_ROWS))
        axes = figure.subplots(rows, -(-len(panels) // rows), squeeze=False).flat
        for panel, ax in zip(panels, axes, strict=True):
            panel(ax, digest, labels)
        return _png(figure)


def digest_pictures(digest: Digest, labels: Labels) -> list[bytes]:
    return [draw(pair, digest, labels, size=WIDE, rows=1) for pair in DIGEST_PICTURES]


def overview_picture(digest: Digest, labels: Labels) -> bytes:
    return draw(OVERVIEW_PANELS, digest, labels, size=OVERVIEW, rows=2)


async def render_digest(digest: Digest, language: str) -> list[bytes]:
    """The digest's pictures, drawn in a worker thread."""
    return await _in_thread(digest_pictures, digest, Labels.render(language))


async def render_overview(digest: Digest, language: str) -> bytes:
    """``/stats``'s one picture, drawn in a worker thread."""
    return await _in_thread(overview_picture, digest, Labels.render(language))
