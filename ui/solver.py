"""The app's own solve worker and the job progress panel the planner pages share."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import streamlit as st

from data.roster_models import SolveJob
from data.scenarios import roster_saved_at as roster_saved_at_in
from data.solve_jobs import ACTIVE, JobRefused, enqueue, latest_job, request_stop
from data.solve_worker import start_background_worker
from ui import context

TIME_LIMITS = (5, 10, 20, 30, 60, 120, 300)


@dataclass
class WorkerHandle:
    thread: threading.Thread
    stop: threading.Event


def _stop(handle: WorkerHandle) -> None:
    handle.stop.set()


@st.cache_resource(on_release=_stop, show_spinner=False)
def background_worker() -> WorkerHandle:
    """One worker thread per server process runs queued solves (on PostgreSQL a
    procrastinate worker, which shares the queue with workers on other machines);
    clearing the cache (or a new database in tests) stops it once its running
    solve has ended."""
    stop = threading.Event()
    return WorkerHandle(start_background_worker(context.engine(), stop), stop)


def ensure_worker() -> None:
    """Start the app's solve worker if it is not running (called as the app starts)."""
    if not background_worker().thread.is_alive():  # pragma: no cover - a crashed thread is replaced
        background_worker.clear()
        background_worker()


def start_solve(scenario_id: int, time_limit_s: float) -> str | None:
    """Queue a solve; returns an error message for the manager, or None."""
    ensure_worker()
    try:
        with context.session() as s:
            enqueue(s, scenario_id, time_limit_s, actor=context.actor(), now=context.now())
    except JobRefused as refused:
        return str(refused)
    return None


def stop_solve(job_id: int) -> None:
    with context.session() as s:
        request_stop(s, job_id, actor=context.actor(), now=context.now())


def current_job(scenario_id: int) -> SolveJob | None:
    with context.session() as s:
        return latest_job(s, scenario_id)


def is_active(job: SolveJob | None) -> bool:
    """Whether a job is queued or running (the progress panel shows it)."""
    return job is not None and job.status in ACTIVE


def ended_since_read(job: SolveJob | None, summary: dict | None) -> bool:
    """Whether ``job`` ended after the page read its scenario: the summary on
    screen is still a running solve's roster so far (``interim``) while the job
    is over, so the final roster is stored but not shown, and with no solve
    running no fragment would ever redraw the page. True once per job (the
    page reruns and reads again), so a summary that stays interim cannot loop."""
    if job is None or job.status not in ("done", "stopped") or not (summary or {}).get("interim"):
        return False
    key = f"reread_after_job_{job.id}"
    if st.session_state.get(key):
        return False
    st.session_state[key] = True
    return True


def money(points: float | None) -> str:
    return "–" if points is None else f"${points / 100:,.0f}"


def roster_saved_at(scenario_id: int) -> str | None:
    """When the scenario's roster was last stored (the final or a running solve's best so far)."""
    with context.session() as s:
        return roster_saved_at_in(s, scenario_id)


def progress_panel(scenario_id: int, *, shown_running: bool, follow_roster: bool = False,
                   shown_saved_at: str | None = None) -> bool:
    """Live progress of the scenario's running solve; True while it runs.

    Drawn inside a fragment that refreshes every second. ``shown_running`` is
    whether the page around it was drawn for a running solve: once the job has
    ended, the whole page reruns so the new roster appears, even when the job
    ended between the page's look and this one (the fragment alone would then
    never redraw the page). With ``follow_roster`` the page also reruns whenever
    the worker stores a better roster so far (``shown_saved_at`` is when the
    one on screen was stored).
    """
    job = current_job(scenario_id)
    if not is_active(job):
        if shown_running:
            st.rerun()
        return False
    if follow_roster and job.status == "running" and roster_saved_at(scenario_id) != shown_saved_at:
        st.rerun()
    if job.status == "queued":
        st.info("Waiting for the solver to start…", icon=":material/hourglass_top:")
    else:
        elapsed = job.elapsed_s or 0.0
        if job.started_at is not None:  # the clock runs between improving rosters too
            elapsed = max(elapsed, min(job.time_limit_s, (dt.datetime.now() - job.started_at).total_seconds()))
        st.progress(min(1.0, elapsed / job.time_limit_s),
                    text=f"Solving: {elapsed:.0f} of {job.time_limit_s:.0f} s")
        cells = st.columns(4)
        cells[0].metric("Best score so far", money(job.best_objective),
                        help="What the solver minimises: wages plus penalties (people short, wishes not "
                             "met, rules bent), in dollars. The roster's pay alone shows under Pay once it is in.")
        cells[1].metric("Lower bound", money(job.best_bound), help="No roster can score less than this.")
        gap = None
        if job.best_objective and job.best_bound is not None:
            gap = abs(job.best_objective - job.best_bound) / max(abs(job.best_objective), 1e-9)
        cells[2].metric("Gap", "–" if gap is None else f"{gap:.1%}")
        cells[3].metric("Rosters found", job.solutions)
    st.button("Stop and keep the best roster", key=f"stop_{job.id}", on_click=stop_solve, args=(job.id,),
              icon=":material/stop_circle:")
    return True
