"""In a real browser: pages render, a check-in persists, a breach shows."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from data.db import make_engine
from data.models import Appointment, Patient, Provider, VisitType
from tests.e2e.conftest import ROOT, wait_for_app

NAV_PAGES = [("", "Live operations"), ("wait_goal", "Wait-time goal"), ("links", "Dashboard links"),
             ("users", "Users and access"), ("audit", "Audit log"), ("account", "My account")]  # default page at /


def add_visit(db_url: str, first: str, last: str, status: str, checked_in_minutes_ago: int | None = None) -> int:
    """A visit booked for now, for a patient with unmistakable initials."""
    engine = make_engine(db_url)
    now = dt.datetime.now().replace(second=0, microsecond=0)
    with Session(engine) as s:
        provider = s.scalars(select(Provider).order_by(Provider.id)).first()
        kind = s.scalars(select(VisitType).order_by(VisitType.id)).first()
        patient = Patient(mrn=f"E2E-{first}{last}", first_name=first, last_name=last, birth_year=1970)
        s.add(patient)
        s.flush()
        visit = Appointment(
            location_id=provider.default_location_id, provider_id=provider.id, patient_id=patient.id,
            visit_type_id=kind.id, scheduled_at=now, duration_minutes=15, booked_at=now - dt.timedelta(days=2),
            status=status,
            checked_in_at=None if checked_in_minutes_ago is None else now - dt.timedelta(minutes=checked_in_minutes_ago),
        )
        s.add(visit)
        s.commit()
        visit_id = visit.id
    engine.dispose()
    return visit_id


@pytest.mark.parametrize(("url_path", "title"), NAV_PAGES)
def test_every_page_renders_without_error(manager_page: Page, app_url: str, url_path: str, title: str):
    page = manager_page
    page.goto(f"{app_url}/{url_path}")
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text(title)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    nav = page.locator("[data-testid='stSidebarNav']")
    for _, nav_title in NAV_PAGES:
        expect(nav.get_by_text(nav_title)).to_be_visible()


def test_check_in_from_the_board_persists_across_reload(manager_page: Page, app_url: str, db_url: str):
    page = manager_page
    visit_id = add_visit(db_url, "Quincy", "Zephyr", "scheduled")
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("Pause", exact=True).click()  # keep the board still while we click
    wait_for_app(page)
    picker = page.get_by_role("combobox", name="Patient")
    picker.click()
    page.keyboard.type("Q.Z.")
    page.get_by_role("option", name="Q.Z.").first.click()
    wait_for_app(page)
    expect(picker).to_have_value(re.compile(r"Q\.Z\. .* Scheduled"))
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Q.Z.: Checked in at")).to_be_visible(timeout=20_000)
    page.reload()
    wait_for_app(page)
    picker = page.get_by_role("combobox", name="Patient")
    picker.click()
    page.keyboard.type("Q.Z.")
    expect(page.get_by_role("option", name="Q.Z.").first).to_contain_text("Checked in")
    engine = make_engine(db_url)
    with Session(engine) as s:
        visit = s.get(Appointment, visit_id)
        assert visit.status == "checked_in" and visit.checked_in_at is not None
    engine.dispose()


def test_a_visit_past_the_target_shows_as_breached(manager_page: Page, app_url: str, db_url: str):
    page = manager_page
    add_visit(db_url, "Xavier", "Vance", "checked_in", checked_in_minutes_ago=25)
    page.goto(app_url)
    wait_for_app(page)
    alert = page.locator("[data-testid='stAlertContentError']").filter(has_text="past the 17-minute goal")
    expect(alert).to_contain_text("X.V.")
    # The most urgent waiting patient is offered first to the front desk.
    expect(page.get_by_role("combobox", name="Patient")).to_have_value(re.compile(r"waiting \d+ min"))
    if os.environ.get("CLINICOPS_UPDATE_SCREENSHOTS"):
        shot = ROOT / "docs" / "flow-board.png"
    else:
        shot = Path(os.environ.get("TMPDIR", "/tmp")) / "clinicops-flow-board.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    wait_for_app(page)  # a refresh may be under way: draw the settled page, not its placeholders
    expect(page.locator("[data-testid='stMetric']").first).to_be_visible()
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot))
