"""Dashboard links: the read-only links the manager has shared, and revoking them."""

from ui.entry import require_entrypoint

require_entrypoint()


import pandas as pd
import streamlit as st

from data import links
from ui import access, context

user = access.require_page(__file__)

st.title("Dashboard links")
st.caption(
    "Read-only views shared with physicians without a sign-in. Make one from the page you want to share "
    "(*Live operations* → **Share**); it shows patients as initials only. Revoking a link stops it at once, "
    "also on screens that have it open (at their next refresh)."
)

flash = st.session_state.pop("links_flash", None)
if flash:
    st.success(flash)

show_all = st.toggle("Show expired and revoked links too", key="links_show_all")
now = context.now()
with context.session() as s:
    rows = links.list_links(s, now, include_inactive=show_all)
    described = {link.id: links.describe(s, link) for link in rows}

if not rows:
    st.info("No active links. Open *Live operations*, choose the location and provider, and press **Share**.")
    st.stop()

table = pd.DataFrame(
    {
        "Link": [f"#{link.id}" for link in rows],
        "Label": [link.label for link in rows],
        "Shows": [described[link.id] for link in rows],
        "Status": [link.status(now).capitalize() for link in rows],
        "Created": [link.created_at for link in rows],
        "Created by": [link.created_by for link in rows],
        "Expires": [link.expires_at for link in rows],
        "Last opened": [link.last_access_at for link in rows],
        "Times opened": [link.access_count for link in rows],
    }
)
st.dataframe(
    table, hide_index=True, width="stretch",
    column_config={
        "Created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "Expires": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
        "Last opened": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    },
)

active = [link for link in rows if link.status(now) == "active"]
if active:
    st.subheader("Revoke a link")
    with st.form("revoke_link"):
        choice = st.selectbox(
            "Link", options=[link.id for link in active],
            format_func=lambda i: next(f"#{l.id} · {l.label} · {described[l.id]}" for l in active if l.id == i),
        )
        confirm = st.checkbox("Yes, stop this link now")
        if st.form_submit_button("Revoke", type="primary"):
            if not confirm:
                st.error("Tick the box to confirm.")
            else:
                with context.session() as s:
                    revoked = links.revoke_link(s, int(choice), actor=context.actor(), now=context.now())
                st.session_state["links_flash"] = f"Link #{revoked.id} revoked: it no longer opens anything."
                st.rerun()
