"""The ``python -m data.admin`` command line.

Exit codes: 0 done, 1 refused (bad input, unknown user or link), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from typing import IO

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data import accounts, audit, links
from data.accounts import ROLES, AccountError
from data.db import make_engine, upgrade_schema
from data.links import LinkError


class Refused(Exception):
    """Stop with a message for the operator and exit code 1."""


def _actor() -> str:
    try:
        who = getpass.getuser()
    except Exception:
        who = "unknown"
    return f"admin command ({who})"[:120]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def read_password(stdin: IO[str], *, prompt: str = "Password") -> str:
    """Twice with a hidden prompt on a terminal; otherwise the first line of standard input."""
    if stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        second = getpass.getpass(f"{prompt} again: ")
        if first != second:
            raise Refused("The two passwords differ.")
        return first
    line = stdin.readline()
    if not line:
        raise Refused("No password on standard input.")
    return line.rstrip("\r\n")


def _create_user(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    password = None if args.sso_only else read_password(stdin)
    with Session(engine, expire_on_commit=False) as s:
        made = accounts.create_account(s, username=args.name, display_name=args.display_name or args.name,
                                       role=args.role, password=password, email=args.email, actor=_actor(),
                                       now=_now())
    print(f"Created {made.username} ({made.role_label}).", file=out)


def _reset_password(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    with Session(engine, expire_on_commit=False) as s:
        if accounts.get_account(s, args.name) is None:
            raise Refused(f"There is no user named {accounts.normalize_username(args.name)!r}.")
    password = read_password(stdin, prompt="New password")
    with Session(engine, expire_on_commit=False) as s:
        done = accounts.set_password(s, username=args.name, password=password, actor=_actor(), now=_now())
    print(f"New password set for {done.username}; their sign-ins were ended.", file=out)


def _list_users(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    with Session(engine, expire_on_commit=False) as s:
        people = accounts.list_accounts(s)
    if not people:
        print("No accounts yet.", file=out)
        return
    print(f"{'USER NAME':<20} {'ROLE':<11} {'ACTIVE':<6} {'SIGN-IN':<16} NAME", file=out)
    for p in people:
        how = ("password" if p.has_password else "") + ("+sso" if p.email else "")
        print(f"{p.username:<20} {p.role:<11} {'yes' if p.active else 'no':<6} {how:<16} {p.display_name}", file=out)


def _deactivate_user(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    with Session(engine, expire_on_commit=False) as s:
        done = accounts.set_active(s, username=args.name, active=False, actor=_actor(), now=_now())
    print(f"Deactivated {done.username}; their sign-ins were ended.", file=out)


def _list_links(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    now = _now()
    with Session(engine, expire_on_commit=False) as s:
        rows = links.list_links(s, now, include_inactive=args.all)
        described = {link.id: links.describe(s, link) for link in rows}
    if not rows:
        print("No links." if args.all else "No active links.", file=out)
        return
    print(f"{'ID':>4}  {'STATUS':<8} {'EXPIRES':<16} {'OPENED':>6}  LABEL / VIEW", file=out)
    for link in rows:
        print(f"{link.id:>4}  {link.status(now):<8} {link.expires_at:%Y-%m-%d %H:%M} {link.access_count:>6}  "
              f"{link.label} / {described[link.id]}", file=out)


def _revoke_link(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    with Session(engine, expire_on_commit=False) as s:
        done = links.revoke_link(s, args.id, actor=_actor(), now=_now())
    print(f"Link #{done.id} ({done.label}) is revoked.", file=out)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _export_audit(engine: Engine, args, out: IO[str], stdin: IO[str]) -> None:
    filters = audit.AuditFilter(actor=args.actor, action=args.action, entity=args.entity, start=args.since,
                                end=args.until)
    with Session(engine, expire_on_commit=False) as s:
        if args.out:
            with open(args.out, "w", newline="", encoding="utf-8") as handle:
                count = audit.write_csv(s, handle, filters)
            print(f"Wrote {count} audit entries to {args.out}.", file=sys.stderr)
        else:
            audit.write_csv(s, out, filters)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m data.admin",
                                description="ClinicOps administration: accounts, dashboard links, the audit log.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    c = sub.add_parser("create-user", help="add an account (password from stdin, or prompted twice)")
    c.add_argument("name", help="user name to sign in with")
    c.add_argument("--role", required=True, choices=list(ROLES))
    c.add_argument("--display-name", help="full name shown in the app (default: the user name)")
    c.add_argument("--email", help="e-mail for single sign-on")
    c.add_argument("--sso-only", action="store_true", help="no password: sign in through single sign-on (needs --email)")
    c.set_defaults(run=_create_user)

    r = sub.add_parser("reset-password", help="set a new password (ends the person's sign-ins)")
    r.add_argument("name")
    r.set_defaults(run=_reset_password)

    sub.add_parser("list-users", help="list accounts").set_defaults(run=_list_users)

    d = sub.add_parser("deactivate-user", help="stop an account from signing in (ends its sign-ins)")
    d.add_argument("name")
    d.set_defaults(run=_deactivate_user)

    ll = sub.add_parser("list-links", help="list dashboard links (active ones unless --all)")
    ll.add_argument("--all", action="store_true", help="include expired and revoked links")
    ll.set_defaults(run=_list_links)

    rl = sub.add_parser("revoke-link", help="revoke a dashboard link at once")
    rl.add_argument("id", type=int)
    rl.set_defaults(run=_revoke_link)

    e = sub.add_parser("export-audit", help="the audit log as CSV, newest first")
    e.add_argument("--out", help="file to write (default: standard output)")
    e.add_argument("--since", type=_day, help="first day, YYYY-MM-DD")
    e.add_argument("--until", type=_day, help="last day, YYYY-MM-DD")
    e.add_argument("--actor")
    e.add_argument("--action")
    e.add_argument("--entity")
    e.set_defaults(run=_export_audit)
    return p


def main(argv: list[str] | None = None, *, stdin: IO[str] | None = None, out: IO[str] | None = None,
         engine: Engine | None = None) -> int:
    args = parser().parse_args(argv)
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    own_engine = engine is None
    try:
        engine = engine or make_engine()
        upgrade_schema(engine)
        args.run(engine, args, out, stdin)
        return 0
    except (Refused, AccountError, LinkError) as refused:
        print(f"error: {refused}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 1
    except Exception as failure:  # the database is unreachable, a file cannot be written, ...
        print(f"error: {type(failure).__name__}: {failure}", file=sys.stderr)
        return 1
    finally:
        if own_engine and engine is not None:
            engine.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
