"""Scenarios: named rosters with their inputs; clone, edit, check, publish.

A scenario's cells live in ``scenario_shifts``; manual edits are pinned so
later solves keep them. Publishing copies a scenario's cells into
``published_shifts``, the official roster the live operations page reads.
Every change is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from data import audit
from data.models import Staff
from data.roster_inputs import InputInvalid, ScenarioInputs, validate_horizon
from data.roster_models import PlannerSettings, PublishedShift, Scenario, ScenarioShift, ShiftTemplate
from data.roster_problem import BuiltProblem, build_problem, parse_template_key, template_key
from data.roster_results import summarize
from planner import Assignment, SolveResult, evaluate
from planner.check import Evaluation


class ScenarioNotFound(LookupError):
    pass


def _audit(s: Session, actor: str, action: str, scenario_id: int, old, new, now: dt.datetime) -> None:
    audit.record(s, actor=actor, action=action, entity="scenario", entity_id=scenario_id, old=old, new=new, at=now)


def default_inputs(s: Session, weeks: int) -> ScenarioInputs:
    """Scenario inputs from the practice's saved labor rules and budget."""
    from data.roster_inputs import LaborRules

    return ScenarioInputs(rules=LaborRules.from_settings(s.get(PlannerSettings, 1), weeks))


def create_scenario(
    s: Session, *, name: str, start: object, weeks: object, inputs: ScenarioInputs, actor: str,
    now: dt.datetime, kind: str = "plan", parent_id: int | None = None,
) -> Scenario:
    """Validate and save a new, unsolved scenario."""
    name = (name or "").strip()
    if not name:
        raise InputInvalid("name", "Give the scenario a name.")
    if len(name) > 120:
        raise InputInvalid("name", "Keep the name under 120 characters.")
    start_d, weeks_i = validate_horizon(start, weeks)
    inputs.rules.validate()
    inputs.levers.validate(start_d, weeks_i)
    scenario = Scenario(name=name, start_date=start_d, weeks=weeks_i, inputs=inputs.to_json(), kind=kind,
                        parent_id=parent_id, status="draft", created_at=now, created_by=actor, updated_at=now)
    s.add(scenario)
    s.flush()
    _audit(s, actor, "scenario.create", scenario.id, None,
           {"name": name, "start": start_d, "weeks": weeks_i, "kind": kind, "parent": parent_id}, now)
    s.commit()
    return scenario


def get_scenario(s: Session, scenario_id: int) -> Scenario:
    scenario = s.get(Scenario, scenario_id)
    if scenario is None or scenario.status == "archived":
        raise ScenarioNotFound(f"Scenario {scenario_id} does not exist (or was deleted).")
    return scenario


def list_scenarios(s: Session) -> pd.DataFrame:
    rows = s.scalars(select(Scenario).where(Scenario.status != "archived").order_by(Scenario.id.desc())).all()
    return pd.DataFrame(
        [{"id": r.id, "name": r.name, "start": r.start_date, "weeks": r.weeks, "status": r.status, "kind": r.kind,
          "parent_id": r.parent_id, "created_by": r.created_by, "updated_at": r.updated_at,
          "figures": (r.summary or {}).get("figures")} for r in rows],
        columns=["id", "name", "start", "weeks", "status", "kind", "parent_id", "created_by", "updated_at", "figures"],
    )


def clone_scenario(
    s: Session, scenario_id: int, *, name: str, actor: str, now: dt.datetime, inputs: ScenarioInputs | None = None,
) -> Scenario:
    """A copy with its roster (to start the next solve from) and its manual edits."""
    parent = get_scenario(s, scenario_id)
    clone = create_scenario(
        s, name=name, start=parent.start_date, weeks=parent.weeks,
        inputs=inputs or ScenarioInputs.from_json(parent.inputs), actor=actor, now=now, parent_id=parent.id,
        kind=parent.kind,
    )
    for cell in parent.shifts:
        s.add(ScenarioShift(scenario_id=clone.id, person=cell.person, day=cell.day, template_id=cell.template_id,
                            pinned=cell.pinned, source=cell.source))
    s.commit()
    return clone


def update_inputs(s: Session, scenario_id: int, inputs: ScenarioInputs, *, actor: str, now: dt.datetime) -> Scenario:
    scenario = get_scenario(s, scenario_id)
    inputs.rules.validate()
    inputs.levers.validate(scenario.start_date, scenario.weeks)
    old = scenario.inputs
    scenario.inputs = inputs.to_json()
    scenario.updated_at = now
    if scenario.status in ("solved", "published"):
        scenario.status = "draft"  # its roster was solved for other inputs (what was published stays official)
    _audit(s, actor, "scenario.inputs", scenario_id, old, scenario.inputs, now)
    s.commit()
    return scenario


def archive_scenario(s: Session, scenario_id: int, *, actor: str, now: dt.datetime) -> None:
    scenario = get_scenario(s, scenario_id)
    if scenario.status == "published":
        raise InputInvalid("scenario", "A published roster cannot be deleted; publish another one first.")
    scenario.status = "archived"
    _audit(s, actor, "scenario.delete", scenario_id, {"name": scenario.name}, None, now)
    s.commit()


@dataclass
class Cell:
    person: str
    day: dt.date
    template_id: int | None
    pinned: bool


def cells(s: Session, scenario_id: int) -> list[Cell]:
    rows = s.scalars(select(ScenarioShift).where(ScenarioShift.scenario_id == scenario_id)
                     .order_by(ScenarioShift.person, ScenarioShift.day)).all()
    return [Cell(r.person, r.day, r.template_id, r.pinned) for r in rows]


def build_for(s: Session, scenario: Scenario, *, repair: bool = False) -> BuiltProblem:
    """The engine problem for a scenario, with its manual edits pinned."""
    inputs = ScenarioInputs.from_json(scenario.inputs)
    pins = [(c.person, c.day, c.template_id) for c in cells(s, scenario.id) if c.pinned]
    return build_problem(s, scenario.start_date, scenario.weeks, inputs, pins=pins,
                         repair_against_published=repair or scenario.kind == "repair")


def assignments(built: BuiltProblem, scenario: Scenario, scenario_cells: list[Cell]) -> list[Assignment]:
    """The scenario's working cells as engine assignments (days off dropped)."""
    out = []
    for c in scenario_cells:
        role = built.person_role.get(c.person)
        if c.template_id is None or role is None:
            continue
        out.append(Assignment(c.person, (c.day - scenario.start_date).days, template_key(c.template_id, role)))
    return out


def check(s: Session, scenario_id: int) -> tuple[BuiltProblem, Evaluation]:
    """Run the independent checker over the scenario's current cells (hand edits included)."""
    scenario = get_scenario(s, scenario_id)
    built = build_for(s, scenario)
    return built, evaluate(built.problem, assignments(built, scenario, cells(s, scenario_id)))


def set_cell(
    s: Session, scenario_id: int, person: str, day: dt.date, template_id: int | None, *, actor: str, now: dt.datetime,
) -> None:
    """A manual edit: ``template_id`` to work that shift, None for a day off. Pinned."""
    scenario = get_scenario(s, scenario_id)
    if not 0 <= (day - scenario.start_date).days < 7 * scenario.weeks:
        raise InputInvalid("day", "That day is outside the scenario's dates.")
    if template_id is not None and s.get(ShiftTemplate, template_id) is None:
        raise InputInvalid("template", "That shift no longer exists.")
    cell = s.scalars(select(ScenarioShift).where(ScenarioShift.scenario_id == scenario_id,
                                                 ScenarioShift.person == person, ScenarioShift.day == day)).first()
    old = None if cell is None else {"template_id": cell.template_id, "pinned": cell.pinned}
    if cell is None:
        cell = ScenarioShift(scenario_id=scenario_id, person=person, day=day)
        s.add(cell)
    cell.template_id, cell.pinned, cell.source = template_id, True, "manual"
    scenario.updated_at = now
    _changed_since_publishing(scenario)
    _audit(s, actor, "scenario.edit_cell", scenario_id, old,
           {"person": person, "day": day, "template_id": template_id, "pinned": True}, now)
    s.commit()


def unpin_cell(s: Session, scenario_id: int, person: str, day: dt.date, *, actor: str, now: dt.datetime) -> None:
    """Let the solver decide this cell again."""
    get_scenario(s, scenario_id)
    result = s.execute(update(ScenarioShift).where(
        ScenarioShift.scenario_id == scenario_id, ScenarioShift.person == person, ScenarioShift.day == day
    ).values(pinned=False, source="solver"))
    if result.rowcount:
        _audit(s, actor, "scenario.unpin_cell", scenario_id, {"person": person, "day": day}, None, now)
    s.commit()


def save_result(s: Session, scenario_id: int, built: BuiltProblem, result: SolveResult, now: dt.datetime,
                *, interim: bool = False) -> None:
    """Replace the solver's cells with the new roster (pinned cells stay) and store the figures.

    ``interim``: the best roster so far of a solve still running, shown while it
    improves; the scenario's inputs are unchanged (``updated_at`` stays) and it
    becomes publishable only with the final result.
    """
    scenario = get_scenario(s, scenario_id)
    summary = summarize(built, result)
    summary["interim"] = interim
    summary["saved_at"] = now.isoformat()
    scenario.summary = summary
    if not interim:
        scenario.updated_at = now
    if result.has_roster:
        pinned = {(c.person, c.day) for c in cells(s, scenario_id) if c.pinned}
        s.execute(delete(ScenarioShift).where(ScenarioShift.scenario_id == scenario_id, ScenarioShift.pinned.is_(False)))
        for a in result.assignments:
            day = scenario.start_date + dt.timedelta(days=a.day)
            if (a.staff, day) in pinned:
                continue
            tid, _ = parse_template_key(a.template)
            s.add(ScenarioShift(scenario_id=scenario_id, person=a.staff, day=day, template_id=tid, source="solver"))
        if not interim:
            if scenario.status == "draft":
                scenario.status = "solved"
            _changed_since_publishing(scenario)
    s.commit()


def _changed_since_publishing(scenario: Scenario) -> None:
    """A published scenario whose roster changes (a new solve, a hand edit) is no longer
    the official roster: what was published stays official until it is published again."""
    if scenario.status == "published":
        scenario.status = "solved"


def roster_saved_at(s: Session, scenario_id: int) -> str | None:
    """When the scenario's roster and figures were last stored (None before any solve)."""
    summary = s.scalar(select(Scenario.summary).where(Scenario.id == scenario_id))
    return (summary or {}).get("saved_at")


def publish(s: Session, scenario_id: int, *, actor: str, now: dt.datetime) -> int:
    """Make a scenario the official roster for its dates. Returns the shifts published."""
    scenario = get_scenario(s, scenario_id)
    if scenario.status not in ("solved", "published") or not scenario.summary:
        raise InputInvalid("publish", "Solve this scenario before publishing it.")
    if scenario.summary.get("interim"):
        raise InputInvalid("publish", "This roster is from a solve that has not finished; wait for it or solve "
                                      "again before publishing.")
    working = [c for c in cells(s, scenario_id) if c.template_id is not None]
    if any(c.person.startswith("h") for c in working):
        raise InputInvalid("publish", "This scenario uses hypothetical hires; a roster with people who do not "
                                      "work here yet cannot be published.")
    if not working:
        raise InputInvalid("publish", "This scenario has no shifts to publish.")
    _, evaluation = check(s, scenario_id)
    if evaluation.violations:  # hand edits, or inputs that changed since the solve (a license lapsed, say)
        shown = [v.sentence for v in evaluation.violations[:3]]
        more = len(evaluation.violations) - len(shown)
        raise InputInvalid("publish", f"This roster breaks {len(evaluation.violations)} rule(s), so it cannot be "
                                      "published: " + " ".join(shown) + (f" (and {more} more)" if more else "")
                                      + " Change those cells in the Edit tab or solve again.")
    start, end = scenario.start_date, scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)
    templates = {t.id: t for t in s.scalars(select(ShiftTemplate))}
    active_staff = set(s.scalars(select(Staff.id).where(Staff.active)))
    replaced = delete(PublishedShift).where(PublishedShift.day >= start, PublishedShift.day <= end)
    location_ids = ScenarioInputs.from_json(scenario.inputs).location_ids
    if location_ids:  # a roster for some locations leaves the others' published shifts alone
        replaced = replaced.where(PublishedShift.location_id.in_(location_ids))
    s.execute(replaced)
    count = 0
    for c in working:
        staff_id = int(c.person[1:])
        if staff_id not in active_staff:
            continue
        t = templates[c.template_id]
        s.add(PublishedShift(staff_id=staff_id, location_id=t.location_id, template_id=t.id, day=c.day,
                             start_at=dt.datetime.combine(c.day, t.start_time),
                             end_at=dt.datetime.combine(c.day, t.end_time), scenario_id=scenario_id,
                             published_at=now))
        count += 1
    for other in s.scalars(select(Scenario).where(Scenario.status == "published", Scenario.id != scenario_id)):
        other_end = other.start_date + dt.timedelta(days=7 * other.weeks - 1)
        if other.start_date <= end and other_end >= start:
            other.status = "solved"  # its dates are now (at least partly) covered by this one
    scenario.status, scenario.published_at, scenario.published_by = "published", now, actor
    _audit(s, actor, "roster.publish", scenario_id, None,
           {"name": scenario.name, "from": start, "to": end, "shifts": count}, now)
    s.commit()
    return count


def published_frame(s: Session, start: dt.date, end: dt.date) -> pd.DataFrame:
    """The official roster between two dates: one row per shift."""
    rows = s.execute(
        select(PublishedShift.staff_id, Staff.first_name, Staff.last_name, PublishedShift.day,
               PublishedShift.template_id, PublishedShift.location_id, PublishedShift.start_at,
               PublishedShift.end_at, PublishedShift.scenario_id)
        .join(Staff, Staff.id == PublishedShift.staff_id)
        .where(PublishedShift.day >= start, PublishedShift.day <= end)
        .order_by(PublishedShift.day, PublishedShift.start_at)
    ).all()
    return pd.DataFrame(rows, columns=["staff_id", "first_name", "last_name", "day", "template_id", "location_id",
                                       "start_at", "end_at", "scenario_id"])
