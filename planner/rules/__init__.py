"""Rule builders: one small function per business rule, each with a human name.

Every function takes the shared ``Model`` and either adds hard constraints
(grouped behind assumption literals for explanations) or objective terms named
after the rule. ``HARD_RULES`` and ``SOFT_RULES`` list them in build order.
"""

from planner.rules.calendar import approved_leave, pinned_assignments, requests, changes_from_reference
from planner.rules.cost import labour_budget, wages_and_overtime
from planner.rules.cover import shift_cover, window_cover
from planner.rules.fairness import fair_hours, fair_late_shifts, fair_weekends
from planner.rules.patterns import run_pattern_flow
from planner.rules.labour import (
    forbidden_sequences,
    max_consecutive_days,
    max_minutes_per_week,
    max_minutes_total,
    max_shifts_per_template,
    max_weekends,
    min_consecutive_days,
    min_consecutive_days_off,
    min_minutes_per_week,
    min_minutes_total,
    min_rest,
)

HARD_RULES = [
    approved_leave,
    pinned_assignments,
    max_shifts_per_template,
    max_minutes_total,
    min_minutes_total,
    max_minutes_per_week,
    min_minutes_per_week,
    max_consecutive_days,
    min_consecutive_days,
    min_consecutive_days_off,
    max_weekends,
    forbidden_sequences,
    min_rest,
]

# Implied by the rules above; added to the full model only (see planner.build).
REDUNDANT_RULES = [run_pattern_flow]

# Cover rules add both hard needs and soft terms; cost rules add a hard cap or terms.
SOFT_RULES = [
    shift_cover,
    window_cover,
    requests,
    wages_and_overtime,
    labour_budget,
    fair_weekends,
    fair_late_shifts,
    fair_hours,
    changes_from_reference,
]

__all__ = ["HARD_RULES", "REDUNDANT_RULES", "SOFT_RULES"]
