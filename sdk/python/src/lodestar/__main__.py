"""`python -m lodestar`: the same as the `lodestar` command."""

import sys

from .cli import main

sys.exit(main())
