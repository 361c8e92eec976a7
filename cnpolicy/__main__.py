"""`python -m cnpolicy` runs the command line."""

import sys

from cnpolicy.cli import main

sys.exit(main())
