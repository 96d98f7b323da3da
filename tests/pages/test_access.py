"""AppTest: first run, sign-in and throttling, role-filtered navigation, read-only views,
links (create, open, revoke), the audit log, users, and view state in the address."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data import links
from data.bootstrap import prepare_database
from data.db import make_engine
from data.models import AuditEntry, DashboardLink, Practice, UserAccount
from tests.pages.conftest import APP, PASSWORDS


def menu(at: AppTest) -> list[str]:
    """URL paths of the page files the navigation of this run opens (AppTest keeps them privately).

    Addresses of pages the role may not open are registered too, but lead to a
    "not available" function, not to a file."""
    return sorted(info.get("url_pathname") or "/" for info in at._registered_pages.values()
                  if str(info.get("script_path") or "").endswith(".py") and "/pages/" in str(info["script_path"]))


def titles(at: AppTest) -> set[str]:
    """Titles of the pages this run registered: a signed-out or link visitor has one view at every address."""
    return {info["page_name"] for info in at._registered_pages.values()}


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "caption", "markdown", "error", "warning", "info", "success")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    return at.button[0].click().run()


# --- first run and sign-in ------------------------------------------------------------


def test_first_run_asks_only_for_the_first_manager_then_signs_them_in(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = make_engine(url)
    prepare_database(engine, dt.datetime.now(), demo=False)
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert [t.value for t in at.title] == ["Welcome to ClinicOps"]
    assert titles(at) == {"Sign in"} and not at.sidebar.children
    assert [b.label for b in at.button] == ["Create the manager account"]
    name, username, password, again = at.text_input
    name.input("Dana Whitfield")
    username.input("dana")
    password.input("first-manager-pw")
    again.input("first-manager-px")
    at = at.button[0].click().run()
    assert [e.value for e in at.error] == ["The two passwords differ."]
    at.text_input[3].input("first-manager-pw")
    at = at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Live operations"
    assert "/" in menu(at) and "users" in menu(at)
    with Session(engine) as s:
        row = s.scalars(select(UserAccount)).one()
        assert (row.username, row.role, row.display_name) == ("dana", "manager", "Dana Whitfield")
        assert "first-manager-pw" not in row.password_hash
    engine.dispose()


def test_signed_out_visitor_sees_only_the_sign_in_page(app_as):
    at = app_as(None).run()
    assert [t.value for t in at.title] == ["Sign in to ClinicOps"]
    assert titles(at) == {"Sign in"}
    assert not at.dataframe and not at.metric and not at.sidebar.children
    at = sign_in(at, "doc", "not the password")
    assert [e.value for e in at.error] == ["The user name or password is not right."]
    at = sign_in(at, "doc", PASSWORDS["doc"])
    assert at.title[0].value == "Live operations"
    assert "Signed in as" in at.sidebar.caption[0].value


def test_wrong_passwords_are_throttled_and_audited(app_as, demo_db_url):
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        from data import accounts

        accounts.create_account(s, username="slowpoke", display_name="Slow Poke", role="front_desk",
                                password="slowpoke-password", actor="test", now=dt.datetime.now())
    at = app_as(None).run()
    for _ in range(3):
        at = sign_in(at, "slowpoke", "<b>wrong</b>' OR '1'='1")
    assert at.error[0].value.startswith("The user name or password is not right. Too many failed sign-ins: wait ")
    at = sign_in(at, "slowpoke", "slowpoke-password")  # right password, but within the wait
    assert at.error[0].value.startswith("Too many failed sign-ins: wait ")
    assert at.title[0].value == "Sign in to ClinicOps"
    with Session(engine) as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == "slowpoke")
                            .order_by(AuditEntry.id)).all()
        assert actions == ["signin.failed"] * 3 + ["signin.throttled"]
        dumped = " ".join(str(v) for v in s.scalars(select(AuditEntry.new_value)).all())
        assert "wrong</b>" not in dumped and "slowpoke-password" not in dumped
    engine.dispose()


def test_sign_out_ends_the_session_in_the_database(app_as):
    at = app_as("front_desk").run()
    at = at.sidebar.button[0].click().run()
    assert [t.value for t in at.title] == ["Sign in to ClinicOps"]
    assert "auth_session_id" not in at.session_state


# --- roles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("manager", ["/", "account", "audit", "links", "users", "wait_goal"]),
        ("front_desk", ["/", "account"]),
        ("physician", ["/", "account", "wait_goal"]),
    ],
)
def test_navigation_shows_only_what_the_role_may_open(app_as, role, pages):
    at = app_as(role).run()
    shown = [p for p in menu(at) if p in {"/", "account", "audit", "links", "users", "wait_goal"}]
    assert shown == pages
    if "users" not in pages:  # a page outside the menu cannot be opened either
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page("pages/users.py")
        hidden = {info["url_pathname"]: info for info in at._registered_pages.values()}["users"]
        assert hidden["page_name"] == "Users and access" and "/pages/" not in str(hidden.get("script_path"))


def test_physician_sees_operations_and_the_goal_read_only(app_as):
    at = app_as("physician").run()
    assert at.title[0].value == "Live operations"
    assert "Front desk" not in {h.value for h in at.subheader}
    assert [b.label for b in at.button] == ["Sign out"]  # no actions, no share
    assert "read-only for your account" in at.caption[0].value
    assert at.dataframe[0].value["Patient"].str.fullmatch(r"[A-Z]\.[A-Z]\.").all()
    at = at.switch_page("pages/wait_goal.py").run()
    assert not at.exception and at.title[0].value == "Wait-time goal"
    assert not [b for b in at.button if b.label in ("Save goal", "Save")]
    assert not at.number_input and not at.radio
    assert "Read-only for your account" in texts(at)


def test_front_desk_acts_on_the_board_but_cannot_share(app_as):
    at = app_as("front_desk").run()
    assert "Front desk" in {h.value for h in at.subheader}
    assert "Share" not in [p.label for p in at.get("popover")]
    assert not [b for b in at.button if b.label == "Create link"]


# --- links ------------------------------------------------------------------------------


def test_manager_shares_the_board_then_revokes_the_link(app, demo_db_url):
    at = app.run()
    label = next(t for t in at.text_input if t.label == "Label")
    label.input("Dr. Alpha <b>Main</b>")
    at = next(b for b in at.button if b.label == "Create link").click().run()
    assert not at.exception
    url = next(c.value for c in at.code if "?link=" in c.value)
    token = url.split("?link=")[1]
    assert url.startswith("http://localhost:8501/?link=") and len(token) == 43
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        row = s.scalars(select(DashboardLink).where(DashboardLink.label == "Dr. Alpha <b>Main</b>")).one()
        assert row.token_hash == links.hash_token(token) and row.scope_kind == "operations"
        assert row.expires_at - row.created_at == dt.timedelta(days=7)
    at = at.switch_page("pages/links.py").run()
    table = at.dataframe[0].value
    assert "Dr. Alpha <b>Main</b>" in set(table["Label"])
    assert table[table["Label"] == "Dr. Alpha <b>Main</b>"]["Status"].item() == "Active"
    next(s for s in at.selectbox if s.label == "Link").set_value(row.id)
    at.checkbox[0].check()
    at = next(b for b in at.button if b.label == "Revoke").click().run()
    assert f"Link #{row.id} revoked" in at.success[0].value
    with Session(engine) as s:
        assert s.get(DashboardLink, row.id).revoked_at is not None
    engine.dispose()


def make_link(db_url: str, label: str = "Physicians", days: int = 7) -> links.CreatedLink:
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        created = links.create_link(s, kind="operations", params={"location_id": 1, "provider_id": None},
                                    label=label, expires_in_days=days, actor="test", now=dt.datetime.now())
    engine.dispose()
    return created


def test_a_link_opens_its_view_read_only_without_sign_in(app_as, demo_db_url):
    created = make_link(demo_db_url)
    at = app_as(None)
    at.query_params["link"] = created.token
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Live operations"]
    assert titles(at) == {"Shared dashboard"} and not at.sidebar.children
    assert not at.button and not at.selectbox and not at.get("popover")
    board = at.dataframe[0].value
    assert "Location" not in board.columns  # fixed to one location
    assert board["Patient"].str.fullmatch(r"[A-Z]\.[A-Z]\.").all()
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        assert s.get(DashboardLink, created.link.id).access_count == 1
        opened = s.scalars(select(AuditEntry).where(AuditEntry.action == "link.open",
                                                    AuditEntry.entity_id == str(created.link.id))).one()
        assert opened.actor == f"link #{created.link.id} (Physicians)"
    engine.dispose()


@pytest.mark.parametrize("state", ["tampered", "expired", "revoked"])
def test_a_bad_link_shows_only_the_not_valid_page(app_as, demo_db_url, state):
    created = make_link(demo_db_url, label=f"bad {state}")
    token = created.token
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        if state == "tampered":
            token = token[:-1] + ("x" if token[-1] != "x" else "y")
        elif state == "expired":
            s.get(DashboardLink, created.link.id).expires_at = dt.datetime.now() - dt.timedelta(seconds=1)
            s.commit()
        else:
            links.revoke_link(s, created.link.id, actor="test", now=dt.datetime.now())
    engine.dispose()
    at = app_as("manager")  # even a signed-in manager gets nothing from a bad link
    at.query_params["link"] = token
    at.run()
    assert [t.value for t in at.title] == ["This link is not valid"]
    assert not at.dataframe and not at.metric and not at.button and titles(at) == {"Shared dashboard"}


# --- the audit log and users ------------------------------------------------------------


def test_audit_log_filters_and_offers_a_csv(app):
    at = app.run().switch_page("pages/audit.py").run()
    assert not at.exception and at.title[0].value == "Audit log"
    assert at.dataframe[0].value["When"].is_monotonic_decreasing
    action = at.selectbox(key="audit_action")
    assert "user.create" in action.options
    at = action.set_value("user.create").run()
    assert set(at.dataframe[0].value["Action"]) == {"user.create"}
    assert at.get("download_button")


def test_manager_adds_a_person_and_the_role_applies(app, demo_db_url):
    at = app.run().switch_page("pages/users.py").run()
    form = {}
    for field in at.text_input:  # the first form on the page is "Add a person"
        form.setdefault(field.label, field)
    form["Name"].input("Dr. <script>alert(1)</script>")
    form["User name"].input("newdoc")
    at.selectbox[0].set_value("physician")
    form["First password"].input("newdoc-password-1")
    at = next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert at.success[0].value == r"Added Dr\. \<script\>alert\(1\)\</script\> \(newdoc\) as physician\."
    assert "Dr. <script>alert(1)</script>" in set(at.dataframe[0].value["Name"])


def test_full_names_setting_applies_to_staff_screens_but_never_to_links(app, app_as, demo_db_url):
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        s.get(Practice, 1).patient_names = "full"
        s.commit()
    try:
        at = app.run()
        assert at.dataframe[0].value["Patient"].str.contains(" ").all()
        doctor = app_as("physician").run()
        assert doctor.dataframe[0].value["Patient"].str.fullmatch(r"[A-Z]\.[A-Z]\.").all()
        shared = app_as(None)
        shared.query_params["link"] = make_link(demo_db_url).token
        shared.run()
        assert shared.dataframe[0].value["Patient"].str.fullmatch(r"[A-Z]\.[A-Z]\.").all()
    finally:
        with Session(engine) as s:
            s.get(Practice, 1).patient_names = "initials"
            s.commit()
        engine.dispose()


# --- view state in the address ----------------------------------------------------------


def _past_clinic_weekday() -> dt.date:
    """Three or more days back, a weekday the demo clinic's second location was open
    (it is closed at weekends and on holidays: Thanksgiving broke a plain 'three days ago')."""
    from data.demo.schedule import is_holiday

    day = dt.date.today() - dt.timedelta(days=3)
    while day.weekday() >= 5 or is_holiday(day):
        day -= dt.timedelta(days=1)
    return day


def test_the_address_sets_location_provider_and_date(app):
    at = app
    day = _past_clinic_weekday()
    at.query_params.update({"location": "2", "date": day.isoformat()})
    at.run()
    assert not at.exception
    assert at.selectbox(key="location").value == 2
    assert at.date_input(key="date").value == day
    assert f"Patient flow on {day:%a %d %b %Y}" in {h.value for h in at.subheader}
    assert not at.warning


@pytest.mark.parametrize("bad", ["999", "1' OR '1'='1", "<script>alert(1)</script>", "**bold** :red[x] $x$"])
def test_a_bad_value_in_the_address_is_ignored_with_a_notice(app, demo_db_url, bad):
    at = app
    at.query_params.update({"location": bad, "date": "2026-02-30"})
    at.run()
    assert not at.exception
    assert at.selectbox(key="location").value is None
    assert at.date_input(key="date").value == dt.date.today()
    notices = [w.value for w in at.warning]
    assert any(n.startswith("The address asked for location `") and bad in n for n in notices)
    assert any("date ` 2026-02-30 `" in n for n in notices)
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count(UserAccount.id))) >= 3  # nothing was dropped
    engine.dispose()


# --- single sign-on ---------------------------------------------------------------------

SSO = {"client_id": "clinicops", "client_secret": "not-a-real-secret", "cookie_secret": "not-a-real-cookie-secret",
       "redirect_uri": "http://localhost:8501/oauth2callback",
       "server_metadata_url": "https://idp.example.org/.well-known/openid-configuration"}


def test_single_sign_on_maps_the_email_to_the_account_and_its_role(app_as, demo_db_url):
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        from data import accounts

        if accounts.get_account(s, "sso_doc") is None:
            accounts.create_account(s, username="sso_doc", display_name="Dr. Single", role="physician", password=None,
                                    email="dr.single@example.org", actor="test", now=dt.datetime.now())
    engine.dispose()
    at = app_as(None)
    at.secrets["auth"] = SSO
    at.run()
    assert "Sign in with single sign-on" in [b.label for b in at.button]
    at = app_as(None)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": True, "email": "Dr.Single@example.org"}
    at.run()
    assert at.title[0].value == "Live operations"
    assert menu(at) == ["/", "account", "wait_goal"]
    assert "Dr\\. Single" in at.sidebar.caption[0].value


def test_single_sign_on_with_an_unknown_email_is_refused(app_as):
    at = app_as(None)
    at.secrets["auth"] = SSO
    at.user = {"is_logged_in": True, "email": "stranger@example.org"}
    at.run()
    assert at.title[0].value == "Sign in to ClinicOps"
    assert "has no active ClinicOps account" in at.error[0].value
    assert "Sign out of single sign-on" in [b.label for b in at.button]


def test_a_sign_in_ended_elsewhere_signs_the_tab_out_at_its_next_run(app_as, demo_db_url):
    at = app_as("front_desk").run()
    assert at.dataframe
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        from data import accounts

        accounts.end_session(s, at.session_state["auth_session_id"], actor="test", now=dt.datetime.now())
    engine.dispose()
    at = at.run()  # (a board refresh checks the same thing, and reruns the app when it fails)
    assert [t.value for t in at.title] == ["Sign in to ClinicOps"] and not at.dataframe
