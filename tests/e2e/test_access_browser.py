"""In a real browser: who can reach what.

Signed-out visitors get only the sign-in page; a sign-in survives a reload
(HttpOnly cookie) and a sign-out ends it; wrong passwords are throttled; the
front desk cannot open manager pages by URL; a dashboard link shows its one
view read-only, reaches nothing else, and stops at once when revoked; a
tampered or expired link shows no data; injection attempts are shown as text.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from data import accounts, links
from data.db import make_engine
from data.models import DashboardLink, Practice
from tests.e2e.conftest import VIEWPORT, session_cookie, sign_in, wait_for_app

MANAGER_PAGES = ["wait_goal", "users", "staff_planner"]
PWNED = "window.__pwned"


def h1(page: Page):
    return page.locator("h1").first


def no_data(page: Page) -> None:
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
    expect(page.locator("[data-testid='stMetric']")).to_have_count(0)
    expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def new_link(db_url: str, label: str, days: int = 7) -> links.CreatedLink:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        created = links.create_link(s, kind="operations", params={"location_id": 1, "provider_id": None},
                                    label=label, expires_in_days=days, actor="e2e set-up", now=dt.datetime.now())
    engine.dispose()
    return created


def test_signed_out_visitors_see_only_sign_in_and_a_sign_in_lasts_until_sign_out(page: Page, app_url: str):
    for path in ["", *MANAGER_PAGES]:
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        expect(h1(page)).to_have_text("Sign in to ClinicOps")
        no_data(page)
    # Signing in at a deep link lands on that page; the cookie is HttpOnly and survives a reload.
    sign_in(page, app_url, "e2e_manager", path="audit")
    expect(h1(page)).to_have_text("Audit log")
    cookie = None
    for _ in range(50):
        cookie = session_cookie(page.context)
        if cookie:
            break
        page.wait_for_timeout(200)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.evaluate("document.cookie").find("clinicops_session") == -1  # invisible to scripts
    page.reload()
    wait_for_app(page)
    expect(h1(page)).to_have_text("Audit log")
    page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)
    expect(h1(page)).to_have_text("Sign in to ClinicOps")
    page.wait_for_timeout(500)
    page.reload()
    wait_for_app(page)
    expect(h1(page)).to_have_text("Sign in to ClinicOps")
    # Even a copy of the old cookie opens nothing: the session ended in the database.
    other = page.context.browser.new_context(viewport=VIEWPORT)
    other.add_cookies([{**cookie, "sameSite": "Strict"}])
    tab = other.new_page()
    tab.goto(app_url)
    wait_for_app(tab)
    expect(h1(tab)).to_have_text("Sign in to ClinicOps")
    other.close()


def test_wrong_passwords_are_throttled(page: Page, app_url: str, db_url: str):
    engine = make_engine(db_url)
    with Session(engine) as s:
        accounts.create_account(s, username="e2e_slow", display_name="Slow", role="front_desk",
                                password="e2e-slow-password", actor="e2e set-up", now=dt.datetime.now())
    engine.dispose()
    page.goto(app_url)
    wait_for_app(page)
    for _ in range(3):
        page.get_by_role("textbox", name="User name").fill("e2e_slow")
        page.get_by_role("textbox", name="Password").fill("<script>window.__pwned=1</script>")
        page.get_by_role("button", name="Sign in").click()
        wait_for_app(page)
    expect(page.get_by_text("Too many failed sign-ins: wait")).to_be_visible()
    page.get_by_role("textbox", name="User name").fill("e2e_slow")
    page.get_by_role("textbox", name="Password").fill("e2e-slow-password")  # right, but too soon
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)
    expect(h1(page)).to_have_text("Sign in to ClinicOps")
    expect(page.get_by_text("Too many failed sign-ins: wait")).to_be_visible()
    assert page.evaluate(PWNED) is None


def test_front_desk_cannot_open_manager_pages(page: Page, app_url: str):
    sign_in(page, app_url, "e2e_desk")
    nav = page.locator("[data-testid='stSidebarNav']")
    expect(nav.get_by_role("link")).to_have_count(2)
    expect(nav).to_contain_text("Live operations")
    expect(nav).to_contain_text("My account")
    for path, title in [("wait_goal", "Wait-time goal"), ("audit", "Audit log"), ("staff_planner", "Staff planner")]:
        page.goto(f"{app_url}/{path}")
        wait_for_app(page)
        expect(h1(page)).to_have_text("Not available")
        expect(page.get_by_text("Your account cannot open this page.")).to_be_visible()
        expect(page.get_by_role("heading", name=title)).to_have_count(0)
        expect(page.get_by_role("button", name="Save goal")).to_have_count(0)
        expect(page.get_by_role("button", name="Revoke")).to_have_count(0)


def test_a_link_shows_one_view_read_only_and_stops_when_revoked(page: Page, app_url: str, db_url: str):
    label = "<img src=x onerror=window.__pwned=1> **Dr. Alpha** :red[x]"
    created = new_link(db_url, label)
    engine = make_engine(db_url)
    with Session(engine) as s:
        clinic = s.get(Practice, 1)
        saved_refresh, clinic.board_refresh_seconds = clinic.board_refresh_seconds, 2
        s.commit()
    try:
        page.goto(f"{app_url}/?link={created.token}")
        wait_for_app(page)
        expect(h1(page)).to_have_text("Live operations")
        expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
        expect(page.locator("[data-testid='stSidebar']")).to_have_count(0)
        expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
        widgets = "[data-testid='stButton'], [data-testid='stPopover'], [data-testid='stFormSubmitButton']"
        expect(page.locator(widgets)).to_have_count(0)  # no actions, no share, no sign-out
        expect(page.get_by_role("combobox")).to_have_count(0)
        expect(page.get_by_role("slider")).to_have_count(0)
        expect(page.get_by_text(label, exact=False)).to_be_visible()  # the label, literally
        assert page.locator("img[src='x']").count() == 0 and page.evaluate(PWNED) is None
        # The same token at a manager page's address still shows only the shared view.
        page.goto(f"{app_url}/users?link={created.token}")
        wait_for_app(page)
        expect(h1(page)).to_have_text("Live operations")
        expect(page.locator("[data-testid='stSidebarNav']")).to_have_count(0)
        # Without the token the visitor is simply signed out.
        page.goto(f"{app_url}/users")
        wait_for_app(page)
        expect(h1(page)).to_have_text("Sign in to ClinicOps")
        # Revoked while open: gone at the next refresh, with no data left on screen.
        page.goto(f"{app_url}/?link={created.token}")
        wait_for_app(page)
        with Session(engine) as s:
            links.revoke_link(s, created.link.id, actor="e2e", now=dt.datetime.now())
        expect(h1(page)).to_have_text("This link is not valid", timeout=20_000)
        no_data(page)
    finally:
        with Session(engine) as s:
            s.get(Practice, 1).board_refresh_seconds = saved_refresh
            s.commit()
        engine.dispose()


@pytest.mark.parametrize("state", ["tampered", "expired"])
def test_a_tampered_or_expired_link_shows_no_data(page: Page, app_url: str, db_url: str, state: str):
    created = new_link(db_url, f"e2e {state}")
    token = created.token
    if state == "tampered":
        token = token[:-1] + ("x" if token[-1] != "x" else "y")
    else:
        engine = make_engine(db_url)
        with Session(engine) as s:
            s.get(DashboardLink, created.link.id).expires_at = dt.datetime.now() - dt.timedelta(minutes=1)
            s.commit()
        engine.dispose()
    page.goto(f"{app_url}/?link={token}")
    wait_for_app(page)
    expect(h1(page)).to_have_text("This link is not valid")
    no_data(page)


def test_injection_in_the_address_and_in_a_form_is_shown_as_text(manager_page: Page, app_url: str):
    page = manager_page
    attack = "<img src=x onerror=window.__pwned=1>' OR '1'='1"
    page.goto(f"{app_url}/?location={attack}")
    wait_for_app(page)
    notice = page.locator("[data-testid='stAlertContentWarning']").filter(has_text="The address asked for location")
    expect(notice).to_contain_text(attack)
    expect(h1(page)).to_have_text("Live operations")
    page.goto(f"{app_url}/users")
    wait_for_app(page)
    add = page.locator("[data-testid='stForm']").first
    add.get_by_role("textbox", name="Name", exact=True).fill(attack)
    add.get_by_role("textbox", name="User name").fill("e2e_inject")
    add.get_by_role("textbox", name="First password").fill("e2e-inject-password")
    add.get_by_role("button", name="Add").click()
    wait_for_app(page)
    expect(page.locator("[data-testid='stAlertContentSuccess']")).to_contain_text(f"Added {attack} (e2e_inject)")
    assert page.locator("img[src='x']").count() == 0 and page.evaluate(PWNED) is None
