"""Opening a dashboard link: ``/?link=<token>`` shows one view, read-only, without sign-in.

``app.py`` checks ``requested()`` before the sign-in gate and runs ``render``
as the only page. With a ``link`` parameter in the address nothing else runs:
no navigation, no sidebar, no other page, whatever the path. A token that is malformed,
unknown, expired or revoked gets the same plain "not valid" page, with no data.

Each scope kind (``data.links.SCOPE_KINDS``) has a renderer here::

    @renderer("roster")
    def _roster(link: LinkView, still_valid: Callable[[], bool]) -> None:
        ...draw the view from link.scope_params, read-only, initials only...

A renderer draws only from ``link.scope_params`` (never from the address or
widgets that widen the scope) and passes ``still_valid`` to anything that
refreshes itself, so a revoked link stops at its next refresh.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from data import links
from data.goals import practice, rules_on
from data.links import LinkView
from ui import context, live_board

LINK_PARAM = "link"
_OPENED_KEY = "link_opened"  # link ids whose opening was counted in this tab
_REFUSED_KEY = "link_refused_logged"

Renderer = Callable[[LinkView, Callable[[], bool]], None]
RENDERERS: dict[str, Renderer] = {}


def renderer(kind: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[kind] = fn
        return fn

    return register


def requested() -> bool:
    return LINK_PARAM in st.query_params


def render() -> None:
    """Draw the link's view, or the "not valid" page (``app.py`` runs this as the only page)."""
    from ui.auth import client_address

    token = st.query_params.get(LINK_PARAM)
    now = context.now()
    with context.session() as s:
        resolved = links.resolve_link(s, token, now)
        if resolved.link is None or resolved.link.scope_kind not in RENDERERS:
            if not st.session_state.get(_REFUSED_KEY):
                st.session_state[_REFUSED_KEY] = True
                links.record_invalid(s, reason=resolved.reason or "no renderer", address=client_address(), now=now)
            _not_valid()
            return
        link = resolved.link
        opened = st.session_state.setdefault(_OPENED_KEY, set())
        if link.id not in opened:
            opened.add(link.id)
            links.record_access(s, link.id, address=client_address(), now=now)

    def still_valid() -> bool:
        with context.session() as s:
            return links.still_valid(s, link.id, context.now())

    RENDERERS[link.scope_kind](link, still_valid)


def _not_valid() -> None:
    st.title("This link is not valid")
    st.write(
        "It may have expired or been revoked, or it was copied incompletely. "
        "Ask the practice manager for a new link."
    )


@renderer("operations")
def _operations(link: LinkView, still_valid: Callable[[], bool]) -> None:
    now = context.now()
    with context.session() as s:
        clinic = practice(s)
        rules = rules_on(s, now.date())
        scope = links.describe(s, link)
    st.title("Live operations")
    st.caption(
        f"{context.escape_markdown(clinic.name)} · {context.escape_markdown(scope.removeprefix('Live operations · '))}"
        f" · read-only link *{context.escape_markdown(link.label)}*, valid until {link.expires_at:%d %b %Y %H:%M}"
        f" · refreshes every {clinic.board_refresh_seconds} s"
    )
    live_board.render(
        day=now.date(),
        location_id=link.scope_params.get("location_id"),
        provider_id=link.scope_params.get("provider_id"),
        rules=rules,
        refresh_seconds=clinic.board_refresh_seconds,
        can_act=False,
        full_names=False,  # shared views: initials only, whatever the practice setting
        still_allowed=still_valid,
    )
