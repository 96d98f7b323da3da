"""Speed of a sick-call repair on the demo practice, printed as figures.

    python -m benchmarks.repair_speed                  # 4 weeks, both locations, one sick call per role
    python -m benchmarks.repair_speed --weeks 2 --limit 10

Builds the demo practice (one month of visits) in a temporary SQLite file (or
uses ``--database-url``), solves and publishes a roster for ``--weeks`` from
next Monday, then records one sick call per rostered role (the first person
of that role on the Wednesday) the way the Published roster page does:
``start_sick_call``, a solve job run by the worker with the page's default
time limit, and ``repair_report`` (the comparison the page shows). Issue 4's
target is a repair within 5 s. This prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy.orm import Session

from data.bootstrap import prepare_database
from data.db import make_engine
from data.published import published_shifts
from data.repair import discard_repair, repair_report, start_sick_call
from data.scenarios import create_scenario, default_inputs, get_scenario, publish
from data.solve_jobs import enqueue, latest_job
from data.solve_worker import solver_workers, work_once


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.repair_speed", description=__doc__)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--plan-limit", type=float, default=20.0, help="seconds for the roster that is published")
    parser.add_argument("--limit", type=float, default=5.0, help="seconds for each repair (the page's default)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory()
    url = args.database_url or f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    engine = make_engine(url)
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())  # next Monday
    morning = dt.datetime.combine(start, dt.time(6, 0))  # the sick calls come in on that Monday morning
    prepare_database(engine, dt.datetime.now(), demo=True, months=1)
    print(f"Demo practice in {engine.url.render_as_string(hide_password=True)}; {solver_workers()} solver threads")

    with Session(engine, expire_on_commit=False) as s:
        plan = create_scenario(s, name="Benchmark roster", start=start, weeks=args.weeks,
                               inputs=default_inputs(s, args.weeks), actor="benchmark", now=morning)
        enqueue(s, plan.id, args.plan_limit, actor="benchmark", now=morning)
    began = time.perf_counter()
    work_once(engine, "benchmark")
    with Session(engine, expire_on_commit=False) as s:
        job = latest_job(s, plan.id)
        if get_scenario(s, plan.id).status != "solved":
            print(f"No roster to publish after {args.plan_limit:g} s ({job.message}); allow more --plan-limit.")
            return 1
        shifts = publish(s, plan.id, actor="benchmark", now=morning - dt.timedelta(hours=1))
    print(f"Published {args.weeks} weeks from {start:%a %d %b %Y}: {shifts} shifts "
          f"(solve {time.perf_counter() - began:.1f} s, {job.message})")

    wednesday = start + dt.timedelta(days=2)
    with Session(engine) as s:
        on_wednesday = published_shifts(s, wednesday, wednesday)
    picks = on_wednesday.sort_values(["role", "last_name"]).drop_duplicates("role")
    print(f"\nOne sick call per role on {wednesday:%a %d %b}, time limit {args.limit:g} s:")
    print(f"{'who':<34}{'record':>8}{'first':>8}{'solve':>8}{'report':>8}{'total':>8}  changes  status")
    for person in picks.itertuples(index=False):
        t0 = time.perf_counter()
        with Session(engine, expire_on_commit=False) as s:
            repair = start_sick_call(s, int(person.staff_id), [wednesday], actor="benchmark", now=morning)
            enqueue(s, repair.id, args.limit, actor="benchmark", now=morning)
        t1 = time.perf_counter()
        work_once(engine, "benchmark")
        t2 = time.perf_counter()
        with Session(engine, expire_on_commit=False) as s:
            report = repair_report(s, repair.id)
            job = latest_job(s, repair.id)
            status = get_scenario(s, repair.id).summary.get("status")
        t3 = time.perf_counter()
        moved = len(report.changes[report.changes["change"] != "absent"])
        first = f"{job.first_roster_s:.2f}" if job.first_roster_s is not None else "-"
        print(f"{person.name + ' (' + person.role + ')':<34}{t1 - t0:>8.2f}{first:>8}{t2 - t1:>8.2f}"
              f"{t3 - t2:>8.2f}{t3 - t0:>8.2f}  {moved:>7}  {status}")
        with Session(engine) as s:
            discard_repair(s, repair.id, actor="benchmark", now=morning)
    print("\nSeconds: record = start_sick_call; first = first repaired roster found; solve = the whole job "
          "(stops early when proven optimal); report = the comparison the page shows.")
    engine.dispose()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
