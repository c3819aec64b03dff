"""promptlayer_agents: a typed client for PromptLayer's Agents API.

The generated client lives in the sibling package `promptlayer_agents_api`; this package holds the
hand-written layer on top of it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
