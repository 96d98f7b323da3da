"""Users and access: accounts, roles, passwords, and how staff screens name patients."""

from ui.entry import require_entrypoint

require_entrypoint()


import pandas as pd
import streamlit as st

from data import accounts
from data.accounts import PATIENT_NAME_MODES, ROLES, AccountError
from ui import access, context

user = access.require_page(__file__)
FLASH = "users_flash"

st.title("Users and access")
st.caption(
    "**Manager**: everything. **Front desk**: live operations and its actions. "
    "**Physician**: read-only views (the board without actions, the wait-time goal without its forms). "
    "Passwords are stored only as argon2 hashes; nobody, not even a manager, can read them."
)
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)

with context.session() as s:
    people = accounts.list_accounts(s)
    names_mode = accounts.patient_name_mode(s)

st.dataframe(
    pd.DataFrame(
        {
            "User name": [p.username for p in people],
            "Name": [p.display_name for p in people],
            "Role": [p.role_label for p in people],
            "Sign-in": [("password" if p.has_password else "") + (" + single sign-on" if p.email else "")
                        for p in people],
            "E-mail (single sign-on)": [p.email or "" for p in people],
            "Active": [p.active for p in people],
            "Last sign-in": [p.last_sign_in_at for p in people],
        }
    ),
    hide_index=True, width="stretch",
    column_config={"Last sign-in": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")},
)


def _done(message: str) -> None:
    """Say what happened on the next run (names in it are shown literally)."""
    st.session_state[FLASH] = context.escape_markdown(message)
    st.rerun()


add, change = st.columns(2)
with add:
    st.subheader("Add a person")
    with st.form("add_user", clear_on_submit=True):
        name = st.text_input("Name", max_chars=120, placeholder="e.g. Dr. Priya Patel")
        username = st.text_input("User name", max_chars=60, placeholder="e.g. ppatel")
        role = st.selectbox("Role", options=list(ROLES), format_func=ROLES.get, index=1)
        password = st.text_input("First password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH,
                                 help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters; tell it to the person, "
                                      "who can change it under *My account*. Leave empty for single sign-on only.")
        email = st.text_input("E-mail for single sign-on (optional)", max_chars=200)
        if st.form_submit_button("Add", type="primary"):
            try:
                with context.session() as s:
                    made = accounts.create_account(
                        s, username=username, display_name=name, role=role, password=password or None,
                        email=email or None, actor=context.actor(), now=context.now(),
                    )
                _done(f"Added {made.display_name} ({made.username}) as {made.role_label.lower()}.")
            except AccountError as refused:
                st.error(str(refused))

with change:
    st.subheader("Change a person")
    if not people:
        st.info("Nobody to change yet.")
    else:
        by_name = {p.username: p for p in people}
        chosen = st.selectbox("Person", options=list(by_name),
                              format_func=lambda u: f"{by_name[u].display_name} ({u})"
                              + ("" if by_name[u].active else " · deactivated"),
                              key="users_person")
        person = by_name[chosen]
        details, password_tab, status_tab = st.tabs(["Name and role", "Password", "Deactivate"])
        with details, st.form("edit_user"):
            new_name = st.text_input("Name", value=person.display_name, max_chars=120)
            new_role = st.selectbox("Role", options=list(ROLES), format_func=ROLES.get,
                                    index=list(ROLES).index(person.role))
            new_email = st.text_input("E-mail for single sign-on", value=person.email or "", max_chars=200)
            if st.form_submit_button("Save"):
                try:
                    with context.session() as s:
                        accounts.update_account(s, username=person.username, display_name=new_name, role=new_role,
                                                email=new_email or None, actor=context.actor(), now=context.now())
                    _done(f"Saved {person.username}. A role change signs them out everywhere.")
                except AccountError as refused:
                    st.error(str(refused))
        with password_tab, st.form("reset_password", clear_on_submit=True):
            first = st.text_input("New password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH)
            again = st.text_input("New password again", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH)
            if st.form_submit_button("Set password"):
                if first != again:
                    st.error("The two passwords differ.")
                else:
                    try:
                        with context.session() as s:
                            accounts.set_password(s, username=person.username, password=first,
                                                  actor=context.actor(), now=context.now())
                        _done(f"New password set for {person.username}; they were signed out everywhere.")
                    except AccountError as refused:
                        st.error(str(refused))
        with status_tab:
            if person.username == user.account.username:
                st.caption("You cannot deactivate your own account here.")
            elif person.active:
                st.caption("A deactivated person is signed out at once and cannot sign in; their history stays.")
                if st.button("Deactivate", key="users_deactivate"):
                    try:
                        with context.session() as s:
                            accounts.set_active(s, username=person.username, active=False, actor=context.actor(),
                                                now=context.now())
                        _done(f"{person.username} is deactivated.")
                    except AccountError as refused:
                        st.error(str(refused))
            elif st.button("Reactivate", key="users_reactivate"):
                with context.session() as s:
                    accounts.set_active(s, username=person.username, active=True, actor=context.actor(),
                                        now=context.now())
                _done(f"{person.username} can sign in again.")

st.divider()
st.subheader("Patient names on staff screens")
with st.form("privacy"):
    mode = st.radio(
        "Signed-in manager and front-desk screens show patients as",
        options=list(PATIENT_NAME_MODES), format_func=PATIENT_NAME_MODES.get,
        index=list(PATIENT_NAME_MODES).index(names_mode), horizontal=True,
        help="Physician accounts and shared dashboard links always show initials only.",
    )
    if st.form_submit_button("Save"):
        with context.session() as s:
            accounts.set_patient_name_mode(s, mode=mode, actor=context.actor(), now=context.now())
        _done(f"Staff screens now show {PATIENT_NAME_MODES[mode].lower()}.")
