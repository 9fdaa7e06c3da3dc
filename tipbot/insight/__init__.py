"""What the clinic sees: figures (SQL aggregates), charts (PNG), the weekly digest, reports.

``figures`` asks the database (each figure one function, one aggregate); ``charts`` draws them
with matplotlib off the event loop; ``digest`` posts them to the staff group once a week;
``report`` writes them as CSV for spreadsheets.
"""

from __future__ import annotations

from tipbot.insight.digest import schedule

__all__ = ["schedule"]
