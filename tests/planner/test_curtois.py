"""The Curtois & Qu benchmark loader, objective and command line."""

import re
import subprocess
import sys

from planner import Status, evaluate, solve
from planner.curtois import load, parse, read_roster

from bench_data import BENCH, INSTANCES, ROOT, needs_bench

SMALL = """SECTION_HORIZON
# h
7

SECTION_SHIFTS
# id, length, cannot follow
E,480,
L,480,E

SECTION_STAFF
# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends
A,E=7|L=0,2400,960,5,2,2,1

SECTION_DAYS_OFF
# EmployeeID, DayIndexes
A,3

SECTION_SHIFT_ON_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,0,E,2

SECTION_SHIFT_OFF_REQUESTS
# EmployeeID, Day, ShiftID, Weight
A,1,E,3

SECTION_COVER
# Day, ShiftID, Requirement, Weight for under, Weight for over
0,E,1,100,1
"""


def test_parse_maps_every_section():
    p = parse(SMALL)
    assert p.num_days == 7 and p.start.weekday() == 0
    assert [(t.id, t.length_minutes) for t in p.templates] == [("E", 480), ("L", 480)]
    assert [(f.first, f.then, f.gap_days) for f in p.forbidden_sequences] == [("L", "E", 1)]
    a = p.staff[0]
    assert (a.max_shifts, a.max_minutes_total, a.min_minutes_total) == ({"E": 7, "L": 0}, 2400, 960)
    assert (a.max_consecutive_days, a.min_consecutive_days, a.min_consecutive_days_off,
            a.max_weekends) == (5, 2, 2, 1)
    assert [(u.staff, u.day) for u in p.unavailability] == [("A", 3)]
    assert [(r.day, r.template, r.on, r.weight) for r in p.requests] == [(0, "E", True, 2),
                                                                         (1, "E", False, 3)]
    assert [(c.day, c.template, c.required, c.under_weight, c.over_weight)
            for c in p.shift_covers] == [(0, "E", 1, 100, 1)]


def test_parse_accepts_crlf():
    assert parse(SMALL.replace("\n", "\r\n")) == parse(SMALL)


@needs_bench
def test_instance1_optimum_is_607_and_the_checker_agrees():
    p = load(INSTANCES / "Instance1.txt")
    r = solve(p, time_limit=30, workers=1, seed=0)
    assert r.status is Status.OPTIMAL
    assert r.objective == 607 and r.bound == 607
    ev = evaluate(p, r.assignments)
    assert ev.feasible and ev.score == 607


@needs_bench
def test_cli_solve_writes_roster_and_status_line(tmp_path):
    out = tmp_path / "roster.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "solve", str(INSTANCES / "Instance1.txt"),
         "--time-limit", "20", "--workers", "1", "--seed", "0", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    last = proc.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"status=optimal objective=607 bound=607 wall_s=\d+\.\d+", last), last
    assert out.read_text().splitlines()[0] == "employee,day,shift"
    ev = evaluate(load(INSTANCES / "Instance1.txt"), read_roster(out))
    assert ev.feasible and ev.score == 607


@needs_bench
def test_cli_bench_prints_a_table(tmp_path):
    (tmp_path / "Instance1.txt").symlink_to(INSTANCES / "Instance1.txt")
    (tmp_path / "best_known.csv").symlink_to(BENCH / "best_known.csv")
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "bench", str(tmp_path), "--time-limit", "10",
         "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = proc.stdout.strip().splitlines()
    assert lines[0].split()[:6] == ["instance", "objective", "best", "gap%", "bound", "to_best_s"]
    assert lines[1].split()[:5] == ["Instance1", "607", "607", "0.00", "607"]
    assert lines[1].endswith("ok")


def test_cli_reports_a_missing_file_without_a_trace(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "planner", "solve", str(tmp_path / "nope.txt"), "--time-limit", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "error:" in proc.stderr


def test_synthetic_instances_load_and_solve_to_checked_rosters():
    """The generator behind the larger-instance figures writes the benchmark's format:
    the loader reads it and the engine returns a roster the checker accepts."""
    from benchmarks.curtois_synthetic import instance
    from planner import evaluate, solve
    from planner.curtois import parse

    text = instance(12, 28, 4, seed=3)
    assert text == instance(12, 28, 4, seed=3)
    p = parse(text)
    assert (len(p.staff), p.num_days, len(p.templates)) == (12, 28, 4)
    r = solve(p, time_limit=3, workers=1, explain=False)
    ev = evaluate(p, r.assignments)
    assert r.has_roster and ev.feasible and float(ev.score) == r.objective
