"""The demo practice keeps a published roster for the current weeks.

So that the live operations page can show who is on duty against who is
needed, the demo queues a real solve of this week and the next (published
as soon as it is solved by the app's background worker), whenever no roster
is published for today and none is on its way.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.models import Practice
from data.roster_models import PublishedShift, Scenario, SolveJob
from data.scenarios import create_scenario, default_inputs
from data.solve_jobs import enqueue
from data.solve_worker import AUTO_PUBLISHER

WEEKS = 2
TIME_LIMIT_S = 15


def ensure_demo_roster(s: Session, now: dt.datetime) -> bool:
    """Queue the demo's roster for this week and next if needed.

    Returns True while a demo roster solve is queued or running (the page
    says so instead of "nobody is on duty").
    """
    practice = s.get(Practice, 1)
    if practice is None or not practice.is_demo:
        return False
    today = now.date()
    if s.scalars(select(PublishedShift.id).where(PublishedShift.day == today).limit(1)).first() is not None:
        return False
    monday = today - dt.timedelta(days=today.weekday())
    statuses = set(s.scalars(
        select(SolveJob.status).join(Scenario, SolveJob.scenario_id == Scenario.id)
        .where(Scenario.created_by == AUTO_PUBLISHER, Scenario.start_date == monday)
    ))
    if statuses & {"queued", "running"}:
        return True
    if "done" in statuses:
        return False  # solved once already; a roster that could not be published is not retried
    inputs = default_inputs(s, WEEKS)
    inputs.auto_publish = True
    scenario = create_scenario(s, name=f"Demo roster from {monday:%d %b}", start=monday, weeks=WEEKS, inputs=inputs,
                               actor=AUTO_PUBLISHER, now=now)
    enqueue(s, scenario.id, TIME_LIMIT_S, actor=AUTO_PUBLISHER, now=now)
    return True
