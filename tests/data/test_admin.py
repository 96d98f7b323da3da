"""``python -m data.admin``: a real subprocess with standard input, on a temporary database."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from data import accounts, links
from data.db import make_engine
from data.models import UserAccount

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def admin(tmp_path):
    url = f"sqlite:///{tmp_path / 'admin.db'}"

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": url}
        return subprocess.run([sys.executable, "-m", "data.admin", *args], input=stdin, capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=60)

    run.url = url
    return run


def test_admin_command_end_to_end(admin):
    made = admin("create-user", "Dana", "--role", "manager", "--display-name", "Dana Whitfield",
                 stdin=PASSWORD + "\n")
    assert (made.returncode, made.stdout.strip()) == (0, "Created dana (Manager).")
    assert PASSWORD not in made.stdout + made.stderr

    engine = make_engine(admin.url)
    with Session(engine) as s:
        row = s.scalars(select(UserAccount)).one()
        assert row.role == "manager" and accounts.verify_password(row.password_hash, PASSWORD)
        assert row.created_by.startswith("admin command (")

    listed = admin("list-users")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:4] == ["dana", "manager", "yes", "password"]

    assert admin("create-user", "desk", "--role", "front_desk", stdin="short\n").returncode == 1
    assert admin("create-user", "desk", "--role", "front_desk", stdin=PASSWORD + "\n").returncode == 0

    reset = admin("reset-password", "desk", stdin="another long password\n")
    assert reset.returncode == 0 and "New password set for desk" in reset.stdout
    with Session(engine) as s:
        desk = s.scalars(select(UserAccount).where(UserAccount.username == "desk")).one()
        assert accounts.verify_password(desk.password_hash, "another long password")

    assert admin("deactivate-user", "desk").returncode == 0
    last = admin("deactivate-user", "dana")
    assert last.returncode == 1 and "last active manager" in last.stderr

    with Session(engine, expire_on_commit=False) as s:
        from data.models import Location

        s.add(Location(name="Main"))
        s.commit()
        link = links.create_link(s, kind="operations", params={"location_id": 1}, label="For Dr. A",
                                 actor="t", now=dt.datetime.now())
    listed_links = admin("list-links")
    assert listed_links.returncode == 0 and "For Dr. A / Live operations · Main · all providers" in listed_links.stdout
    assert admin("revoke-link", str(link.link.id)).returncode == 0
    assert admin("list-links").stdout.strip() == "No active links."
    assert "revoked" in admin("list-links", "--all").stdout
    missing = admin("revoke-link", "999")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: There is no link #999."

    exported = admin("export-audit")
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert exported.returncode == 0 and rows[0][:4] == ["id", "at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["link.revoke", "link.create", "user.deactivate", "user.password_set",
                                        "user.create", "user.create"]
    assert PASSWORD not in exported.stdout
    engine.dispose()


def test_admin_command_usage_errors(admin, tmp_path):
    assert admin().returncode == 2
    assert admin("create-user", "x1", "--role", "boss").returncode == 2
    unknown = admin("reset-password", "nobody", stdin=PASSWORD + "\n")
    assert unknown.returncode == 1 and "no user named 'nobody'" in unknown.stderr
    assert admin("create-user", "dana", "--role", "manager").returncode == 1  # no password on stdin
    out = tmp_path / "audit.csv"
    written = admin("export-audit", "--out", str(out), "--since", "2026-01-01")
    assert written.returncode == 0 and out.read_text().startswith("id,at,actor")
    assert admin("export-audit", "--since", "yesterday").returncode == 2


def test_on_a_terminal_the_password_is_asked_twice_without_echo(monkeypatch):
    from data.admin import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter([PASSWORD, PASSWORD, PASSWORD, "something else"])
    prompts = []
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(answers))
    assert cli.read_password(Terminal()) == PASSWORD
    assert prompts == ["Password: ", "Password again: "]
    with pytest.raises(cli.Refused, match="differ"):
        cli.read_password(Terminal())
    assert cli.read_password(io.StringIO(PASSWORD + "\r\nignored\n")) == PASSWORD
