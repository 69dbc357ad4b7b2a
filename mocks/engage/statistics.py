"""The platform's figures for a grid or a community over a period: activities held, volunteer
hours given, wishes posted, claimed and fulfilled (and days to fulfil), topics decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..population import BEIJING
from ..population.engagement_book import EngagementBook
from .contract import PlatformError


def _grids(book: EngagementBook, body: dict[str, Any]) -> list[int]:
    geography = book.geography
    if body.get("grid_code"):
        grid = geography.grid_by_code.get(body["grid_code"])
        if grid is None or grid.parent_code is not None:
            raise PlatformError(47001, "grid_code unknown")
        return [grid.ordinal]
    community = geography.community_by_code.get(body.get("community_code") or "")
    if community is None:
        raise PlatformError(47001, "grid_code or community_code required")
    return [o for o in community.grid_ordinals if geography.grids[o].parent_code is None]


def figures(book: EngagementBook, body: dict[str, Any]) -> dict[str, Any]:
    try:
        start = datetime.fromtimestamp(body["begin_time"], BEIJING)
        end = datetime.fromtimestamp(body["end_time"], BEIJING)
    except (OverflowError, OSError, ValueError) as error:  # past year 9999, or before year 1
        raise PlatformError(47001, "begin_time or end_time out of range") from error
    if end <= start:
        raise PlatformError(47001, "end_time must be after begin_time")
    held = checkins = posted = claimed = fulfilled = decided = 0
    hours = days_to_fulfil = 0.0
    for ordinal in _grids(book, body):
        grid = book.grid(ordinal)
        for activity in grid.activities:
            if start <= activity.start < end and activity.start <= book.draw.last:
                held += 1
                came = sum(1 for s in activity.signups.values() if s.checked_in_at is not None)
                checkins += came
                hours += came * activity.hours
        for wish in grid.wishes:
            if start <= wish.posted_at < end:
                posted += 1
                claimed += bool(wish.claimer)
                if wish.fulfilled_at is not None:
                    fulfilled += 1
                    days_to_fulfil += (wish.fulfilled_at - wish.posted_at).total_seconds() / 86400
        decided += sum(
            1 for t in grid.topics if t.decided_at is not None and start <= t.decided_at < end
        )
    return {
        "activity_count": held,
        "checkin_count": checkins,
        "service_hours": round(hours, 1),
        "wish_posted": posted,
        "wish_claimed": claimed,
        "wish_fulfilled": fulfilled,
        "avg_fulfil_days": round(days_to_fulfil / fulfilled, 2) if fulfilled else 0,
        "topic_decided": decided,
    }
