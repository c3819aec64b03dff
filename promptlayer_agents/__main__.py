"""`python -m promptlayer_agents`: the `promptlayer-agents` command line."""

import sys

from .cli import main

sys.exit(main())
