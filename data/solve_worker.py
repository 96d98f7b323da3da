"""Run queued solve jobs: inside the app (a background thread) or as its own process.

``python -m data.solve_worker`` runs a worker against ``DATABASE_URL``; start
several on other machines against one PostgreSQL database to add solver
capacity. Each job: build the scenario's problem, solve it with live progress
written to the job row, store the roster and figures with the scenario.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import logging
import os
import socket
import sys
import threading
import time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data.db import make_engine
from data.roster_models import PublishedShift
from data.scenarios import assignments, build_for, cells, get_scenario, publish, save_result
from data.solve_jobs import claim_next, finish, heartbeat, report_progress
from planner import Progress, Status, solve

log = logging.getLogger("clinicops.solver")
PROGRESS_EVERY_S = 0.5
# Solves and worker threads of this process, so that exiting stops them cleanly:
# a CP-SAT search still running when the interpreter exits aborts the process.
_ACTIVE_STOPS: set[threading.Event] = set()
_WORKER_THREADS: set[threading.Thread] = set()
_EXITING = threading.Event()
AUTO_PUBLISHER = "Demo clinic (simulated)"
HEARTBEAT_EVERY_S = 2.0


def solver_workers() -> int:
    """CP-SAT threads per solve (default: the machine's cores, at most 8)."""
    try:
        return max(1, int(os.environ.get("CLINICOPS_SOLVER_WORKERS", "")))
    except ValueError:
        return max(1, min(8, os.cpu_count() or 2))


def run_job(engine: Engine, job_id: int, scenario_id: int, time_limit_s: float, *, workers: int | None = None) -> str:
    """Solve one claimed job to the end; returns the job's final status."""
    try:
        with Session(engine) as s:
            scenario = get_scenario(s, scenario_id)
            built = build_for(s, scenario)
            previous = assignments(built, scenario, cells(s, scenario_id))
            built_for_demo = bool(scenario.inputs.get("auto_publish"))
    except Exception as error:  # noqa: BLE001 - any failure must end the job, not the worker
        log.exception("could not build job %s", job_id)
        with Session(engine) as s:
            finish(s, job_id, status="failed", message=f"Could not prepare the roster: {error}", result=None,
                   now=dt.datetime.now())
        return "failed"

    stop = threading.Event()
    done = threading.Event()
    state = {"solutions": 0, "first": None, "written": 0.0}

    def on_progress(p: Progress) -> bool:
        state["solutions"] += 1
        first = state["first"] is None
        if first:
            state["first"] = p.elapsed
        if first or time.monotonic() - state["written"] >= PROGRESS_EVERY_S:
            state["written"] = time.monotonic()
            with Session(engine) as s:
                if report_progress(s, job_id, objective=p.objective, bound=p.bound, elapsed=p.elapsed,
                                   solutions=state["solutions"], now=dt.datetime.now(),
                                   first_roster_s=p.elapsed if first else None):
                    stop.set()
        return stop.is_set()

    def beat() -> None:
        while not done.wait(HEARTBEAT_EVERY_S):
            with Session(engine) as s:
                if heartbeat(s, job_id, dt.datetime.now()):
                    stop.set()

    if built_for_demo:
        workers = 1  # the demo's own roster leaves a core to the people using the app
    beater = threading.Thread(target=beat, name=f"solve-heartbeat-{job_id}", daemon=True)
    beater.start()
    _ACTIVE_STOPS.add(stop)
    if _EXITING.is_set():
        stop.set()
    try:
        result = solve(built.problem, time_limit=time_limit_s, workers=workers or solver_workers(), seed=0,
                       on_progress=on_progress, stop_event=stop, hint=previous or None)
        status = "stopped" if stop.is_set() else "done"
        with Session(engine) as s:
            save_result(s, scenario_id, built, result, dt.datetime.now())
            if result.has_roster and not stop.is_set() and _may_auto_publish(s, get_scenario(s, scenario_id)):
                publish(s, scenario_id, actor=AUTO_PUBLISHER, now=dt.datetime.now())
            if result.has_roster:
                report_progress(s, job_id, objective=result.objective, bound=result.bound,
                                elapsed=result.wall_time, solutions=max(state["solutions"], result.solutions),
                                now=dt.datetime.now())
            finish(s, job_id, status=status, message=_message(result), result={"status": result.status.value},
                   now=dt.datetime.now())
        return status
    except Exception as error:  # noqa: BLE001
        log.exception("job %s failed", job_id)
        with Session(engine) as s:
            finish(s, job_id, status="failed", message=f"The solver stopped with an error: {error}", result=None,
                   now=dt.datetime.now())
        return "failed"
    finally:
        _ACTIVE_STOPS.discard(stop)
        done.set()


def _may_auto_publish(s: Session, scenario) -> bool:
    """The demo's own roster is published only where nothing is published yet:
    it never replaces a roster a manager published meanwhile."""
    if not scenario.inputs.get("auto_publish"):
        return False
    end = scenario.start_date + dt.timedelta(days=7 * scenario.weeks - 1)
    taken = s.scalars(select(PublishedShift.id).where(PublishedShift.day >= scenario.start_date,
                                                      PublishedShift.day <= end).limit(1)).first()
    return taken is None


def _message(result) -> str:
    if result.status is Status.OPTIMAL:
        return "Best possible roster found (proven optimal)."
    if result.status in (Status.FEASIBLE, Status.STOPPED) and result.has_roster:
        gap = f" within {result.gap:.1%} of the best possible" if result.gap is not None else ""
        return f"Roster found{gap}."
    if result.status is Status.INFEASIBLE:
        return "No roster satisfies every rule; see why below."
    if result.status is Status.INVALID:
        return "The inputs need fixing before a roster can be made."
    return "No roster was found within the time limit; allow more time or relax a rule."


def work_once(engine: Engine, name: str, *, workers: int | None = None) -> bool:
    """Claim and run one job; False when the queue is empty."""
    with Session(engine) as s:
        job = claim_next(s, name, dt.datetime.now())
        if job is None:
            return False
        job_id, scenario_id, limit = job.id, job.scenario_id, job.time_limit_s
    log.info("%s solving job %s (scenario %s, %ss)", name, job_id, scenario_id, limit)
    run_job(engine, job_id, scenario_id, limit, workers=workers)
    return True


def work_forever(engine: Engine, name: str, poll_s: float = 1.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    _WORKER_THREADS.add(threading.current_thread())
    while not stop.is_set() and not _EXITING.is_set():
        try:
            if not work_once(engine, name):
                stop.wait(poll_s)
        except Exception:  # noqa: BLE001 - keep serving; the error is logged
            log.exception("solve worker %s: unexpected error", name)
            stop.wait(poll_s)


@atexit.register
def _stop_solves_at_exit() -> None:
    """Stop running searches (keeping their best rosters) and let workers finish writing."""
    _EXITING.set()
    for stop in list(_ACTIVE_STOPS):
        stop.set()
    for thread in list(_WORKER_THREADS):
        if thread is not threading.current_thread():
            thread.join(timeout=20)


def start_background_worker(engine: Engine, stop: threading.Event | None = None) -> threading.Thread:
    """The app's own worker: a daemon thread that runs until ``stop`` is set."""
    name = f"app@{socket.gethostname()}:{os.getpid()}"
    thread = threading.Thread(target=work_forever, args=(engine, name, 1.0, stop), name="solve-worker",
                              daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.solve_worker", description=__doc__)
    parser.add_argument("--once", action="store_true", help="run at most one queued job, then exit")
    parser.add_argument("--workers", type=int, default=None, help="CP-SAT threads per solve")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    engine = make_engine()
    name = f"worker@{socket.gethostname()}:{os.getpid()}"
    if args.once:
        ran = work_once(engine, name, workers=args.workers)
        print("ran one job" if ran else "no queued job")
        return 0
    print(f"{name} waiting for solve jobs in {engine.url.render_as_string(hide_password=True)} (Ctrl+C to stop)")
    try:
        work_forever(engine, name)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
