"""The solve API: statuses, progress and stopping, determinism, report tables."""

import threading
from datetime import time

from planner import Budget, Role, ShiftCover, Status, Weights, WindowCover, evaluate, solve
from planner.repair import sick_call
from planner.samples import clinic_problem

from roster_helpers import person, tiny, tpl


def small_clinic():
    roles = [Role("MA", "MA"), Role("FD", "front desk")]
    templates = [tpl("ma-am", "08:00", "12:00", "MA", location="Main"),
                 tpl("ma-day", "08:00", "16:00", "MA", location="Main"),
                 tpl("fd-day", "08:00", "16:00", "FD", location="Main")]
    staff = [person("kim", roles=["MA"], pay_cents_per_hour=2000),
             person("lee", roles=["MA", "FD"], pay_cents_per_hour=2200),
             person("max", roles=["FD"], pay_cents_per_hour=1800)]
    windows = [WindowCover(d, "Main", time(h), time(h + 1), "MA", 1, under_weight=5000)
               for d in range(5) for h in range(8, 16)]
    desk = [ShiftCover(d, "fd-day", 1, under_weight=20000) for d in range(5)]
    return tiny(staff=staff, templates=templates, roles=roles, locations=["Main"],
                window_covers=windows, shift_covers=desk, budget=Budget(200_000),
                weights=Weights(pay=1))


def test_solution_reports_cost_coverage_and_people():
    p = small_clinic()
    r = solve(p, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL
    # Each weekday: one MA all day (kim, cheaper) and max at the front desk.
    assert {(a.staff, a.template) for a in r.assignments} == {("kim", "ma-day"), ("max", "fd-day")}
    assert r.cost.regular_cents == 5 * 8 * (2000 + 1800)
    assert r.cost.overtime_cents == 0
    assert r.cost.per_role == {"FD": 5 * 8 * 1800, "MA": 5 * 8 * 2000}
    assert r.cost.per_week == [5 * 8 * 3800]
    assert r.objective == r.cost.total_cents == r.bound
    assert r.gap == 0
    assert all(row.scheduled == row.required for row in r.coverage)
    kim = next(x for x in r.people if x.staff == "kim")
    assert (kim.shifts, kim.minutes, kim.weekends) == (5, 2400, 0)
    assert r.penalties_by_rule() == {"Wages": 5 * 8 * 3800}


def test_on_progress_reports_and_can_stop_the_search():
    p = clinic_problem(weeks=1)
    seen = []

    def stop_at_first(progress):
        seen.append(progress)
        return True

    r = solve(p, time_limit=20, workers=1, on_progress=stop_at_first)
    assert r.status is Status.STOPPED
    assert len(seen) == 1 and (seen[0].bound is None or seen[0].objective >= seen[0].bound)
    assert r.assignments and evaluate(p, r.assignments).feasible


def test_stop_event_stops_from_another_thread():
    p = clinic_problem(weeks=1)
    stop = threading.Event()
    r = solve(p, time_limit=30, workers=1, stop_event=stop,
              on_progress=lambda progress: stop.set())
    assert r.status is Status.STOPPED
    assert r.wall_time < 25
    assert r.has_roster


def test_one_worker_and_a_seed_are_deterministic():
    p = small_clinic()
    a = solve(p, time_limit=10, workers=1, seed=3)
    b = solve(p, time_limit=10, workers=1, seed=3)
    assert a.assignments == b.assignments and a.objective == b.objective


def test_sick_call_repair_changes_few_cells():
    p = tiny(num_days=3, staff=[person("kim"), person("lee"), person("max")],
             shift_covers=[ShiftCover(d, "D", 1, under_weight=5000) for d in range(3)])
    published = solve(p, time_limit=5, workers=1).assignments
    assert len(published) == 3
    victim = published[1]
    q = sick_call(p, published, [(victim.staff, victim.day)])
    r = solve(q, time_limit=5, workers=1)
    assert r.status is Status.OPTIMAL
    kept = set(published) - {victim}
    assert kept <= set(r.assignments)
    assert len(r.assignments) == 3 and victim not in r.assignments
    assert r.penalties_by_rule() == {"Changed from the published roster": 2500}
