"""Tables of the what-if staff planner: inputs, scenarios, solve jobs, published rosters.

Kept apart from ``data.models`` so the planner's schema reads as one piece;
the classes share the same declarative ``Base`` (``data.models`` imports this
module, so every table is on ``Base.metadata`` for Alembic and the tests).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.models import Base, Location, Role, Staff


class ShiftTemplate(Base):
    """A kind of shift a location offers, e.g. 07:30-16:00 with a 30-minute unpaid lunch."""

    __tablename__ = "shift_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(60))
    start_time: Mapped[dt.time]
    end_time: Mapped[dt.time]
    unpaid_break_minutes: Mapped[int] = mapped_column(default=0)
    # Comma-separated weekdays the shift is offered (0 = Monday).
    weekdays: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    active: Mapped[bool] = mapped_column(default=True)

    location: Mapped[Location] = relationship()

    __table_args__ = (
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("unpaid_break_minutes >= 0", name="break_nonnegative"),
    )


class CoverageRequirement(Base):
    """How many people of a role a location needs on a weekday during a time window."""

    __tablename__ = "coverage_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[dt.time]
    end_time: Mapped[dt.time]
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    minimum: Mapped[int]
    preferred: Mapped[int | None]

    location: Mapped[Location] = relationship()
    role: Mapped[Role] = relationship()

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("minimum >= 0", name="minimum_nonnegative"),
        CheckConstraint("preferred IS NULL OR preferred >= minimum", name="preferred_at_least_minimum"),
    )


class TimeOff(Base):
    """Leave or unavailability: approved is a hard rule, requested a wish."""

    __tablename__ = "time_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date]
    kind: Mapped[str] = mapped_column(String(16), default="leave")  # leave, unavailable, sick
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested, approved, denied
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime]

    staff: Mapped[Staff] = relationship()

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("status IN ('requested', 'approved', 'denied')", name="status"),
    )


class ShiftPreference(Base):
    """A standing wish: work (or not) a weekday, optionally a particular shift."""

    __tablename__ = "shift_preferences"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int | None]
    template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id", ondelete="CASCADE"))
    wants_to_work: Mapped[bool]
    weight: Mapped[int] = mapped_column(default=2)

    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 10", name="weight_range"),)


class PlannerSettings(Base):
    """The practice's labor rules and budget in the manager's terms (one row)."""

    __tablename__ = "planner_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_hours_per_day: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("10"))
    max_hours_per_week: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("48"))
    min_rest_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("10"))
    max_consecutive_days: Mapped[int] = mapped_column(default=5)
    max_weekends_per_4_weeks: Mapped[int] = mapped_column(default=2)
    overtime_threshold_hours: Mapped[Decimal] = mapped_column(Numeric(4, 1), default=Decimal("40"))
    overtime_multiplier: Mapped[Decimal] = mapped_column(Numeric(3, 2), default=Decimal("1.5"))
    weekly_budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # dollars
    budget_is_hard: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime | None]


class Scenario(Base):
    """A named roster for a period with the inputs and what-if levers it was built from."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    start_date: Mapped[dt.date]
    weeks: Mapped[int]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16), default="plan")  # plan, repair
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft, solved, published, archived
    # Rules, budget and levers (people away, hires, demand %, ...) as entered.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Last solve's figures for comparison: cost, overtime, shortfall, requests, fairness.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime]
    published_at: Mapped[dt.datetime | None]
    published_by: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(default=1)

    shifts: Mapped[list[ScenarioShift]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("weeks BETWEEN 1 AND 8", name="weeks_range"),
        CheckConstraint("status IN ('draft', 'solved', 'published', 'archived')", name="status"),
    )


class ScenarioShift(Base):
    """One cell of a scenario's roster. ``person`` is ``s<staff id>`` or ``h<n>`` for a
    hypothetical hire; ``pinned`` cells (manual edits) stay fixed in later solves."""

    __tablename__ = "scenario_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(16))
    day: Mapped[dt.date]
    template_id: Mapped[int | None] = mapped_column(ForeignKey("shift_templates.id"))  # None = pinned day off
    pinned: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(16), default="solver")  # solver, manual

    scenario: Mapped[Scenario] = relationship(back_populates="shifts")

    __table_args__ = (
        UniqueConstraint("scenario_id", "person", "day", name="uq_scenario_shifts_cell"),
        Index("ix_scenario_shifts_scenario", "scenario_id"),
    )


class SolveJob(Base):
    """A solve request and its progress; any worker (in the app or on another
    machine) claims queued jobs, so a solve survives a page reload."""

    __tablename__ = "solve_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, done, failed, stopped
    time_limit_s: Mapped[float]
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[dt.datetime | None]  # a running job whose worker stops beating is requeued
    stop_requested: Mapped[bool] = mapped_column(default=False)
    best_objective: Mapped[float | None]
    best_bound: Mapped[float | None]
    elapsed_s: Mapped[float | None]
    first_roster_s: Mapped[float | None]
    solutions: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'stopped')", name="status"),
        CheckConstraint("time_limit_s > 0", name="time_limit_positive"),
        Index("ix_solve_jobs_status", "status", "requested_at"),
    )


class PublishedShift(Base):
    """The official roster: who works where and when, as published."""

    __tablename__ = "published_shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    template_id: Mapped[int] = mapped_column(ForeignKey("shift_templates.id"))
    day: Mapped[dt.date]
    start_at: Mapped[dt.datetime]
    end_at: Mapped[dt.datetime]
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime]

    staff: Mapped[Staff] = relationship()

    __table_args__ = (
        Index("ix_published_shifts_day", "day"),
        Index("ix_published_shifts_start_end", "start_at", "end_at"),
        UniqueConstraint("staff_id", "day", name="uq_published_shifts_staff_day"),
    )
