"""In a real browser: a sick call on the published roster is repaired, published, and stays after a reload."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from data import accounts
from data.db import make_engine
from data.published import published_shifts
from data.repair import discard_repair, open_repairs
from data.roster_models import PublishedShift, Scenario, SolveJob
from data.scenarios import create_scenario, default_inputs, get_scenario, publish
from data.solve_jobs import enqueue, latest_job, request_stop
from data.solve_worker import work_once
from tests.e2e.conftest import wait_for_app

USER, PASSWORD = "roster_e2e", "roster-e2e-password-1"


def _publish_a_solved_week(db_url: str) -> tuple[str, dt.date]:
    """Solve and publish one week through the data layer; returns who will be off sick, and when."""
    engine = make_engine(db_url)
    now = dt.datetime.now().replace(microsecond=0)
    today = now.date()
    # This week while weekdays are left, else next week: the sick day must be today or later.
    start = today - dt.timedelta(days=today.weekday())
    if today.weekday() > 3:
        start += dt.timedelta(days=7)
    with Session(engine, expire_on_commit=False) as s:
        if accounts.get_account(s, USER) is None:
            accounts.create_account(s, username=USER, display_name="Roster Tester", role="manager",
                                    password=PASSWORD, actor="e2e set-up", now=now)
        for waiting in open_repairs(s):  # a repair left open elsewhere would take the sick-call panel
            discard_repair(s, waiting.id, actor="e2e set-up", now=now)
        # Start from nothing published: other browser tests, and the demo's own roster solved by the app's
        # worker, publish into this shared database too.
        for job in s.scalars(select(SolveJob).where(SolveJob.status.in_(("queued", "running")))):
            request_stop(s, job.id, actor="e2e set-up", now=now)
        s.execute(delete(PublishedShift))
        s.commit()
        plan = create_scenario(s, name="E2E week", start=start, weeks=1, inputs=default_inputs(s, 1),
                               actor="e2e set-up", now=now)
        enqueue(s, plan.id, 3, actor="e2e set-up", now=now)
    work_once(engine, "e2e-roster", workers=2)  # the app's own worker may have claimed it instead
    deadline = time.monotonic() + 60
    with Session(engine, expire_on_commit=False) as s:
        while latest_job(s, plan.id).status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.5)
            s.expire_all()
        assert get_scenario(s, plan.id).status == "solved"
        publish(s, plan.id, actor="e2e set-up", now=now - dt.timedelta(minutes=1))
        # The page's default choice: the first person by last name rostered from today in the weeks shown.
        upcoming = published_shifts(s, max(start, today), start + dt.timedelta(days=6))
        first = upcoming.sort_values(["last_name", "first_name", "day"]).iloc[0]
        name = first["name"]
        days = upcoming[upcoming["staff_id"] == first["staff_id"]]["day"]
        sick_day = today if today in set(days) else min(days)
    engine.dispose()
    return name, sick_day


def _sign_in(page: Page, app_url: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_label("User name").fill(USER)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
    wait_for_app(page)


def test_sick_call_repair_is_published_and_survives_a_reload(page: Page, app_url: str, db_url: str, tmp_path):
    t0 = time.monotonic()
    name, sick_day = _publish_a_solved_week(db_url)
    print(f"published in {time.monotonic() - t0:.1f}s")
    page.set_viewport_size({"width": 1500, "height": 2400})
    _sign_in(page, app_url)
    page.locator("[data-testid='stSidebarNav']").get_by_text("Published roster").click()
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Published roster")
    expect(page.get_by_text("E2E week", exact=False).first).to_be_visible()
    expect(page.get_by_role("combobox", name="Who is off sick")).to_have_value(re.compile(re.escape(name)))

    t0 = time.monotonic()
    page.get_by_role("button", name="Find cover").click()
    expect(page.get_by_text(re.compile(r"^Every change \(\d+\)$"))).to_be_visible(timeout=60_000)
    wait_for_app(page)
    print(f"repair shown in {time.monotonic() - t0:.1f}s")
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    shots = Path(os.environ.get("CLINICOPS_SCREENSHOTS", tmp_path))
    page.screenshot(path=str(shots / "roster-repair.png"), full_page=True)

    page.get_by_role("button", name="Publish repair").click()
    expect(page.get_by_text("Repair published")).to_be_visible(timeout=30_000)

    page.reload()
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Published roster")
    expect(page.get_by_text("Sick-call repair").first).to_be_visible()
    expect(page.get_by_text("Find cover")).to_be_visible()  # no repair left open
    page.screenshot(path=str(shots / "roster-after-repair.png"), full_page=True)

    engine = make_engine(db_url)
    with Session(engine) as s:
        rows = s.execute(select(PublishedShift.day, Scenario.kind, Scenario.status)
                         .join(Scenario, Scenario.id == PublishedShift.scenario_id)
                         .where(PublishedShift.day == sick_day)).all()
        absent = published_shifts(s, sick_day, sick_day)
    engine.dispose()
    assert rows and {(kind, status) for _, kind, status in rows} == {("repair", "published")}
    assert name not in set(absent["name"])
