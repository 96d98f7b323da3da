"""Browser test: the manager edits a coverage requirement in the table, saves it, reloads
the page and sees the new number (a real ``streamlit run app.py`` and Chromium)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from data import planning_store
from data.db import make_engine
from data.roster_models import CoverageRequirement

COVERAGE_GRID = 2  # staff, shift templates, coverage: the page's editable tables in order
PREFERRED_COLUMN = 8  # row marker, #, location, day, from, to, role, minimum, preferred


def settle(page) -> None:
    """Let a rerun start, then wait until it has finished."""
    page.wait_for_timeout(200)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(200)


def test_a_coverage_edit_persists_after_reload(manager_page, app_url, db_url):
    page = manager_page
    engine = make_engine(db_url)
    with Session(engine) as s:
        first = planning_store.coverage(s).iloc[0]
        row = s.get(CoverageRequirement, int(first["id"]))
        original = row.preferred
        wanted = max(row.minimum, row.preferred or 0) + 1
    try:
        page.goto(f"{app_url}/planner_inputs?tab=Coverage+needs")
        page.wait_for_selector("h1:has-text('Planning inputs')", timeout=60_000)
        settle(page)
        assert page.get_by_role("tab", selected=True).inner_text() == "Coverage needs"

        grid = page.locator("[data-testid='stDataFrame']").nth(COVERAGE_GRID)
        cell = grid.locator(f"#glide-cell-{PREFERRED_COLUMN}-0")
        for attempt in range(4):  # a click that lands while the page is still busy is retried
            if attempt:  # from a freshly loaded page: no half-open cell editor, the first row in view
                page.reload()
                page.wait_for_selector("h1:has-text('Planning inputs')", timeout=60_000)
                settle(page)
            if not grid.is_visible():  # a rerun on a loaded machine can leave another tab in front
                page.get_by_role("tab", name="Coverage needs").click()
                settle(page)
            grid.wait_for(state="visible", timeout=60_000)
            grid.scroll_into_view_if_needed()
            box = grid.bounding_box()
            page.mouse.click(box["x"] + 110, box["y"] + 35 + 17)  # the first row's location cell
            for _ in range(PREFERRED_COLUMN - 2):
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
            page.keyboard.press("Control+a")
            page.keyboard.type(str(wanted), delay=50)
            page.keyboard.press("Enter")
            settle(page)
            if cell.count() and cell.inner_text() == str(wanted):
                break
        if cell.inner_text() != str(wanted):
            page.screenshot(path="/tmp/clinicops-coverage-edit-failure.png", full_page=True)
        assert cell.inner_text() == str(wanted), "the edit did not reach the table (screenshot in /tmp)"
        page.get_by_role("button", name="Save coverage").click()
        settle(page)
        page.get_by_text("Saved: 1 changed.").wait_for(timeout=30_000)

        page.reload()  # the tab is in the address (?tab=Coverage+needs), the sign-in in a cookie
        page.wait_for_selector("h1:has-text('Planning inputs')", timeout=60_000)
        settle(page)
        assert page.get_by_role("tab", selected=True).inner_text() == "Coverage needs"
        cell = page.locator("[data-testid='stDataFrame']").nth(COVERAGE_GRID).locator(
            f"#glide-cell-{PREFERRED_COLUMN}-0")
        assert cell.inner_text() == str(wanted)
        with Session(engine) as s:
            assert s.get(CoverageRequirement, int(first["id"])).preferred == wanted
    finally:
        with Session(engine) as s:
            s.get(CoverageRequirement, int(first["id"])).preferred = original
            s.commit()
        engine.dispose()
