"""ClinicOps: the operations dashboard and staff planner for a medical office.

Entrypoint and frame: page config, the database, a shared dashboard link or
the sign-in gate, navigation for the signed-in role and the shared sidebar.
Each view lives in ``pages/``; the page registry is ``ui/navigation.py``.

``streamlit run app.py`` imports this file once to find ``app`` (an
``st.App`` that adds the sign-in cookie endpoints of ``ui/auth_routes.py``)
and then runs it as the script of every browser session (``__main__``).
"""

import streamlit as st

if __name__ != "__main__":  # imported by the server: serve this same file, plus the cookie endpoints
    from ui.auth_routes import routes

    app = st.App(__file__, routes=routes())

else:
    from ui import auth, link_views, navigation, solver
    from ui.context import engine, shared_sidebar, show_url_notices
    from ui.entry import leave_legacy_pages_mode

    leave_legacy_pages_mode()

    st.set_page_config(page_title="ClinicOps", page_icon=":material/local_hospital:", layout="wide")

    engine()  # create or upgrade the database before any page reads it
    solver.ensure_worker()  # queued roster solves run in this process's background worker

    if link_views.requested():  # /?link=<token>: that one read-only view, nothing else
        navigation.frame(link_views.render, "Shared dashboard")
    user = auth.gate()
    if user is None:  # the sign-in page (or the first manager's form), nothing else
        navigation.frame(auth.signed_out_page, "Sign in")

    page = navigation.build(user.account.role)
    shared_sidebar()
    auth.sidebar_account(user)
    show_url_notices()
    page.run()
