"""The staffing question: how many more people of a role would meet coverage, at what cost?

Answered by the optimizer, not by a rule of thumb: the base scenario is
re-solved with one, two, ... hypothetical hires of the role, each as its own
scenario (so the rosters can be opened and compared), and the smallest number
with no coverage shortfall is the answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Role
from data.roster_inputs import Hire, InputInvalid, ScenarioInputs
from data.roster_models import Scenario
from data.scenarios import clone_scenario, get_scenario
from data.solve_jobs import ACTIVE, enqueue, latest_job

STAFFING_PREFIX = "Staffing check: "


def ask_staffing_question(
    s: Session, base_id: int, role: str, most: int, hours: float, rate: float, time_limit_s: float,
    *, actor: str, now: dt.datetime,
) -> list[int]:
    """Queue one solve per number of extra people (1..most); returns the new scenario ids."""
    base = get_scenario(s, base_id)
    role_row = s.scalars(select(Role).where(Role.code == role)).first()
    if role_row is None or role_row.is_provider:
        raise InputInvalid("role", "Choose a role the planner rosters.")
    if not 1 <= most <= 4:
        raise InputInvalid("most", "Ask about one to four extra people.")
    if not base.summary or not base.summary.get("figures"):
        raise InputInvalid("base", "Solve the starting scenario first, so there is something to compare with.")
    for old in s.scalars(select(Scenario).where(Scenario.parent_id == base_id, Scenario.name.like(f"{STAFFING_PREFIX}%"),
                                                Scenario.status != "archived")):
        old.status = "archived"  # a new question replaces the previous answer
    s.commit()
    created = []
    for extra in range(1, most + 1):
        inputs = ScenarioInputs.from_json(base.inputs)
        inputs.levers.hires += [Hire(role, hours, rate, label=f"Extra {role_row.name.lower()} {i + 1}")
                                for i in range(extra)]
        clone = clone_scenario(s, base_id, name=f"{STAFFING_PREFIX}{base.name} + {extra} {role_row.name.lower()}",
                               inputs=inputs, actor=actor, now=now)
        enqueue(s, clone.id, time_limit_s, actor=actor, now=now)
        created.append(clone.id)
    return created


@dataclass
class StaffingAnswer:
    table: pd.DataFrame
    pending: int
    sentence: str | None


def staffing_answer(s: Session, base_id: int) -> StaffingAnswer:
    base = get_scenario(s, base_id)
    children = s.scalars(select(Scenario).where(
        Scenario.parent_id == base_id, Scenario.name.like(f"{STAFFING_PREFIX}%"), Scenario.status != "archived"
    ).order_by(Scenario.id)).all()
    if not children:
        return StaffingAnswer(pd.DataFrame(), 0, None)
    base_fig = (base.summary or {}).get("figures") or {}
    rows = [_row(0, base_fig, base_fig)]
    pending = 0
    role_label = ""
    for child in children:
        extra = len(ScenarioInputs.from_json(child.inputs).levers.hires) - len(ScenarioInputs.from_json(base.inputs).levers.hires)
        role_label = child.name.rsplit(" + ", 1)[-1].split(" ", 1)[-1]
        job = latest_job(s, child.id)
        figures = (child.summary or {}).get("figures")
        if job is not None and job.status in ACTIVE or figures is None:
            pending += 1
            rows.append({"Extra people": extra, "Coverage short (h)": None, "Below preferred (h)": None,
                         "Pay ($)": None, "Pay change ($)": None, "Status": "solving…"})
        else:
            rows.append(_row(extra, figures, base_fig))
    table = pd.DataFrame(rows)
    return StaffingAnswer(table, pending, None if pending else _sentence(table, role_label))


def _row(extra: int, figures: dict, base: dict) -> dict:
    pay = figures.get("cost")
    return {"Extra people": extra, "Coverage short (h)": figures.get("shortfall_hours"),
            "Below preferred (h)": figures.get("below_preferred_hours"), "Pay ($)": pay,
            "Pay change ($)": None if pay is None or base.get("cost") is None else round(pay - base["cost"], 2),
            "Status": "today" if extra == 0 else "solved"}


def _sentence(table: pd.DataFrame, role_label: str) -> str:
    met = table[table["Coverage short (h)"].fillna(1e9) <= 0.01]
    if met.empty:
        worst = table.iloc[-1]
        extra = int(worst["Extra people"])
        return (f"Even with {extra} more {_plural(role_label, extra)}, coverage is still short by "
                f"{worst['Coverage short (h)']:.1f} person-hours: look at shifts and rules, not only headcount.")
    first = met.iloc[0]
    n = int(first["Extra people"])
    if n == 0:
        return f"Coverage is already met without extra {_plural(role_label, 2)}."
    change = first["Pay change ($)"]
    return (f"{n} more {_plural(role_label, n)} would meet every coverage need; pay for the period changes by "
            f"{'+' if change >= 0 else '−'}${abs(change):,.0f} (to ${first['Pay ($)']:,.0f}).")


def _plural(label: str, n: int) -> str:
    return label if n == 1 or label.endswith("s") else label + "s"
