"""Numbers in the words a practice manager reads."""

from __future__ import annotations

import math


def minutes(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(value)} min"


def percent(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.0%}"


def goal_left(value: float | None) -> str:
    """Minutes before a waiting patient breaches the goal, or past it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value >= 0:
        return f"{math.ceil(value)} min left"
    return f"{math.ceil(-value)} min over"
