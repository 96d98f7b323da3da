"""Shared pieces of the planning-input forms: weekday and time parsing, and
how a table's problems are reported (row number, field, message).

Everything here is pure: no session, no Streamlit. Messages are written for
the practice manager and name the field they came from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd

from data.roster_inputs import InputInvalid

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class RowProblem:
    """One problem in one row of an edited table; ``row`` counts from 1 as shown."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


class RowsInvalid(InputInvalid):
    """A table that cannot be saved; ``problems`` lists every bad row. Nothing was saved."""

    def __init__(self, field: str, problems: list[RowProblem]) -> None:
        count = len(problems)
        super().__init__(field, f"{count} problem{'s' if count != 1 else ''} to fix; nothing was saved.")
        self.problems = problems


def is_blank(value: Any) -> bool:
    """None, empty text, NaN, and pandas' missing values (``pd.NA``, ``NaT``) as an edited table returns them."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float):
        return math.isnan(value)
    if pd.api.types.is_scalar(value):
        return bool(pd.isna(value))
    return False


def weekday_index(value: Any, field: str = "weekday") -> int:
    """A single weekday as 0 (Monday) to 6: accepts 0-6, "Mon", "monday"."""
    if is_blank(value):
        raise InputInvalid(field, "Choose a weekday.")
    if isinstance(value, bool):
        raise InputInvalid(field, "Choose a weekday from Mon to Sun.")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 0 <= number <= 6:
            return int(number)
        raise InputInvalid(field, f"There is no weekday {value:g}: use Mon to Sun (0 = Monday, 6 = Sunday).")
    text = str(value).strip().lower()
    if text.isdigit():
        return weekday_index(int(text), field)
    for i, (short, full) in enumerate(zip(WEEKDAY_NAMES, _FULL_NAMES)):
        if text in (short.lower(), full) or (len(text) >= 3 and full.startswith(text)):
            return i
    raise InputInvalid(field, f'"{value}" is not a weekday: use Mon to Sun.')


def parse_weekdays(value: Any, field: str = "weekdays") -> tuple[int, ...]:
    """Weekdays as sorted indexes from "Mon-Fri", "Mon, Wed, Fri", "0,1,2" or a list.

    Raises ``InputInvalid`` for an empty selection, an unknown day or a range
    that runs backwards ("Fri-Mon").
    """
    if is_blank(value):
        raise InputInvalid(field, "Choose at least one weekday.")
    if isinstance(value, (list, tuple, set)) or (hasattr(value, "__iter__") and not isinstance(value, str)):
        items = [v for v in value if not is_blank(v)]
        if not items:
            raise InputInvalid(field, "Choose at least one weekday.")
        return tuple(sorted({weekday_index(v, field) for v in items}))
    days: set[int] = set()
    text = re.sub(r"\s*[-–]\s*(?=\S)", "-", str(value).strip())
    for part in re.split(r"[,;/\s]+", text):
        if not part:
            continue
        if "-" in part[1:]:
            first, last = part.split("-", 1)
            if not last:
                raise InputInvalid(field, f'"{part}" is missing its last day: write a range as Mon-Fri.')
            a, b = weekday_index(first, field), weekday_index(last, field)
            if b < a:
                wrapped = format_weekdays([*range(a, 7), *range(0, b + 1)])
                raise InputInvalid(field, f'"{part}" runs backwards: write it as {wrapped}.')
            days.update(range(a, b + 1))
        else:
            days.add(weekday_index(part, field))
    if not days:
        raise InputInvalid(field, "Choose at least one weekday.")
    return tuple(sorted(days))


def format_weekdays(days: tuple[int, ...] | list[int] | str) -> str:
    """Compact day names: (0,1,2,3,4) -> "Mon-Fri", (0,2,4) -> "Mon, Wed, Fri"."""
    if isinstance(days, str):
        days = [int(d) for d in days.split(",") if d.strip() != ""]
    days = sorted(set(days))
    parts: list[str] = []
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{WEEKDAY_NAMES[days[i]]}-{WEEKDAY_NAMES[days[j]]}")
        else:
            parts.extend(WEEKDAY_NAMES[d] for d in days[i:j + 1])
        i = j + 1
    return ", ".join(parts)


def weekdays_to_db(days: tuple[int, ...]) -> str:
    return ",".join(str(d) for d in days)


def parse_time(value: Any, field: str, label: str) -> dt.time:
    """A clock time from a ``time``, a datetime or text "07:30"; seconds must be zero."""
    if is_blank(value):
        raise InputInvalid(field, f"Enter the {label.lower()} time.")
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        if value.second or value.microsecond:
            raise InputInvalid(field, f"The {label.lower()} time must be whole minutes.")
        return value.replace(tzinfo=None)
    text = str(value).strip()
    match = re.fullmatch(r"(\d{1,2})[:.h]?(\d{2})(?::00)?", text)
    if not match:
        raise InputInvalid(field, f'"{text}" is not a time: write the {label.lower()} time as 07:30.')
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        raise InputInvalid(field, f'"{text}" is not a time of day: hours run 00-23 and minutes 00-59.')
    return dt.time(hours, minutes)


def clock(t: dt.time) -> str:
    return f"{t:%H:%M}"


def minutes_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def whole_number(value: Any, field: str, label: str, *, low: int, high: int, required: bool = True) -> int | None:
    """A whole number in ``[low, high]``; blank gives None unless ``required``."""
    if is_blank(value):
        if required:
            raise InputInvalid(field, f"Enter the {label.lower()}.")
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputInvalid(field, f"The {label.lower()} must be a number.") from None
    if not number.is_integer():
        raise InputInvalid(field, f"The {label.lower()} must be a whole number, not {number:g}.")
    if number < 0 and low >= 0:
        raise InputInvalid(field, f"The {label.lower()} cannot be negative.")
    if not low <= number <= high:
        raise InputInvalid(field, f"The {label.lower()} must be between {low} and {high}.")
    return int(number)


def amount(value: Any, field: str, label: str, *, low: float, high: float, unit: str = "") -> float:
    """A number in ``[low, high]`` (money or hours)."""
    if is_blank(value):
        raise InputInvalid(field, f"Enter the {label.lower()}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputInvalid(field, f"The {label.lower()} must be a number.") from None
    if math.isnan(number) or math.isinf(number):
        raise InputInvalid(field, f"The {label.lower()} must be a number.")
    if number < 0 and low >= 0:
        raise InputInvalid(field, f"The {label.lower()} cannot be negative.")
    if not low <= number <= high:
        raise InputInvalid(field, f"The {label.lower()} must be between {unit}{low:g} and {unit}{high:g}.")
    return number
