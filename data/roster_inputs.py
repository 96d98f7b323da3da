"""The planner's inputs in the manager's terms: labor rules, budget and what-if levers.

Plain dataclasses that travel as JSON inside a scenario, so a saved scenario
keeps exactly the rules and levers it was solved with. Every field is checked
here with a message for the form field it came from; nothing invalid is saved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from data.roster_models import PlannerSettings

MAX_WEEKS = 8


class InputInvalid(ValueError):
    """One invalid input; ``field`` names the form field, the message is for people."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class LaborRules:
    max_hours_per_day: float = 10.0
    max_hours_per_week: float = 48.0
    min_rest_hours: float = 10.0
    max_consecutive_days: int = 5
    max_weekends_per_4_weeks: int = 2
    overtime_threshold_hours: float = 40.0
    overtime_multiplier: float = 1.5
    budget: float | None = None  # dollars for the whole horizon
    budget_is_hard: bool = False

    def validate(self) -> None:
        """Raise ``InputInvalid`` for the first rule a manager must fix."""
        _range("max_hours_per_day", self.max_hours_per_day, 1, 24, "Maximum hours per day")
        _range("max_hours_per_week", self.max_hours_per_week, 1, 100, "Maximum hours per week")
        if self.max_hours_per_week < self.max_hours_per_day:
            raise InputInvalid("max_hours_per_week", "Maximum hours per week cannot be less than per day.")
        _range("min_rest_hours", self.min_rest_hours, 0, 24, "Minimum rest between shifts")
        _range("max_consecutive_days", self.max_consecutive_days, 1, 14, "Maximum consecutive days")
        _range("max_weekends_per_4_weeks", self.max_weekends_per_4_weeks, 0, 4, "Weekends per 4 weeks")
        _range("overtime_threshold_hours", self.overtime_threshold_hours, 0, 100, "Overtime after")
        _range("overtime_multiplier", self.overtime_multiplier, 1, 3, "Overtime pay multiplier")
        if self.budget is not None and self.budget <= 0:
            raise InputInvalid("budget", "The labor budget must be more than $0, or left empty for no budget.")

    @classmethod
    def from_settings(cls, settings: PlannerSettings | None, weeks: int) -> LaborRules:
        if settings is None:
            return cls()
        return cls(
            max_hours_per_day=float(settings.max_hours_per_day),
            max_hours_per_week=float(settings.max_hours_per_week),
            min_rest_hours=float(settings.min_rest_hours),
            max_consecutive_days=settings.max_consecutive_days,
            max_weekends_per_4_weeks=settings.max_weekends_per_4_weeks,
            overtime_threshold_hours=float(settings.overtime_threshold_hours),
            overtime_multiplier=float(settings.overtime_multiplier),
            budget=float(settings.weekly_budget) * weeks if settings.weekly_budget is not None else None,
            budget_is_hard=settings.budget_is_hard,
        )

    def apply_to(self, settings: PlannerSettings, weeks: int, now: dt.datetime) -> None:
        """Store these rules as the practice defaults (budget per week)."""
        settings.max_hours_per_day = Decimal(str(self.max_hours_per_day))
        settings.max_hours_per_week = Decimal(str(self.max_hours_per_week))
        settings.min_rest_hours = Decimal(str(self.min_rest_hours))
        settings.max_consecutive_days = self.max_consecutive_days
        settings.max_weekends_per_4_weeks = self.max_weekends_per_4_weeks
        settings.overtime_threshold_hours = Decimal(str(self.overtime_threshold_hours))
        settings.overtime_multiplier = Decimal(str(self.overtime_multiplier))
        settings.weekly_budget = None if self.budget is None else Decimal(str(round(self.budget / weeks, 2)))
        settings.budget_is_hard = self.budget_is_hard
        settings.updated_at = now


def _range(name: str, value: float, low: float, high: float, label: str) -> None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputInvalid(name, f"{label} must be a number.") from None
    if not low <= number <= high:
        raise InputInvalid(name, f"{label} must be between {low:g} and {high:g}.")


@dataclass
class Away:
    """A person away (what-if, or a sick call) from ``start`` to ``end`` inclusive."""

    staff_id: int
    start: dt.date
    end: dt.date
    reason: str = "away"


@dataclass
class Hire:
    """A hypothetical new hire: role, contracted hours per week, pay rate."""

    role: str
    hours_per_week: float
    rate: float
    location_id: int | None = None
    label: str = ""


@dataclass
class Levers:
    away: list[Away] = field(default_factory=list)
    hires: list[Hire] = field(default_factory=list)
    demand_pct: float = 100.0

    def validate(self, start: dt.date, weeks: int) -> None:
        end = start + dt.timedelta(days=7 * weeks - 1)
        for a in self.away:
            if a.end < a.start:
                raise InputInvalid("away", "An absence cannot end before it starts.")
            if a.end < start or a.start > end:
                raise InputInvalid("away", "The absence falls outside the scenario's dates.")
        for h in self.hires:
            if not 0 < h.hours_per_week <= 60:
                raise InputInvalid("hires", "A hire's hours per week must be between 1 and 60.")
            if not 0 < h.rate <= 500:
                raise InputInvalid("hires", "A hire's pay rate must be between $1 and $500 per hour.")
        if not 10 <= self.demand_pct <= 300:
            raise InputInvalid("demand_pct", "Demand must be between 10% and 300% of the usual need.")


@dataclass
class ScenarioInputs:
    """Everything a scenario was built from, besides the practice's own tables."""

    rules: LaborRules = field(default_factory=LaborRules)
    levers: Levers = field(default_factory=Levers)
    location_ids: list[int] | None = None  # None = every location
    auto_publish: bool = False  # publish as soon as solved (the demo practice's own roster)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for a in data["levers"]["away"]:
            a["start"], a["end"] = a["start"].isoformat(), a["end"].isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ScenarioInputs:
        if not data:
            return cls()
        levers = data.get("levers", {})
        return cls(
            rules=LaborRules(**data.get("rules", {})),
            levers=Levers(
                away=[Away(a["staff_id"], dt.date.fromisoformat(a["start"]), dt.date.fromisoformat(a["end"]),
                           a.get("reason", "away")) for a in levers.get("away", [])],
                hires=[Hire(**h) for h in levers.get("hires", [])],
                demand_pct=levers.get("demand_pct", 100.0),
            ),
            location_ids=data.get("location_ids"),
            auto_publish=bool(data.get("auto_publish", False)),
        )


def validate_horizon(start: object, weeks: object) -> tuple[dt.date, int]:
    if not isinstance(start, dt.date):
        raise InputInvalid("start", "Choose the first day of the roster.")
    try:
        weeks_i = int(weeks)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputInvalid("weeks", "The horizon must be a whole number of weeks.") from None
    if not 1 <= weeks_i <= MAX_WEEKS:
        raise InputInvalid("weeks", f"The horizon must be between 1 and {MAX_WEEKS} weeks.")
    return start, weeks_i
