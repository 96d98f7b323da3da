"""Planning-input writes on SQLite and PostgreSQL: what is saved, what is audited
(old -> new), and that a refused write leaves every table as it was."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data import planning_store as store
from data.models import AuditEntry
from data.planning_checks import RowProblem, RowsInvalid
from data.roster_inputs import InputInvalid, LaborRules
from data.roster_models import (
    CoverageRequirement,
    PlannerSettings,
    Scenario,
    ScenarioShift,
    ShiftPreference,
    ShiftTemplate,
    TimeOff,
)
from tests.data.planning_practice import NOW, TODAY, build_planning_practice

ACTOR = "Omar Oak (omar)"


@pytest.fixture
def practice(engine):
    return build_planning_practice(engine)


def audit_rows(s: Session) -> list[tuple]:
    return [(a.action, a.entity, a.entity_id, a.old_value, a.new_value, a.actor)
            for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def template_rows(s: Session) -> list[store.TemplateRow]:
    return [store.TemplateRow(r.id, r.location_id, r.name, r.start_time, r.end_time, r.unpaid_break_minutes,
                              r.weekdays, r.active) for r in store.templates(s).itertuples()]


def snapshot(s: Session) -> tuple:
    """Every planning table and the audit log, to show a refused write changed nothing."""
    def rows(model):
        return sorted(tuple(getattr(r, c.key) for c in model.__table__.columns) for r in s.scalars(select(model)))
    return tuple(rows(m) for m in (ShiftTemplate, CoverageRequirement, TimeOff, ShiftPreference, PlannerSettings,
                                   AuditEntry))


def refuse_bad_template_rows(engine, practice) -> None:
    """A save with one good change and two bad rows: the problems, and nothing saved."""
    with Session(engine) as s:
        before = snapshot(s)
        rows = template_rows(s)
        rows[0].unpaid_break_minutes = 0  # a good change in the same save
        rows[1].end_time = dt.time(7, 0)  # Saturday ends before it starts
        rows.append(store.TemplateRow(None, practice["main"], "Night", "22:00", "06:00", 0, "Mon", True))
        with pytest.raises(RowsInvalid) as err:
            store.save_templates(s, rows, scope=None, actor=ACTOR, now=NOW)
        assert err.value.problems == [
            RowProblem(2, "end_time", "The shift ends at 07:00, before it starts at 08:00. Shifts cannot run past "
                                      "midnight."),
            RowProblem(4, "end_time", "The shift ends at 06:00, before it starts at 22:00. Shifts cannot run past "
                                      "midnight."),
        ]
        assert str(err.value) == "2 problems to fix; nothing was saved."
    with Session(engine) as s:
        assert snapshot(s) == before


def test_templates_bad_rows_save_nothing_good_rows_add_change_remove_and_audit(engine, practice):
    refuse_bad_template_rows(engine, practice)
    with Session(engine) as s:
        # "Day" at Riverside is used by a saved scenario; "Saturday" has a wish on it.
        scenario = Scenario(name="S", start_date=TODAY, weeks=1, created_at=NOW, created_by="t", updated_at=NOW)
        s.add(scenario)
        s.flush()
        s.add(ScenarioShift(scenario_id=scenario.id, person=f"s{practice['mo']}", day=TODAY,
                            template_id=practice["day"]))
        s.add(ShiftPreference(staff_id=practice["mia"], weekday=5, template_id=practice["sat"], wants_to_work=True,
                              weight=3))
        s.commit()
        version = store.templates_version(s)
        rows = template_rows(s)
        assert [r.name for r in rows] == ["Early", "Saturday", "Day"]
        rows[0].unpaid_break_minutes = 45
        del rows[1:]  # remove Saturday (unused) and Day (used by a scenario)
        rows.append(store.TemplateRow(None, practice["river"], "", "12:00", "20:00", 30, "Mon-Thu", True))
        result = store.save_templates(s, rows, scope=None, actor=ACTOR, now=NOW, expected=version)

    assert (result.added, result.updated, result.removed, result.deactivated) == (1, 1, 1, 1)
    assert result.warnings == ["1 removed shift is still used by saved or published rosters, so kept as inactive."]
    with Session(engine) as s:
        saved = store.templates(s)
        assert saved[["location", "name", "start_time", "end_time", "unpaid_break_minutes", "days", "paid_hours",
                      "active"]].values.tolist() == [
            ["Main", "Early", dt.time(7), dt.time(15, 30), 45, "Mon-Fri", 7.75, True],
            ["Riverside", "Day", dt.time(8), dt.time(16, 30), 30, "Mon-Fri", 8.0, False],
            ["Riverside", "12:00-20:00", dt.time(12), dt.time(20), 30, "Mon-Thu", 7.5, True],
        ]
        assert s.scalar(select(func.count()).select_from(ShiftPreference)) == 0
        new_id = int(saved["id"].iloc[2])
        assert audit_rows(s) == [
            ("shift_template.update", "shift_template", str(practice["early"]), {"unpaid_break_minutes": 30},
             {"unpaid_break_minutes": 45}, ACTOR),
            ("shift_template.create", "shift_template", str(new_id), None,
             {"location_id": practice["river"], "name": "12:00-20:00", "start_time": "12:00:00",
              "end_time": "20:00:00", "unpaid_break_minutes": 30, "weekdays": "0,1,2,3", "active": True}, ACTOR),
            ("shift_template.deactivate", "shift_template", str(practice["day"]), {"active": True},
             {"active": False, "why": "used by saved or published rosters"}, ACTOR),
            ("shift_preference.delete", "shift_preference", audit_rows(s)[3][2],
             {"staff_id": practice["mia"], "weekday": 5, "template_id": practice["sat"], "wants_to_work": True,
              "weight": 3}, None, ACTOR),
            ("shift_template.delete", "shift_template", str(practice["sat"]),
             {"location_id": practice["main"], "name": "Saturday", "start_time": "08:00:00", "end_time": "12:00:00",
              "unpaid_break_minutes": 0, "weekdays": "5", "active": True}, None, ACTOR),
        ]


def test_coverage_checks_qualifications_audits_refuses_stale_saves_and_replaces_by_location(engine, practice):
    with Session(engine) as s:
        rows = store.coverage_rows(store.coverage(s))
        before = snapshot(s)
        tech = store.CoverageRow(None, practice["main"], "Tue", "08:00", "12:00", practice["role_tech"], 1, None)
        with pytest.raises(RowsInvalid) as err:
            store.save_coverage(s, [*rows, tech], scope=None, actor=ACTOR, now=NOW)
        assert err.value.problems == [RowProblem(
            3, "role_id", "No one is qualified to work as Lab tech: Tom Teller: Tech license expired on 21 Jan 2026.")]
        assert snapshot(s) == before

        rows[0].preferred = None  # Main, Mon, MA: 2 preferred 3 -> 2
        rows.append(store.CoverageRow(None, practice["main"], "Tue", "13:00", "17:00", practice["role_rn"], 1, 2))
        del rows[1]  # Riverside RN need removed
        result = store.save_coverage(s, rows, scope=None, actor=ACTOR, now=NOW)
        assert (result.added, result.updated, result.removed) == (1, 1, 1)
    with Session(engine) as s:
        saved = store.coverage(s)
        assert saved[["location", "day", "start_time", "end_time", "role", "minimum"]].values.tolist() == [
            ["Main", "Mon", dt.time(8), dt.time(12), "Medical assistant", 2],
            ["Main", "Tue", dt.time(13), dt.time(17), "Registered nurse", 1],
        ]
        assert saved["preferred"].tolist() == [pd.NA, 2]
        assert [(a[0], a[3], a[4]) for a in audit_rows(s)] == [
            ("coverage.update", {"preferred": 3}, {"preferred": None}),
            ("coverage.create", None, {"location_id": practice["main"], "weekday": 1, "start_time": "13:00:00",
                                       "end_time": "17:00:00", "role_id": practice["role_rn"], "minimum": 1,
                                       "preferred": 2}),
            ("coverage.delete", {"location_id": practice["river"], "weekday": 0, "start_time": "08:00:00",
                                 "end_time": "12:00:00", "role_id": practice["role_rn"], "minimum": 1,
                                 "preferred": None}, None),
        ]

    # Someone else saved Main's coverage after this editor was loaded: refused, nothing saved.
    with Session(engine) as s:
        version = store.coverage_version(s, [practice["main"]])
        rows = store.coverage_rows(store.coverage(s, [practice["main"]]))
        other = store.coverage_rows(store.coverage(s, [practice["main"]]))
        other[0].minimum = 1
        store.save_coverage(s, other, scope=[practice["main"]], actor="Someone else", now=NOW, expected=version)
        before = snapshot(s)
        rows[0].minimum = 3
        with pytest.raises(store.TableChanged, match="Someone else saved the coverage requirements since you opened"):
            store.save_coverage(s, rows, scope=[practice["main"]], actor=ACTOR, now=NOW, expected=version)
        assert snapshot(s) == before

    # A proposal replaces the MA requirements of Main only: Main's nurse need and Riverside stay.
    with Session(engine) as s:
        ma = practice["role_ma"]
        proposal = [store.CoverageRow(None, practice["main"], d, "08:00", "17:00", ma, 1, None) for d in range(5)]
        with pytest.raises(InputInvalid, match="The proposal has rows for a location you did not choose."):
            store.replace_coverage(s, [practice["river"]], proposal, actor=ACTOR, now=NOW, role_ids=[ma])
        with pytest.raises(InputInvalid, match="The proposal has rows for a role it was not meant to replace."):
            store.replace_coverage(s, [practice["main"]], proposal, actor=ACTOR, now=NOW,
                                   role_ids=[practice["role_rn"]])
        result = store.replace_coverage(s, [practice["main"]], proposal, actor=ACTOR, now=NOW, role_ids=[ma])
        assert (result.added, result.updated, result.removed) == (5, 0, 1)
        saved = store.coverage(s)
        assert saved[["location", "day", "role", "minimum"]].values.tolist() == [
            ["Main", "Mon", "Medical assistant", 1],
            ["Main", "Tue", "Registered nurse", 1],
            ["Main", "Tue", "Medical assistant", 1],
            ["Main", "Wed", "Medical assistant", 1],
            ["Main", "Thu", "Medical assistant", 1],
            ["Main", "Fri", "Medical assistant", 1],
        ]


def test_time_off_add_approve_deny_and_refusals(engine, practice):
    with Session(engine) as s:
        first = store.add_time_off(s, staff_id=practice["mia"], start=TODAY + dt.timedelta(days=7),
                                   end=TODAY + dt.timedelta(days=11), kind="leave", status="requested",
                                   reason=" Vacation ", actor=ACTOR, now=NOW)
        before = snapshot(s)
        refusals = [
            (dict(staff_id=practice["mia"], start=TODAY + dt.timedelta(days=3), end=TODAY), "end_date",
             "The time off ends on 02 Mar 2026, before it starts on 05 Mar 2026."),
            (dict(staff_id=practice["mia"], start=TODAY + dt.timedelta(days=10), end=TODAY + dt.timedelta(days=12)),
             "start_date", "Mia Moss already has leave 09 Mar - 13 Mar 2026 (requested); change or remove that "
                           "entry instead of adding an overlapping one."),
            (dict(staff_id=practice["carl"], start=TODAY, end=TODAY), "staff",
             "Carl Cole is not active; reactivate them in the staff table first."),
            (dict(staff_id=practice["doc"], start=TODAY, end=TODAY), "staff", "Choose a person from the staff list."),
            (dict(staff_id=practice["mia"], start=None, end=TODAY), "start_date", "Choose the first day off."),
            (dict(staff_id=practice["mo"], start=TODAY, end=TODAY + dt.timedelta(days=400)), "end_date",
             "Time off cannot be longer than a year; make the person inactive instead."),
        ]
        for kwargs, field, message in refusals:
            with pytest.raises(InputInvalid) as err:
                store.add_time_off(s, kind="leave", status="approved", actor=ACTOR, now=NOW, **kwargs)
            assert (err.value.field, str(err.value)) == (field, message)
        assert snapshot(s) == before

        store.set_time_off_status(s, first, "approved", actor=ACTOR, now=NOW)
        second = store.add_time_off(s, staff_id=practice["mo"], start=TODAY, end=TODAY, kind="sick",
                                    status="approved", actor=ACTOR, now=NOW)
        store.set_time_off_status(s, second, "denied", actor=ACTOR, now=NOW)
    with Session(engine) as s:
        listed = store.time_off(s, from_day=TODAY)
        assert listed[["name", "start_date", "end_date", "days", "kind", "status", "reason"]].values.tolist() == [
            ["Mo Mills", TODAY, TODAY, 1, "sick", "denied", ""],
            ["Mia Moss", dt.date(2026, 3, 9), dt.date(2026, 3, 13), 5, "leave", "approved", "Vacation"],
        ]
        assert [(a[0], a[3], a[4]) for a in audit_rows(s)][1:] == [
            ("time_off.approve", {"status": "requested"}, {"status": "approved"}),
            ("time_off.create", None, {"staff": "Mo Mills", "start_date": "2026-03-02", "end_date": "2026-03-02",
                                       "kind": "sick", "status": "approved", "reason": ""}),
            ("time_off.deny", {"status": "approved"}, {"status": "denied"}),
        ]


def test_wishes_add_delete_and_refusals(engine, practice):
    with Session(engine) as s:
        wish = store.add_wish(s, staff_id=practice["mia"], weekday="Fri", template_id=None, wants_to_work=False,
                              weight=2, actor=ACTOR, now=NOW)
        store.add_wish(s, staff_id=practice["mia"], weekday=None, template_id=practice["early"], wants_to_work=True,
                       weight=4, actor=ACTOR, now=NOW)
        before = snapshot(s)
        refusals = [
            (dict(weekday=None, template_id=None, weight=2), "weekday", "Choose a weekday, a shift, or both."),
            (dict(weekday=9, template_id=None, weight=2), "weekday",
             "There is no weekday 9: use Mon to Sun (0 = Monday, 6 = Sunday)."),
            (dict(weekday="Sun", template_id=practice["sat"], weight=2), "weekday",
             "Saturday is offered on Sat only, not on Sundays."),
            (dict(weekday=None, template_id=practice["early"], weight=11), "weight",
             "The weight must be between 1 and 10."),
            (dict(weekday=4, template_id=None, weight=5), "weekday",
             "Mia Moss already has this wish (not to work, weight 2); remove it first to change it."),
        ]
        for kwargs, field, message in refusals:
            with pytest.raises(InputInvalid) as err:
                store.add_wish(s, staff_id=practice["mia"], wants_to_work=True, actor=ACTOR, now=NOW, **kwargs)
            assert (err.value.field, str(err.value)) == (field, message)
        assert snapshot(s) == before
        assert store.wishes(s)["wish"].tolist() == ["Rather not work Fridays", "Wants to work Early (Main)"]
        store.delete_wish(s, wish, actor=ACTOR, now=NOW)
        assert store.wishes(s)["wish"].tolist() == ["Wants to work Early (Main)"]
        assert audit_rows(s)[-1][:5] == ("shift_preference.delete", "shift_preference", str(wish),
                                         {"staff_id": practice["mia"], "weekday": 4, "template_id": None,
                                          "wants_to_work": False, "weight": 2}, None)


def test_labor_rules_save_with_audit_and_a_zero_budget_is_refused(engine, practice):
    with Session(engine) as s:
        rules = store.labor_rules(s)
        assert (rules.max_hours_per_day, rules.budget, rules.budget_is_hard) == (10.0, 10000.0, False)
        before = snapshot(s)
        for change, field, message in [
            (dict(budget=0.0), "budget", "The labor budget must be more than $0, or left empty for no budget."),
            (dict(max_hours_per_day=-2.0), "max_hours_per_day", "Maximum hours per day must be between 1 and 24."),
            (dict(max_hours_per_week=8.0), "max_hours_per_week", "Maximum hours per week cannot be less than per day."),
            (dict(budget=None, budget_is_hard=True), "budget_is_hard", "Enter a weekly budget to make it a hard cap."),
        ]:
            with pytest.raises(InputInvalid) as err:
                store.save_labor_rules(s, LaborRules(**{**rules.__dict__, **change}), actor=ACTOR, now=NOW)
            assert (err.value.field, str(err.value)) == (field, message)
        assert snapshot(s) == before
        warnings = store.save_labor_rules(
            s, LaborRules(**{**rules.__dict__, "max_hours_per_day": 7.5, "budget": 12500.0, "budget_is_hard": True}),
            actor=ACTOR, now=NOW)
        assert warnings == ["These shifts are longer than 7.5 paid hours, so the planner cannot give them to anyone: "
                            "Early (Main, 8 h), Day (Riverside, 8 h)."]
    with Session(engine) as s:
        row = s.get(PlannerSettings, 1)
        assert (row.max_hours_per_day, row.weekly_budget, row.budget_is_hard) == (Decimal("7.5"), Decimal("12500.00"),
                                                                                  True)
        assert audit_rows(s) == [("planner_settings.update", "planner_settings", "1",
                                  {"max_hours_per_day": 10.0, "weekly_budget": 10000.0, "budget_is_hard": False},
                                  {"max_hours_per_day": 7.5, "weekly_budget": 12500.0, "budget_is_hard": True},
                                  ACTOR)]
