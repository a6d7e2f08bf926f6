"""`python -m planner`: the command line (planner.cli)."""

import sys

from planner.cli import main

sys.exit(main())
