"""ClinicOps rostering engine: problem types, CP-SAT solve, checker, explanations.

Pure Python over OR-Tools CP-SAT; imports neither streamlit nor sqlalchemy.
"""

from planner.check import Evaluation, Penalty, Violation, evaluate
from planner.domain import (
    Assignment,
    Budget,
    ForbiddenSequence,
    Overtime,
    Pin,
    Problem,
    Request,
    Role,
    ShiftCover,
    ShiftTemplate,
    Skill,
    Staff,
    Unavailability,
    Weights,
    WindowCover,
)
from planner.repair import sick_call
from planner.result import Conflict, CostReport, CoverageRow, PersonSummary, Progress, SolveResult, Status
from planner.solve import roster_result, solve
from planner.validate import validate

__all__ = [
    "Assignment", "Budget", "Conflict", "CostReport", "CoverageRow", "Evaluation",
    "ForbiddenSequence", "Overtime", "Penalty", "PersonSummary", "Pin", "Problem", "Progress",
    "Request", "Role", "ShiftCover", "ShiftTemplate", "Skill", "SolveResult", "Staff", "Status",
    "Unavailability", "Violation", "Weights", "WindowCover", "evaluate", "roster_result", "sick_call", "solve",
    "validate",
]
