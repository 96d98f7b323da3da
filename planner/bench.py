"""Benchmarks that print figures (never timed assertions).

``run_curtois`` solves every instance of a directory and prints objective,
best known, gap, bound and time to best, each roster re-checked by the
independent checker. ``run_clinic`` times the demo-clinic-sized problem: first
roster, gap over time, and a sick-call repair.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

from planner import curtois
from planner.check import evaluate
from planner.solve import solve


def _best_known(directory: Path) -> dict[str, int]:
    for candidate in (directory / "best_known.csv", directory.parent / "best_known.csv"):
        if candidate.exists():
            with open(candidate, newline="") as f:
                return {r["instance"]: int(r["best_known_upper"]) for r in csv.DictReader(f)}
    return {}


def _natural(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem)]


def run_curtois(directory: Path, time_limit: float, workers: int = 2, seed: int = 0) -> list[dict]:
    files = sorted(directory.glob("*.txt"), key=_natural)
    best = _best_known(directory)
    rows = []
    print(f"{'instance':<12}{'objective':>10}{'best':>8}{'gap%':>8}{'bound':>10}"
          f"{'to_best_s':>10}{'build_s':>9}{'status':>10}  check", flush=True)
    for f in files:
        p = curtois.load(f)
        r = solve(p, time_limit=time_limit, workers=workers, seed=seed, explain=False)
        known = best.get(f.stem)
        obj = None if r.objective is None else round(r.objective)
        gap = "" if obj is None or not known else f"{100 * (obj - known) / known:.2f}"
        check = "-"
        if r.has_roster:
            ev = evaluate(p, r.assignments)
            ok = ev.feasible and ev.score == obj
            check = "ok" if ok else f"MISMATCH score={ev.score} hard={len(ev.violations)}"
        bound = "" if r.bound is None else str(round(r.bound))
        ttb = "" if r.time_to_best is None else f"{r.time_to_best:.1f}"
        print(f"{f.stem:<12}{obj if obj is not None else '-':>10}{known or '':>8}{gap:>8}"
              f"{bound:>10}{ttb:>10}{r.build_time:>9.2f}{r.status.value:>10}  {check}", flush=True)
        rows.append(dict(instance=f.stem, objective=obj, best=known, bound=bound,
                         time_to_best=r.time_to_best, status=r.status.value))
    return rows


def _timed_solve(p, limit: float, workers: int, seed: int, label: str, **kw):
    marks: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    r = solve(p, time_limit=limit, workers=workers, seed=seed,
              on_progress=lambda pr: marks.append((time.perf_counter() - t0, pr.objective)), **kw)
    wall = time.perf_counter() - t0
    ev = evaluate(p, r.assignments)
    first = f"{marks[0][0]:.2f}s ({marks[0][1]:,.0f})" if marks else "-"
    # Time at which the final roster's objective was first within 1 % of the final bound.
    within = "-"
    if r.bound is not None and r.bound > 0:
        hit = [t for t, obj in marks if obj <= r.bound / 0.99]
        within = f"{hit[0]:.2f}s" if hit else "-"
    print(f"{label}: {r.status.value}, objective {r.objective:,.2f}, bound "
          f"{'-' if r.bound is None else f'{r.bound:,.2f}'}, gap "
          f"{'-' if r.gap is None else f'{100 * r.gap:.2f}%'}; first roster {first}; "
          f"within 1% of the final bound at {within}; wall {wall:.2f}s (build {r.build_time:.2f}s); "
          f"checker hard={len(ev.violations)} score={float(ev.score):,.2f}", flush=True)
    return r, wall


def app_repair(p, published, victim, weeks_free: int = 1):
    """The app's sick-call repair (``data.repair``): the absent person's role colleagues are
    free in the week of the sick day, every other cell is pinned as published."""
    from planner.domain import Pin
    from planner.repair import sick_call

    q = sick_call(p, published, [(victim.staff, victim.day)])
    role = p.person(victim.staff).primary_role
    week = victim.day // 7
    cells = {(a.staff, a.day): a.template for a in published}
    pins = []
    for s in p.staff:
        for d in range(p.num_days):
            if s.primary_role == role and week <= d // 7 < week + weeks_free:
                continue
            if (s.id, d) == (victim.staff, victim.day):
                continue
            pins.append(Pin(s.id, d, cells.get((s.id, d))))
    from dataclasses import replace

    return replace(q, pins=pins), [a for a in published if (a.staff, a.day) != (victim.staff, victim.day)]


def run_problem(p, workers: int = 2, seed: int = 0, repairs: int = 3) -> None:
    """First roster, gap at 10 s and 20 s, and app-like sick-call repairs of one problem."""
    print(f"{p.name or 'problem'}: {len(p.staff)} staff, {len(p.templates)} templates, "
          f"{p.num_days} days, {len(p.window_covers)} window needs, {len(p.shift_covers)} shift needs",
          flush=True)
    result = None
    for limit in (10, 20):
        result, _ = _timed_solve(p, limit, workers, seed, f"limit {limit:>2}s")
    worked = [a for a in result.assignments if 7 <= a.day < 14]
    for k in range(min(repairs, len(worked))):
        victim = worked[(k * 7) % len(worked)]
        q, hint = app_repair(p, result.assignments, victim)
        r, wall = _timed_solve(q, 5, workers, seed, f"repair ({victim.staff}, day {victim.day})",
                               hint=hint)
        changed = sum(1 for pen in r.penalties if pen.rule == "Changed from the published roster")
        print(f"  {changed} cells changed, {wall:.2f}s wall", flush=True)


def run_clinic(workers: int = 2, seed: int = 0) -> None:
    """First roster, gap at 10 s and 20 s, and a sick-call repair on the demo clinic."""
    from planner.repair import sick_call
    from planner.samples import clinic_problem

    p = clinic_problem()
    print(f"clinic: {len(p.staff)} staff, {len(p.templates)} templates, {p.num_days} days, "
          f"{len(p.window_covers)} hourly window needs", flush=True)
    result = None
    for limit in (10, 20):
        marks: list[float] = []
        t0 = time.perf_counter()
        r = solve(p, time_limit=limit, workers=workers, seed=seed,
                  on_progress=lambda pr: marks.append(time.perf_counter() - t0))
        ev = evaluate(p, r.assignments)
        first = f"{marks[0]:.2f}s" if marks else "-"
        print(f"limit {limit:>2}s: {r.status.value}, objective {r.objective:,.2f}, bound "
              f"{r.bound if r.bound is None else f'{r.bound:,.2f}'}, gap "
              f"{'-' if r.gap is None else f'{100 * r.gap:.2f}%'}; first roster {first} "
              f"(incl. {r.build_time:.2f}s build); wall {time.perf_counter() - t0:.2f}s; "
              f"checker hard={len(ev.violations)} score={float(ev.score):,.2f}", flush=True)
        result = r
    # Sick call: the first person working in week 2 is absent on that day.
    victim = next(a for a in result.assignments if 7 <= a.day < 14)
    q = sick_call(p, result.assignments, [(victim.staff, victim.day)])
    t1 = time.perf_counter()
    rr = solve(q, time_limit=4, workers=workers, seed=seed)
    changed = sum(1 for pen in rr.penalties if pen.rule == "Changed from the published roster")
    print(f"sick-call repair ({victim.staff}, day {victim.day}): {rr.status.value} in "
          f"{time.perf_counter() - t1:.2f}s, {changed} cells changed, gap "
          f"{'-' if rr.gap is None else f'{100 * rr.gap:.2f}%'}", flush=True)
