"""Run queued solve jobs: inside the app (a background thread) or as its own process.

``python -m data.solve_worker`` runs a worker against ``DATABASE_URL``; start
several on other machines against one PostgreSQL database to add solver
capacity. Each job: build the scenario's problem, solve it with live progress
written to the job row, store the roster and figures with the scenario.

On PostgreSQL a worker is a procrastinate worker on the ``solve`` queue
(``data.job_queue``): procrastinate hands each job to one worker, and every
worker also looks every few seconds for jobs left behind by a worker that
died (procrastinate's stalled jobs, and rows whose heartbeat stopped) and
queues them again. On SQLite the worker polls the job rows itself.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import sys
import threading
import time

import procrastinate
from procrastinate import exceptions as queue_errors
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from data import job_queue
from data.db import make_engine
from data.roster_models import PublishedShift, SolveJob
from data.scenarios import assignments, build_for, cells, get_scenario, publish, save_result
from data.solve_jobs import STALE_AFTER, claim, claim_next, finish, heartbeat, report_progress, requeue
from planner import Progress, Status, roster_result, solve

log = logging.getLogger("clinicops.solver")
PROGRESS_EVERY_S = 0.5
# Solves and worker threads of this process, so that exiting stops them cleanly:
# a CP-SAT search still running when the interpreter exits aborts the process.
_ACTIVE_STOPS: set[threading.Event] = set()
_WORKER_THREADS: set[threading.Thread] = set()
_EXITING = threading.Event()
AUTO_PUBLISHER = "Demo clinic (simulated)"
HEARTBEAT_EVERY_S = 2.0
INTERIM_EVERY_S = 4.0  # a running solve's page shows its best roster so far this often
RECOVER_EVERY_S = 15.0  # a PostgreSQL worker looks this often for jobs whose worker died


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
    interim = InterimRosters(engine, scenario_id, built)

    def on_progress(p: Progress) -> bool:
        state["solutions"] += 1
        interim.offer(p)
        first = state["first"] is None
        if first:
            state["first"] = p.elapsed
        if first or time.monotonic() - state["written"] >= PROGRESS_EVERY_S:
            state["written"] = time.monotonic()
            try:
                with Session(engine) as s:
                    if report_progress(s, job_id, objective=p.objective, bound=p.bound, elapsed=p.elapsed,
                                       solutions=state["solutions"], now=dt.datetime.now(),
                                       first_roster_s=p.elapsed if first else None):
                        stop.set()
            except SQLAlchemyError as error:  # a busy database delays the figures; the search goes on
                log.warning("job %s: progress not written (%s)", job_id, error.__class__.__name__)
                state["written"] = 0.0
        return stop.is_set()

    def beat() -> None:
        while not done.wait(HEARTBEAT_EVERY_S):
            try:
                with Session(engine) as s:
                    if heartbeat(s, job_id, dt.datetime.now()):
                        stop.set()
            except SQLAlchemyError as error:  # try again next beat; a job is requeued only after a minute
                log.warning("job %s: heartbeat not written (%s)", job_id, error.__class__.__name__)

    if built_for_demo:
        workers = 1  # the demo's own roster leaves a core to the people using the app
    beater = threading.Thread(target=beat, name=f"solve-heartbeat-{job_id}", daemon=True)
    beater.start()
    _ACTIVE_STOPS.add(stop)
    if _EXITING.is_set():
        stop.set()
    try:
        interim.start()
        try:
            result = solve(built.problem, time_limit=time_limit_s, workers=workers or solver_workers(), seed=0,
                           on_progress=on_progress, stop_event=stop, hint=previous or None, progress_rosters=True)
        finally:
            interim.close()  # no interim roster may land after the final one
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


class InterimRosters:
    """Shows a running solve's best roster so far: the first one at once, then the
    latest at most every ``INTERIM_EVERY_S``, written by its own thread so the
    solver's callback never waits for the database or the checker."""

    def __init__(self, engine: Engine, scenario_id: int, built) -> None:
        self.engine, self.scenario_id, self.built = engine, scenario_id, built
        self._latest: Progress | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"interim-roster-{scenario_id}", daemon=True)
        self.saved = 0

    def offer(self, progress: Progress) -> None:
        if progress.assignments is None:
            return
        with self._lock:
            self._latest = progress
        self._wake.set()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._closed.is_set():
                return
            self._wake.clear()
            with self._lock:
                progress, self._latest = self._latest, None
            if progress is not None:
                self._save(progress)
            if self._closed.wait(INTERIM_EVERY_S):  # throttle: one page refresh per interval at most
                return

    def _save(self, progress: Progress) -> None:
        try:
            result = roster_result(self.built.problem, progress.assignments, Status.FEASIBLE, progress.bound)
            with Session(self.engine) as s:
                save_result(s, self.scenario_id, self.built, result, dt.datetime.now(), interim=True)
            self.saved += 1
        except Exception:  # noqa: BLE001 - an interim view is a convenience; the final save still happens
            log.exception("could not save the interim roster of scenario %s", self.scenario_id)


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
    if job_queue.uses_queue(engine):
        return bool(asyncio.run(_serve(engine, name, workers=workers, once=True)))
    with Session(engine) as s:
        job = claim_next(s, name, dt.datetime.now())
        if job is None:
            return False
        job_id, scenario_id, limit = job.id, job.scenario_id, job.time_limit_s
    log.info("%s solving job %s (scenario %s, %ss)", name, job_id, scenario_id, limit)
    run_job(engine, job_id, scenario_id, limit, workers=workers)
    return True


def work_forever(engine: Engine, name: str, poll_s: float = 1.0, stop: threading.Event | None = None) -> None:
    """Run jobs until ``stop`` is set (on PostgreSQL a job already running is finished first)."""
    stop = stop or threading.Event()
    _WORKER_THREADS.add(threading.current_thread())
    while not stop.is_set() and not _EXITING.is_set():
        try:
            if job_queue.uses_queue(engine):
                asyncio.run(_serve(engine, name, stop=stop))
                stop.wait(poll_s)  # the worker ended without being asked to (its connection broke): start again
            elif not work_once(engine, name):
                stop.wait(poll_s)
        except Exception:  # noqa: BLE001 - keep serving; the error is logged
            log.exception("solve worker %s: unexpected error", name)
            stop.wait(max(poll_s, 5.0) if job_queue.uses_queue(engine) else poll_s)


# -- PostgreSQL: procrastinate workers -----------------------------------------------------------------------------

async def _solve_scenario(context: procrastinate.JobContext, job_id: int) -> str:
    """procrastinate task: run SolveJob ``job_id`` unless it is no longer queued.

    The solve runs in a daemon thread of its own, as on SQLite, so that the
    process exiting stops it (``_stop_solves_at_exit``) instead of waiting for it.
    """
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[str] = loop.create_future()

    def settle(result: str | None, error: BaseException | None) -> None:
        if not outcome.done():
            outcome.set_exception(error) if error is not None else outcome.set_result(result)

    def run() -> None:
        try:
            result, error = _claim_and_run(context.additional_context, job_id), None
        except BaseException as raised:  # noqa: BLE001 - handed to the worker, which records the job failed
            result, error = None, raised
        with contextlib.suppress(RuntimeError):  # the worker's loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name=f"solve-job-{job_id}", daemon=True).start()
    return await outcome


def _claim_and_run(extra: dict, job_id: int) -> str:
    engine, name = extra["engine"], extra["name"]
    with Session(engine) as s:
        job = claim(s, job_id, name, dt.datetime.now())
        if job is None:
            log.info("%s: job %s is no longer queued; nothing to do", name, job_id)
            return "not queued"
        scenario_id, limit = job.scenario_id, job.time_limit_s
    extra["ran"].append(job_id)
    log.info("%s solving job %s (scenario %s, %ss)", name, job_id, scenario_id, limit)
    return run_job(engine, job_id, scenario_id, limit, workers=extra["workers"])


async def _stop_after_a_solve(call_next, context: procrastinate.JobContext, worker) -> object:
    """Worker middleware for ``work_once``: stop once a job has really been solved."""
    result = await call_next()
    if context.additional_context["ran"]:
        worker.stop()
    return result


async def _serve(engine: Engine, name: str, *, workers: int | None = None, once: bool = False,
                 stop: threading.Event | None = None) -> list[int]:
    """One procrastinate worker run on the solve queue: until it is idle and has solved one
    job (``once``), or until ``stop`` is set. Returns the solve jobs it ran."""
    app = job_queue.worker_app(engine)
    app.task(name=job_queue.SOLVE_TASK, queue=job_queue.QUEUE, pass_context=True)(_solve_scenario)
    ran: list[int] = []
    async with app.open_async():
        await recover(app, engine)
        worker = asyncio.create_task(app.run_worker_async(
            queues=[job_queue.QUEUE], name=name, concurrency=1, wait=not once, listen_notify=not once,
            install_signal_handlers=False, delete_jobs="successful",
            additional_context={"engine": engine, "name": name, "workers": workers, "ran": ran},
            worker_middleware=[_stop_after_a_solve] if once else [],
        ), name=f"procrastinate worker {name}")
        watch = asyncio.create_task(_watch(app, engine, stop), name=f"recovery {name}")
        await asyncio.wait({worker, watch}, return_when=asyncio.FIRST_COMPLETED)
        if not worker.done():  # stop was set: let the running job finish, then leave
            worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker
        watch.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watch
        if not worker.cancelled():
            worker.result()  # re-raise what stopped the worker
    return ran


async def _watch(app: procrastinate.App, engine: Engine, stop: threading.Event | None) -> None:
    """Until ``stop`` is set or the process exits: every RECOVER_EVERY_S, requeue jobs whose worker died."""
    next_check = asyncio.get_running_loop().time() + RECOVER_EVERY_S
    while not (stop is not None and stop.is_set()) and not _EXITING.is_set():
        await asyncio.sleep(0.25)
        if asyncio.get_running_loop().time() >= next_check:
            next_check += RECOVER_EVERY_S
            try:
                await recover(app, engine)
            except Exception:  # noqa: BLE001 - try again next time
                log.exception("could not look for abandoned solve jobs")


async def recover(app: procrastinate.App, engine: Engine) -> list[int]:
    """Queue again the solve jobs a dead worker left behind; returns their ids.

    - procrastinate's stalled jobs (their worker's heartbeat is over STALE_AFTER
      old, or the worker is gone) unless the row's own heartbeat says its solve
      is still alive: the row goes back to queued and procrastinate retries the
      same job;
    - rows still running with a heartbeat over STALE_AFTER old that no
      procrastinate job is running, and queued rows with no procrastinate job
      waiting or running (their queue entry was lost): queued again.
    """
    manager = app.job_manager
    requeued: list[int] = []
    for stalled in await manager.get_stalled_jobs(queue=job_queue.QUEUE, task_name=job_queue.SOLVE_TASK,
                                                  seconds_since_heartbeat=STALE_AFTER.total_seconds()):
        job_id = int(stalled.task_kwargs["job_id"])
        if await asyncio.to_thread(_still_beating, engine, job_id):
            continue  # its worker lost touch with procrastinate, but the solve runs on
        if await asyncio.to_thread(_requeue, engine, job_id, None):
            requeued.append(job_id)
        try:
            await manager.retry_job(stalled)
        except queue_errors.ConnectorException:  # another worker retried it first
            pass
    waiting = {int(j.task_kwargs["job_id"]) for j in await manager.list_jobs_async(
        queue=job_queue.QUEUE, task=job_queue.SOLVE_TASK, status="todo")}
    running = {int(j.task_kwargs["job_id"]) for j in await manager.list_jobs_async(
        queue=job_queue.QUEUE, task=job_queue.SOLVE_TASK, status="doing")}
    lost_queued, stale_running = await asyncio.to_thread(_rows_without_queue_job, engine, waiting | running)
    for job_id in stale_running:
        if await asyncio.to_thread(_requeue, engine, job_id, dt.datetime.now() - STALE_AFTER):
            requeued.append(job_id)
            lost_queued.append(job_id)
    for job_id in lost_queued:
        with contextlib.suppress(queue_errors.AlreadyEnqueued):
            await app.configure_task(job_queue.SOLVE_TASK, queue=job_queue.QUEUE,
                                     queueing_lock=job_queue.lock_for(job_id)).defer_async(job_id=job_id)
    if requeued:
        log.warning("requeued solve jobs %s: their worker stopped responding", requeued)
    return requeued


def _still_beating(engine: Engine, job_id: int) -> bool:
    """Whether job ``job_id`` is running with a heartbeat younger than STALE_AFTER."""
    with Session(engine) as s:
        job = s.get(SolveJob, job_id)
        return (job is not None and job.status == "running" and job.heartbeat_at is not None
                and job.heartbeat_at >= dt.datetime.now() - STALE_AFTER)


def _requeue(engine: Engine, job_id: int, stale_before: dt.datetime | None) -> bool:
    with Session(engine) as s:
        return requeue(s, job_id, stale_before=stale_before)


def _rows_without_queue_job(engine: Engine, in_queue: set[int]) -> tuple[list[int], list[int]]:
    """(queued rows, running rows with a stale heartbeat) that no procrastinate job waits for or runs."""
    stale_before = dt.datetime.now() - STALE_AFTER
    with Session(engine) as s:
        rows = s.execute(select(SolveJob.id, SolveJob.status, SolveJob.heartbeat_at)
                         .where(SolveJob.status.in_(("queued", "running")))).all()
    queued = [r.id for r in rows if r.status == "queued" and r.id not in in_queue]
    stale = [r.id for r in rows if r.status == "running" and r.id not in in_queue
             and (r.heartbeat_at is None or r.heartbeat_at < stale_before)]
    return queued, stale


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
    if job_queue.uses_queue(engine):
        job_queue.ensure_queue_schema(engine)
    if args.once:
        ran = work_once(engine, name, workers=args.workers)
        print("ran one job" if ran else "no queued job")
        return 0
    print(f"{name} waiting for solve jobs in {engine.url.render_as_string(hide_password=True)} (Ctrl+C to stop)")
    if not job_queue.uses_queue(engine):
        try:
            work_forever(engine, name)
        except KeyboardInterrupt:
            pass
        return 0
    stop = threading.Event()

    def on_signal(signum, _frame) -> None:
        if stop.is_set():
            print("quitting now; another worker takes over the running solve within a minute", flush=True)
            os._exit(128 + signum)
        print("stopping once the running solve ends (Ctrl+C again to quit now)", flush=True)
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    work_forever(engine, name, stop=stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
