import sys

from data.admin.cli import main

sys.exit(main())
