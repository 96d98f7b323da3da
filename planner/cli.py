"""Command line: solve one Curtois instance, or benchmark a directory of them.

    python -m planner solve INSTANCE.txt --time-limit S [--workers W] [--seed N] --out ROSTER.csv
    python -m planner bench DIR --time-limit S [--workers W]
    python -m planner clinic-bench [--workers W]
    python -m planner problem-bench PROBLEM.pkl [--workers W]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner import curtois
from planner.solve import solve


def _solve(args) -> int:
    problem = curtois.load(args.instance)
    result = solve(problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                   explain=False)
    if args.out and result.has_roster:
        curtois.write_roster(args.out, result.assignments)
    for err in result.errors:
        print(err, file=sys.stderr)
    obj = "none" if result.objective is None else str(round(result.objective))
    bound = "none" if result.bound is None else str(round(result.bound))
    print(f"status={result.status.value.replace(' ', '_')} objective={obj} bound={bound} "
          f"wall_s={result.wall_time + result.build_time:.2f}")
    return 0 if result.has_roster or result.status.value == "optimal" else 1


def _bench(args) -> int:
    from planner.bench import run_curtois

    run_curtois(Path(args.dir), args.time_limit, args.workers, args.seed)
    return 0


def _clinic(args) -> int:
    from planner.bench import run_clinic

    run_clinic(args.workers, args.seed)
    return 0


def _problem(args) -> int:
    import pickle

    from planner.bench import run_problem

    with open(args.file, "rb") as f:
        problem = pickle.load(f)  # a planner.Problem pickled by the app (trusted input)
    run_problem(problem, args.workers, args.seed)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m planner", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("solve", help="solve one instance file")
    s.add_argument("instance")
    s.add_argument("--time-limit", type=float, required=True)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out")
    s.set_defaults(fn=_solve)
    b = sub.add_parser("bench", help="solve every Instance*.txt in DIR and print a table")
    b.add_argument("dir")
    b.add_argument("--time-limit", type=float, required=True)
    b.add_argument("--workers", type=int, default=2)
    b.add_argument("--seed", type=int, default=0)
    b.set_defaults(fn=_bench)
    c = sub.add_parser("clinic-bench", help="time the demo-clinic-sized problem")
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--seed", type=int, default=0)
    c.set_defaults(fn=_clinic)
    q = sub.add_parser("problem-bench", help="time a pickled planner.Problem (e.g. the app's)")
    q.add_argument("file")
    q.add_argument("--workers", type=int, default=2)
    q.add_argument("--seed", type=int, default=0)
    q.set_defaults(fn=_problem)
    args = ap.parse_args(argv)
    try:
        return args.fn(args)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
