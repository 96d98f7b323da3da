"""Live operations: today's patient flow against the wait-time goal."""

from ui.entry import require_entrypoint

require_entrypoint()


import streamlit as st

from data import kpis, links
from data.goals import practice, rules_on
from ui import access, context, live_board, on_duty

user = access.require_page(__file__)

REFRESH_CHOICES = (5, 10, 15, 30, 60, 120)
SHARED_KEY = "ops_shared_link"

with context.session() as s:
    clinic = practice(s)
    rules = rules_on(s, context.now().date())
location_id = context.selected_location()
day = context.selected_day()
is_today = day == context.now().date()

st.title("Live operations")
seen_words = kpis.SEEN_DEFINITIONS[rules.seen_definition].lower()
st.caption(
    f"{context.escape_markdown(clinic.name)} · goal: every patient {seen_words} within {rules.target_minutes} min "
    f"of check-in, warning at {rules.warning_minutes} min"
    + (" · demo practice: today's patients are simulated around the current time" if clinic.is_demo else "")
    + ("" if access.can("visit.act") else " · read-only for your account")
)

names = context.providers(location_id)
context.seed_from_url("provider", context.PROVIDER_KEY, lambda raw: context.parse_id(raw, names), "provider")
if st.session_state.get(context.PROVIDER_KEY) not in (None, *names):
    st.session_state[context.PROVIDER_KEY] = None
controls = st.columns([2.6, 2, 1.2, 1.2], vertical_alignment="bottom")
provider_id = controls[0].selectbox(
    "Provider", options=[None, *names], format_func=lambda i: "All providers" if i is None else names[i],
    key=context.PROVIDER_KEY,
)
context.write_to_url("provider", provider_id, None)
default_refresh = clinic.board_refresh_seconds if clinic.board_refresh_seconds in REFRESH_CHOICES else 10
refresh = controls[1].select_slider(
    "Refresh every (seconds)", options=REFRESH_CHOICES, value=default_refresh, key="ops_refresh",
    disabled=not is_today,
)
paused = controls[2].toggle("Pause", key="ops_paused", disabled=not is_today, help="Stop the board refreshing itself.")

if access.can("link.manage"):
    with controls[3].popover("Share", icon=":material/share:", help="A read-only link to this board for physicians"):
        where = context.locations().get(location_id, "all locations")
        who = names.get(provider_id, "all providers")
        st.markdown(f"**Read-only link to today's live board** · {context.escape_markdown(where)} · "
                    f"{context.escape_markdown(who)}")
        st.caption("Whoever has the link sees this board (patients as initials only) without signing in, "
                   "until it expires or you revoke it under *Dashboard links*.")
        with st.form("share_link", clear_on_submit=True, border=False):
            label = st.text_input("Label", max_chars=120, placeholder="e.g. Dr. Patel, North clinic")
            days = st.number_input("Expires after (days)", min_value=1, max_value=links.MAX_EXPIRY_DAYS,
                                   value=links.DEFAULT_EXPIRY_DAYS, step=1)
            if st.form_submit_button("Create link", type="primary"):
                try:
                    with context.session() as s:
                        created = links.create_link(
                            s, kind="operations", params={"location_id": location_id, "provider_id": provider_id},
                            label=label, expires_in_days=int(days), actor=context.actor(), now=context.now(),
                        )
                    st.session_state[SHARED_KEY] = (created.link.label, created.token, created.link.expires_at)
                except links.LinkError as refused:
                    st.error(str(refused))

shared = st.session_state.get(SHARED_KEY)
if shared and access.can("link.manage"):
    label, token, expires = shared
    with st.container(border=True):
        st.markdown(f"**Link created: {context.escape_markdown(label)}** · valid until {expires:%d %b %Y %H:%M}. "
                    "Copy it now: it is shown only once.")
        st.code(f"{context.app_root_url()}?link={token}", language=None)
        if st.button("Done", key="ops_shared_done"):
            st.session_state.pop(SHARED_KEY, None)
            st.rerun()

live_board.render(
    day=day,
    location_id=location_id,
    provider_id=provider_id,
    rules=rules,
    refresh_seconds=None if paused else refresh,
    can_act=access.can("visit.act"),
    full_names=access.full_names(),
    still_allowed=access.still_signed_in,  # signed out or deactivated elsewhere: the board stops at once
)

if is_today:
    on_duty.render(location_id, context.now(), manager=access.can("link.manage"))
