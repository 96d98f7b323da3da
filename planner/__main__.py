"""``python -m planner``: see planner/cli.py."""

from planner.cli import main

raise SystemExit(main())
