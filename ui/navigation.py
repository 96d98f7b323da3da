"""The page registry: every view, its place in the menu, and who may open it.

``app.py`` builds ``st.navigation`` from this list, filtered by the signed-in
role, and every page checks the role again when it runs
(``ui.access.require_page(__file__)``), because a page can be reached by URL.

To add a page, append a ``PageEntry`` (or call ``register``) with the roles
that may open it, e.g. a manager-only planner page::

    register(PageEntry("pages/planner.py", "Staff planner", ":material/event:",
                       "Planning", roles=MANAGER_ONLY))

and start the page file with::

    from ui.entry import require_entrypoint
    require_entrypoint()
    from ui import access
    user = access.require_page(__file__)

``url_path`` is always the file's stem: Streamlit's legacy ``pages/`` mode
(see ``ui/entry.py``) serves a deep link by file name before ``app.py`` runs.
Sections appear in the order of their first page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from data.accounts import FRONT_DESK, MANAGER, PHYSICIAN

ROOT = Path(__file__).resolve().parents[1]
_LOGGER = logging.getLogger(__name__)

EVERYONE = frozenset({MANAGER, FRONT_DESK, PHYSICIAN})
MANAGER_ONLY = frozenset({MANAGER})


@dataclass(frozen=True)
class PageEntry:
    path: str  # relative to the project root, e.g. "pages/operations.py"
    title: str
    icon: str  # ":material/...:"
    section: str
    roles: frozenset[str]
    default: bool = False

    @property
    def url_path(self) -> str:
        return Path(self.path).stem

    def allows(self, role: str | None) -> bool:
        return role in self.roles


PAGES: list[PageEntry] = [
    PageEntry("pages/operations.py", "Live operations", ":material/monitor_heart:", "Today", EVERYONE, default=True),
    PageEntry("pages/wait_goal.py", "Wait-time goal", ":material/timer:", "Goals", frozenset({MANAGER, PHYSICIAN})),
    PageEntry("pages/staff_planner.py", "Staff planner", ":material/event:", "Staff planner", MANAGER_ONLY),
    PageEntry("pages/compare.py", "Compare scenarios", ":material/compare_arrows:", "Staff planner", MANAGER_ONLY),
    PageEntry("pages/roster.py", "Published roster", ":material/calendar_month:", "Staff planner", MANAGER_ONLY),
    PageEntry("pages/planner_inputs.py", "Planning inputs", ":material/tune:", "Staff planner", MANAGER_ONLY),
    PageEntry("pages/links.py", "Dashboard links", ":material/share:", "Administration", MANAGER_ONLY),
    PageEntry("pages/users.py", "Users and access", ":material/group:", "Administration", MANAGER_ONLY),
    PageEntry("pages/audit.py", "Audit log", ":material/history:", "Administration", MANAGER_ONLY),
    PageEntry("pages/account.py", "My account", ":material/account_circle:", "Account", EVERYONE),
]


def register(entry: PageEntry, *, before_section: str | None = None) -> PageEntry:
    """Add a page (replacing one with the same path); ``before_section`` puts it ahead of that section."""
    PAGES[:] = [p for p in PAGES if p.path != entry.path]
    if before_section is not None:
        for index, page in enumerate(PAGES):
            if page.section == before_section:
                PAGES.insert(index, entry)
                return entry
    PAGES.append(entry)
    return entry


def entry_for(page_file: str) -> PageEntry | None:
    """The registry entry of a page file (``__file__`` of the page)."""
    target = Path(page_file).resolve()
    for page in PAGES:
        if (ROOT / page.path).resolve() == target:
            return page
    return None


def pages_for(role: str | None) -> list[PageEntry]:
    """The pages ``role`` may open (an entry whose file is missing is left out, with a log line)."""
    present = []
    for page in PAGES:
        if not page.allows(role):
            continue
        if not (ROOT / page.path).is_file():
            _LOGGER.warning("page %s is registered but its file is missing; left out of the menu", page.path)
            continue
        present.append(page)
    return present


def sections_for(role: str | None) -> dict[str, list[PageEntry]]:
    sections: dict[str, list[PageEntry]] = {}
    for page in pages_for(role):
        sections.setdefault(page.section, []).append(page)
    return sections


def frame(render: Callable[[], None], title: str) -> None:
    """Run ``render`` as the only view, whatever page the address names, with no menu; then stop.

    For the sign-in page and shared links: every registered address (same
    ``url_path``, so the same page id) leads to ``render``, so a deep link
    shows the sign-in page and, once signed in, the page it named.
    """
    st.navigation(
        [st.Page(render, title=title, url_path=p.url_path, default=p.default) for p in PAGES],
        position="hidden",
    ).run()
    st.stop()


def build(role: str):
    """``st.navigation`` over the pages ``role`` may open (the caller runs it).

    The other registered addresses stay known but hidden, and lead to a
    plain "your account cannot open this page" (never to the page's file),
    rather than to Streamlit's "page not found".
    """
    allowed = sections_for(role)
    opened = {p.url_path for entries in allowed.values() for p in entries}
    menu = {
        section: [
            st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path, default=p.default)
            for p in entries
        ]
        for section, entries in allowed.items()
    }
    closed = [
        st.Page(_not_available, title=p.title, url_path=p.url_path, visibility="hidden")
        for p in PAGES if p.url_path not in opened and not p.default
    ]
    if closed:
        menu.setdefault(next(iter(menu), ""), []).extend(closed)
    # Without a default among them, Streamlit opens the first page listed.
    return st.navigation(menu)


def _not_available() -> None:
    st.title("Not available")
    st.error("Your account cannot open this page.", icon=":material/block:")
    st.page_link(PAGES[0].path, label=PAGES[0].title, icon=PAGES[0].icon)
