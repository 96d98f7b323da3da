"""Plain-data results that pages can render without knowing about CP-SAT."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from planner.check import Penalty, Violation
from planner.domain import Assignment


class Status(str, Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    STOPPED = "stopped"
    INVALID = "invalid input"
    UNKNOWN = "no roster found"


@dataclass
class Progress:
    """Reported on every improving roster; ``objective``/``bound`` are in points.

    ``assignments`` is that roster itself when the caller asked for it
    (``solve(..., progress_rosters=True)``), so a page can show it at once.
    """

    objective: float
    bound: float | None  # None until a bound is known (during the LNS stage)
    elapsed: float
    assignments: list[Assignment] | None = None

    @property
    def gap(self) -> float | None:
        return None if self.bound is None else relative_gap(self.objective, self.bound)


def relative_gap(objective: float, bound: float) -> float:
    if objective == bound:
        return 0.0
    return abs(objective - bound) / max(abs(objective), 1e-9)


@dataclass
class CostReport:
    """Labour cost in cents (rounded once from exact values)."""

    regular_cents: int = 0
    overtime_cents: int = 0
    total_cents: int = 0
    budget_cents: int | None = None
    over_budget_cents: int = 0
    per_role: dict[str, int] = field(default_factory=dict)
    per_week: list[int] = field(default_factory=list)


@dataclass
class CoverageRow:
    """One need: who, where, when, how many required and scheduled."""

    day: int
    when: str
    who: str
    required: int
    preferred: int
    scheduled: int
    hard: bool

    @property
    def short(self) -> int:
        return max(0, self.required - self.scheduled)


@dataclass
class PersonSummary:
    staff: str
    name: str
    role: str | None
    shifts: int
    minutes: int
    overtime_minutes: int
    weekends: int
    late_shifts: int
    cost_cents: int


@dataclass
class Conflict:
    """Why no roster exists: a small set of clashing rules, and what to relax."""

    sentences: list[str]
    relax: list[str]


@dataclass
class SolveResult:
    status: Status
    assignments: list[Assignment] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_time: float = 0.0
    time_to_best: float | None = None
    build_time: float = 0.0
    penalties: list[Penalty] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    cost: CostReport | None = None
    coverage: list[CoverageRow] = field(default_factory=list)
    people: list[PersonSummary] = field(default_factory=list)
    conflict: Conflict | None = None
    errors: list[str] = field(default_factory=list)
    solutions: int = 0

    @property
    def has_roster(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE, Status.STOPPED) and self.solutions > 0

    def penalties_by_rule(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.penalties:
            out[p.rule] = out.get(p.rule, 0.0) + float(p.points)
        return out
