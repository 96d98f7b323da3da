"""``python -m data.admin``: a real subprocess with piped standard input for the script path,
the other commands in-process (same ``main``), on a temporary database."""

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
from data.admin import cli
from data.db import make_engine
from data.models import Location, UserAccount

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a long enough password"


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    engine = make_engine(url)
    yield url, engine
    engine.dispose()


def run_process(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "data.admin", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def run(engine, *args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = cli.main(list(args), stdin=io.StringIO(stdin), out=out, engine=engine)
    return code, out.getvalue()


def test_a_script_creates_a_user_with_the_password_on_standard_input(db):
    url, engine = db
    made = run_process(url, "create-user", "Dana", "--role", "manager", "--display-name", "Dana Whitfield",
                       stdin=PASSWORD + "\n")
    assert (made.returncode, made.stdout.strip(), made.stderr) == (0, "Created dana (Manager).", "")
    refused = run_process(url, "create-user", "desk", "--role", "front_desk", stdin="short\n")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: A password needs at least 10 characters."
    with Session(engine) as s:
        row = s.scalars(select(UserAccount)).one()
        assert (row.username, row.role, row.display_name) == ("dana", "manager", "Dana Whitfield")
        assert accounts.verify_password(row.password_hash, PASSWORD) and PASSWORD not in row.password_hash
        assert row.created_by.startswith("admin command (")
    exported = run_process(url, "export-audit")
    rows = list(csv.reader(io.StringIO(exported.stdout)))
    assert exported.returncode == 0 and rows[0][:4] == ["id", "at", "actor", "action"]
    assert [r[3] for r in rows[1:]] == ["user.create"] and PASSWORD not in exported.stdout


def test_users_passwords_and_deactivation(db, capsys):
    _, engine = db
    assert run(engine, "create-user", "dana", "--role", "manager", stdin=PASSWORD + "\n")[0] == 0
    assert run(engine, "create-user", "desk", "--role", "front_desk", stdin=PASSWORD + "\n")[0] == 0
    assert run(engine, "create-user", "patel", "--role", "physician", "--email", "p@example.org", "--sso-only") == (
        0, "Created patel (Physician).\n")
    code, listed = run(engine, "list-users")
    assert code == 0
    assert [line.split()[:4] for line in listed.splitlines()[1:]] == [
        ["dana", "manager", "yes", "password"], ["desk", "front_desk", "yes", "password"],
        ["patel", "physician", "yes", "+sso"]]
    assert run(engine, "reset-password", "desk", stdin="another long password\n") == (
        0, "New password set for desk; their sign-ins were ended.\n")
    with Session(engine) as s:
        desk = s.scalars(select(UserAccount).where(UserAccount.username == "desk")).one()
        assert accounts.verify_password(desk.password_hash, "another long password")
    assert run(engine, "deactivate-user", "desk")[0] == 0
    assert run(engine, "deactivate-user", "dana")[0] == 1
    assert "last active manager" in capsys.readouterr().err
    assert run(engine, "reset-password", "nobody", stdin=PASSWORD + "\n")[0] == 1
    assert "no user named 'nobody'" in capsys.readouterr().err
    assert run(engine, "create-user", "x1", "--role", "manager")[0] == 1  # nothing on standard input
    assert capsys.readouterr().err.strip() == "error: No password on standard input."


def test_links_and_the_audit_export(db, tmp_path, capsys):
    _, engine = db
    with Session(engine, expire_on_commit=False) as s:
        cli.upgrade_schema(engine)
        s.add(Location(name="Main"))
        s.commit()
        link = links.create_link(s, kind="operations", params={"location_id": 1}, label="For Dr. A", actor="t",
                                 now=dt.datetime.now())
    code, listed = run(engine, "list-links")
    assert code == 0 and "For Dr. A / Live operations · Main · all providers" in listed
    assert run(engine, "revoke-link", str(link.link.id)) == (0, f"Link #{link.link.id} (For Dr. A) is revoked.\n")
    assert run(engine, "list-links") == (0, "No active links.\n")
    assert "revoked" in run(engine, "list-links", "--all")[1]
    assert run(engine, "revoke-link", "999")[0] == 1
    assert capsys.readouterr().err.strip() == "error: There is no link #999."
    out = tmp_path / "audit.csv"
    assert run(engine, "export-audit", "--out", str(out), "--action", "link.revoke")[0] == 0
    rows = list(csv.reader(out.read_text().splitlines()))
    assert [r[3] for r in rows] == ["action", "link.revoke"]


def test_usage_errors_exit_with_2(db):
    _, engine = db
    for args in ([], ["create-user", "x1", "--role", "boss"], ["export-audit", "--since", "yesterday"]):
        with pytest.raises(SystemExit) as stopped:
            run(engine, *args)
        assert stopped.value.code == 2


def test_on_a_terminal_the_password_is_asked_twice_without_echo(monkeypatch):
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
