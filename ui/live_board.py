"""The live flow board as one function, for the operations page and for shared links.

The same view renders for the front desk (with its action panel), for a
physician or the manager reading along (no actions), and for a dashboard link
(no actions, filters fixed, the link re-checked at every refresh).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from data import kpis
from data.demo import ensure_live_day
from data.kpis import WaitRules
from data.visits import board_frame
from ui import board, context
from ui.format import goal_left, minutes, percent


def render(
    *,
    day: dt.date,
    location_id: int | None,
    provider_id: int | None,
    rules: WaitRules,
    refresh_seconds: int | None,
    can_act: bool,
    full_names: bool = False,
    still_allowed: Callable[[], bool] | None = None,
) -> None:
    """Draw the board; it refreshes itself every ``refresh_seconds`` (None: never).

    ``still_allowed`` runs before every refresh; when it says no, the whole
    app reruns (a revoked link then shows its "not valid" page, with no data).
    """
    is_today = day == context.now().date()

    @st.fragment(run_every=refresh_seconds if is_today else None)
    def live_board() -> None:
        if still_allowed is not None and not still_allowed():
            st.rerun(scope="app")
        now = context.now()
        with context.session() as s:
            if is_today:
                ensure_live_day(s, now)
            visits = board_frame(s, day, location_id, provider_id, full_names=full_names)
        if visits.empty:
            st.info(f"No appointments booked on {day:%A %d %B %Y} for this selection.")
            return
        annotated = kpis.annotate_visits(visits, rules, now)
        if is_today:
            _alerts(annotated, rules)
        _kpi_row(kpis.today_kpis(annotated, rules), rules)
        acting = is_today and can_act
        if acting:
            st.subheader("Front desk")
            board.render_actions(annotated, now)
        st.subheader("Patient flow" if is_today else f"Patient flow on {day:%a %d %b %Y}")
        frame = board.display_frame(annotated, now, show_location=location_id is None)
        board.render_table(frame, selectable=acting, wide_names=full_names)
        note = " · most urgent first"
        if acting:
            note += " · click a row to pick that patient for the front desk"
        elif not is_today:
            note += " · past and future days are read-only"
        else:
            note += " · read-only view"
        st.caption(f"Updated {now:%H:%M:%S}{note}")
        st.subheader("Queue by provider")
        queue = kpis.queue_by_provider(annotated).rename(
            columns={"provider": "Provider", "waiting_now": "Waiting now", "breached": "Past goal",
                     "still_to_come": "Still to arrive"}
        )
        st.dataframe(queue, hide_index=True, width=560, height=38 + 35 * len(queue))

    live_board()


def _alerts(annotated, rules: WaitRules) -> None:
    # in the board's own wording (ui.format), so banners and columns agree to the minute
    waiting = annotated[annotated["waiting"]].sort_values("minutes_left")
    breached = waiting[waiting["band"] == kpis.BREACHED]
    warning = waiting[waiting["band"] == kpis.WARNING]
    if len(breached):
        who = ", ".join(f"{r.patient} ({r.provider}, {minutes(r.wait_min)})" for r in breached.itertuples())
        st.error(f"**{len(breached)} past the {rules.target_minutes}-minute goal:** {context.escape_markdown(who)}",
                 icon=":material/alarm:")
    if len(warning):
        who = ", ".join(f"{r.patient} ({r.provider}, {goal_left(r.minutes_left)})" for r in warning.itertuples())
        st.warning(f"**{len(warning)} about to breach, step in now:** {context.escape_markdown(who)}",
                   icon=":material/timer:")


def _kpi_row(k: kpis.TodayKpis, rules: WaitRules) -> None:
    """Two rows of four cards, so every label fits beside the sidebar: the
    queue right now (with today's walk-outs, who left that queue), then the
    visits seen so far."""
    now = st.columns(4)
    now[0].metric("Waiting now", k.waiting_now, border=True, help="Checked in and not yet seen.")
    now[1].metric("Past goal", k.breached_now, border=True,
                  help=f"Waiting now for longer than {rules.target_minutes} minutes.")
    now[2].metric("Longest (min)", whole(k.longest_current_wait), border=True,
                  help="The longest wait of anyone still waiting, in minutes.")
    now[3].metric("Left unseen", k.left_without_seen, border=True,
                  help="Checked in today and left before being seen; each counts against the goal.")
    today = st.columns(4)
    today[0].metric("Seen", k.seen, border=True, help="Patients seen today.")
    today[1].metric(
        f"≤ {rules.target_minutes} min",
        percent(k.share_within_target),
        help=f"Share of patients seen today within {rules.target_minutes} minutes; "
             f"the goal is {rules.target_share:.0%}.",
        border=True,
        **against_goal(k.share_within_target, rules.target_share),
    )
    today[2].metric("Median (min)", whole(k.median_wait), border=True,
                    help="Median wait of the patients seen today, in minutes.")
    today[3].metric("90th % (min)", whole(k.p90_wait), border=True,
                    help="Nine in ten patients seen today waited at most this long, in minutes.")
    st.caption(
        f"Today so far: {k.no_shows} no-shows. "
        "Median and 90th percentile are over patients already seen; a walk-out counts against the goal."
    )


def against_goal(share: float | None, goal: float) -> dict:
    """The card's delta: points above or below the goal share, named as such;
    a gray "at the goal" when it rounds to zero (a green "+0" read as progress)."""
    if share is None:
        return {}
    points = round((share - goal) * 100)
    if points == 0:
        return {"delta": f"at the {goal:.0%} goal", "delta_color": "off", "delta_arrow": "off"}
    return {"delta": f"{points:+d} pts", "delta_description": f"vs {goal:.0%} goal"}


def whole(minutes_value: float | None) -> str:
    """Minutes as a whole number for a KPI card ('–' when there is none yet)."""
    return "–" if minutes_value is None else f"{int(minutes_value)}"
