"""The shipped configuration keeps the web protections on and holds no secret."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_xsrf_protection_and_cors_checks_stay_on():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True
    assert config["client"]["showErrorDetails"] == "none"  # no stack trace reaches a browser


def test_no_secrets_file_is_committed_and_the_example_holds_placeholders():
    tracked = subprocess.run(["git", "ls-files", ".streamlit"], cwd=ROOT, capture_output=True, text=True).stdout
    if tracked:  # (a source tarball without .git has nothing to check here)
        assert ".streamlit/secrets.toml" not in tracked.split()
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    for key in ("cookie_secret", "client_id", "client_secret"):
        assert example["auth"][key].startswith("REPLACE-")
