"""Live operations: today's patient flow against the wait-time goal."""

from ui.entry import require_entrypoint

require_entrypoint()


import streamlit as st

from data import kpis
from data.demo import ensure_live_day
from data.goals import practice, rules_on
from data.visits import board_frame
from ui import board, context
from ui.format import minutes, percent

REFRESH_CHOICES = (5, 10, 15, 30, 60, 120)

with context.session() as s:
    clinic = practice(s)
    rules = rules_on(s, context.now().date())
location_id = context.selected_location()
day = context.selected_day()
is_today = day == context.now().date()

st.title("Live operations")
seen_words = kpis.SEEN_DEFINITIONS[rules.seen_definition].lower()
st.caption(
    f"{clinic.name} · goal: every patient {seen_words} within {rules.target_minutes} min of check-in, "
    f"warning at {rules.warning_minutes} min"
    + (" · demo practice: today's patients are simulated around the current time" if clinic.is_demo else "")
)

names = context.providers(location_id)
controls = st.columns([3, 2, 1])
provider_id = controls[0].selectbox(
    "Provider", options=[None, *names], format_func=lambda i: "All providers" if i is None else names[i],
    key="ops_provider",
)
default_refresh = clinic.board_refresh_seconds if clinic.board_refresh_seconds in REFRESH_CHOICES else 10
refresh = controls[1].select_slider(
    "Refresh every (seconds)", options=REFRESH_CHOICES, value=default_refresh, key="ops_refresh",
    disabled=not is_today,
)
paused = controls[2].toggle("Pause", key="ops_paused", disabled=not is_today, help="Stop the board refreshing itself.")


@st.fragment(run_every=None if (paused or not is_today) else refresh)
def live_board() -> None:
    now = context.now()
    with context.session() as s:
        if is_today:
            ensure_live_day(s, now)
        visits = board_frame(s, day, location_id, provider_id)
    if visits.empty:
        st.info(f"No appointments booked on {day:%A %d %B %Y} for this selection.")
        return
    annotated = kpis.annotate_visits(visits, rules, now)
    if is_today:
        _alerts(annotated)
    _kpi_row(kpis.today_kpis(annotated, rules))
    if is_today:
        st.subheader("Front desk")
        board.render_actions(annotated, now)
    st.subheader("Patient flow" if is_today else f"Patient flow on {day:%a %d %b %Y}")
    frame = board.display_frame(annotated, now, show_location=location_id is None)
    board.render_table(frame, selectable=is_today)
    st.caption(
        f"Updated {now:%H:%M:%S} · most urgent first"
        + (" · click a row to pick that patient for the front desk" if is_today
           else " · past and future days are read-only")
    )
    st.subheader("Queue by provider")
    queue = kpis.queue_by_provider(annotated).rename(
        columns={"provider": "Provider", "waiting_now": "Waiting now", "breached": "Past goal",
                 "still_to_come": "Still to arrive"}
    )
    st.dataframe(queue, hide_index=True, width=560, height=38 + 35 * len(queue))


def _alerts(annotated) -> None:
    waiting = annotated[annotated["waiting"]].sort_values("minutes_left")
    breached = waiting[waiting["band"] == kpis.BREACHED]
    warning = waiting[waiting["band"] == kpis.WARNING]
    if len(breached):
        who = ", ".join(f"{r.patient} ({r.provider}, {int(r.wait_min)} min)" for r in breached.itertuples())
        st.error(f"**{len(breached)} past the {rules.target_minutes}-minute goal:** {who}", icon=":material/alarm:")
    if len(warning):
        who = ", ".join(f"{r.patient} ({r.provider}, {int(r.minutes_left)} min left)" for r in warning.itertuples())
        st.warning(f"**{len(warning)} about to breach, step in now:** {who}", icon=":material/timer:")


def _kpi_row(k: kpis.TodayKpis) -> None:
    cells = st.columns(7)
    cells[0].metric("Waiting now", k.waiting_now, border=True)
    cells[1].metric("Past goal now", k.breached_now, border=True)
    cells[2].metric("Longest wait now", minutes(k.longest_current_wait), border=True)
    cells[3].metric(
        f"Within {rules.target_minutes} min",
        percent(k.share_within_target),
        delta=None if k.share_within_target is None
        else f"{(k.share_within_target - rules.target_share) * 100:+.0f} pts",
        help=f"Share of patients seen today within the target; the goal is {rules.target_share:.0%}.",
        border=True,
    )
    cells[4].metric("Median wait", minutes(k.median_wait), border=True)
    cells[5].metric("90th pct wait", minutes(k.p90_wait), border=True)
    cells[6].metric("Seen", k.seen, border=True)
    st.caption(
        f"Today so far: {k.no_shows} no-shows, {k.left_without_seen} left without being seen. "
        "Median and 90th percentile are over patients already seen; a walk-out counts against the goal."
    )


live_board()
