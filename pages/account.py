"""My account: who I am signed in as, my password, where I am signed in."""

from ui.entry import require_entrypoint

require_entrypoint()


import pandas as pd
import streamlit as st

from data import accounts
from data.accounts import AccountError
from ui import access, auth, context

user = access.require_page(__file__)
me = user.account

st.title("My account")
st.markdown(
    f"**{context.escape_markdown(me.display_name)}** · user name {context.inline_code(me.username)} · "
    f"{me.role_label}" + (f" · single sign-on as {context.inline_code(me.email)}" if me.email else "")
)
flash = st.session_state.pop("account_flash", None)
if flash:
    st.success(flash)

left, right = st.columns(2)
with left:
    st.subheader("Change my password")
    if not me.has_password:
        st.caption("Your account signs in through single sign-on only.")
    else:
        with st.form("change_password", clear_on_submit=True):
            current = st.text_input("Current password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH)
            new = st.text_input("New password", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH,
                                help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.")
            again = st.text_input("New password again", type="password", max_chars=accounts.MAX_PASSWORD_LENGTH)
            if st.form_submit_button("Change password", type="primary"):
                if new != again:
                    st.error("The two new passwords differ.")
                else:
                    try:
                        with context.session() as s:
                            accounts.change_own_password(s, user_id=me.id, current=current, new=new,
                                                         keep_session_id=user.session_id, now=context.now())
                        st.session_state["account_flash"] = "Password changed; your other sign-ins were ended."
                        st.rerun()
                    except AccountError as refused:
                        st.error(str(refused))

with right:
    st.subheader("Where I am signed in")
    with context.session() as s:
        sessions = accounts.active_sessions(s, me.id, context.now())
    st.dataframe(
        pd.DataFrame(
            {
                "This browser": ["yes" if x["id"] == user.session_id else "" for x in sessions],
                "Since": [x["started"] for x in sessions],
                "Last seen": [x["last_seen"] for x in sessions],
                "Ends": [x["expires"] for x in sessions],
                "From": [x["address"] for x in sessions],
                "How": [x["method"] for x in sessions],
            }
        ),
        hide_index=True, width="stretch",
        column_config={
            **{c: st.column_config.DatetimeColumn(format="MMM D HH:mm", width=95) for c in ("Since", "Last seen", "Ends")},
            "This browser": st.column_config.TextColumn("Here", width=45),
        },
    )
    st.caption(f"A sign-in lasts {int(accounts.SESSION_LIFETIME.total_seconds() // 3600)} hours, "
               "or until you sign out.")
    buttons = st.columns(2)
    if buttons[0].button("Sign out everywhere else", disabled=len(sessions) <= 1):
        with context.session() as s:
            ended = accounts.end_other_sessions(s, user_id=me.id, keep_session_id=user.session_id,
                                                actor=context.actor(), now=context.now())
        st.session_state["account_flash"] = f"Signed out of {ended} other browser(s)."
        st.rerun()
    if buttons[1].button("Sign out", icon=":material/logout:", type="primary", key="account_sign_out"):
        auth.sign_out()
