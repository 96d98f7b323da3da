"""Server-side administration: ``python -m data.admin --help``.

Accounts, dashboard links and the audit log, for use on the server (and in
deployment scripts: a password is read from standard input when it is not a
terminal). Reads ``DATABASE_URL`` like the app, and upgrades the schema first.
"""

from data.admin.cli import main

__all__ = ["main"]
