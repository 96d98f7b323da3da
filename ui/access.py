"""What the signed-in person may do, checked on every page and at every write.

A page starts with::

    from ui.entry import require_entrypoint
    require_entrypoint()
    from ui import access
    user = access.require_page(__file__)      # stops with a notice if the role may not open it

and asks ``access.can("goal.edit")`` before drawing an edit form or an action
button. Writes take their audit actor from ``context.actor()`` (which calls
``access.actor()``), so they are always in the name of the signed-in person.
"""

from __future__ import annotations

import streamlit as st

from data import accounts
from data.accounts import FRONT_DESK, MANAGER, PHYSICIAN, SignedIn
from ui import context, navigation

CURRENT_KEY = "auth_current"
SESSION_KEY = "auth_session_id"

# Capability -> roles. Pages use these names, not role names, for what they draw.
CAPABILITIES: dict[str, frozenset[str]] = {
    "visit.act": frozenset({MANAGER, FRONT_DESK}),  # front-desk actions on the board
    "goal.edit": frozenset({MANAGER}),  # wait-time goal and practice settings
    "link.manage": frozenset({MANAGER}),  # create and revoke dashboard links
    "user.manage": frozenset({MANAGER}),
    "audit.read": frozenset({MANAGER}),
    "names.full": frozenset({MANAGER, FRONT_DESK}),  # may see full names when the practice allows it
}


class NotAllowed(PermissionError):
    """A write attempted by someone who is not (or no longer) allowed to make it."""


def current() -> SignedIn | None:
    """The signed-in session checked by ``app.py`` at the start of this run."""
    return st.session_state.get(CURRENT_KEY)


def role() -> str | None:
    user = current()
    return user.account.role if user else None


def can(capability: str, user: SignedIn | None = None) -> bool:
    user = user or current()
    return user is not None and user.account.role in CAPABILITIES.get(capability, frozenset())


def require_page(page_file: str) -> SignedIn:
    """Stop the page unless the signed-in role may open it (it may have been reached by URL)."""
    user = current()
    entry = navigation.entry_for(page_file)
    if user is None or entry is None or not entry.allows(user.account.role):
        st.title("Not available")
        st.error("Your account cannot open this page.", icon=":material/block:")
        st.page_link(navigation.PAGES[0].path, label="Go to live operations", icon=":material/arrow_back:")
        st.stop()
    return user


def actor(capability: str | None = None) -> str:
    """The audit name of the signed-in person, re-checked in the database now."""
    user = current()
    if user is None:
        raise NotAllowed("Nobody is signed in.")
    with context.session() as s:
        fresh = accounts.session_by_id(s, user.session_id, context.now())
    if fresh is None:
        raise NotAllowed("Your sign-in has ended; sign in again.")
    if capability is not None and not can(capability, fresh):
        raise NotAllowed("Your account cannot do this.")
    return fresh.account.actor


def still_signed_in() -> bool:
    """For views that refresh themselves: is this tab's sign-in still valid right now?"""
    user = current()
    if user is None:
        return False
    with context.session() as s:
        return accounts.session_by_id(s, user.session_id, context.now()) is not None


def full_names() -> bool:
    """Whether this person's screens show patients' full names (a practice setting; initials by default)."""
    if not can("names.full"):
        return False
    with context.session() as s:
        return accounts.patient_name_mode(s) == "full"


__all__ = ["CAPABILITIES", "NotAllowed", "PHYSICIAN", "actor", "can", "current", "full_names", "require_page", "role",
           "still_signed_in"]
