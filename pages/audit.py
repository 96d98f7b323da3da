"""Audit log: every change, sign-in and link opening, newest first. Read-only."""

from ui.entry import require_entrypoint

require_entrypoint()


import datetime as dt
import io
import json

import pandas as pd
import streamlit as st

from data import audit
from ui import access, context

user = access.require_page(__file__)
PAGE_SIZE = 50
ANY = None

st.title("Audit log")
st.caption(
    "Who (a person, a shared link, or a sign-in attempt from an address) did what, and when, with the old and "
    "new values. Entries are never edited or deleted. Passwords and tokens are never recorded."
)

with context.session() as s:
    actors = audit.distinct(s, "actor")
    actions = audit.distinct(s, "action")
    entities = audit.distinct(s, "entity")

today = context.now().date()
cols = st.columns([3, 2, 2, 3])
actor = cols[0].selectbox("Who", options=[ANY, *actors], format_func=lambda v: "Anyone" if v is None else v,
                          key="audit_actor")
action = cols[1].selectbox("Action", options=[ANY, *actions], format_func=lambda v: "Any action" if v is None else v,
                           key="audit_action")
entity = cols[2].selectbox("On", options=[ANY, *entities], format_func=lambda v: "Anything" if v is None else v,
                           key="audit_entity")
period = cols[3].date_input("Between", value=(today - dt.timedelta(days=30), today), format="YYYY-MM-DD",
                            key="audit_period")
start, end = (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (
    (period[0], period[0]) if isinstance(period, tuple) and period else (None, None))
filters = audit.AuditFilter(actor=actor, action=action, entity=entity, start=start, end=end)

with context.session() as s:
    total = audit.count(s, filters)
pages = max(1, -(-total // PAGE_SIZE))
if st.session_state.get("audit_filters") != filters:
    st.session_state["audit_filters"] = filters
    st.session_state["audit_page"] = 1
nav = st.columns([2, 1, 4], vertical_alignment="bottom")
page_number = nav[0].number_input(f"Page (of {pages})", min_value=1, max_value=pages, step=1, key="audit_page")
with context.session() as s:
    rows = audit.entries(s, filters, limit=PAGE_SIZE, offset=(int(page_number) - 1) * PAGE_SIZE)


def _values(value) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


if not rows:
    st.info("No entries match these filters.")
else:
    st.caption(f"{total:,} entries match · showing {(page_number - 1) * PAGE_SIZE + 1:,}–"
               f"{(page_number - 1) * PAGE_SIZE + len(rows):,}, newest first")
    st.dataframe(
        pd.DataFrame(
            {
                "When": [r["at"] for r in rows],
                "Who": [r["actor"] for r in rows],
                "Action": [r["action"] for r in rows],
                "On": [r["entity"] for r in rows],
                "Id": [r["entity_id"] or "" for r in rows],
                "Before": [_values(r["old_value"]) for r in rows],
                "After": [_values(r["new_value"]) for r in rows],
            }
        ),
        hide_index=True, width="stretch", height=min(38 + 35 * len(rows), 740),
        column_config={
            "When": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss", width=150),
            "Who": st.column_config.TextColumn(width=180),
            "Id": st.column_config.TextColumn(width=70),
            "Before": st.column_config.TextColumn(width=260),
            "After": st.column_config.TextColumn(width=420),
        },
    )


def _csv() -> str:
    out = io.StringIO()
    with context.session() as s:
        audit.write_csv(s, out, filters)
    return out.getvalue()


nav[2].download_button(
    "Download these entries as CSV", data=_csv, file_name=f"clinicops-audit-{today:%Y%m%d}.csv",
    mime="text/csv", icon=":material/download:", disabled=total == 0, on_click="ignore",
)
