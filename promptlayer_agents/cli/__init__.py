"""The `promptlayer-agents` command line (`main`); its modules are private."""

from ._main import main, parser

__all__ = ["main", "parser"]
