"""A local PromptLayer-compatible server for trying the client and testing services offline.

`Sandbox` runs it on a background thread; `promptlayer-agents sandbox` runs it in a terminal.
Needs the `sandbox` extra: `pip install "promptlayer-agents[sandbox]"`.
"""

from ._app import DEFAULT_API_KEY, create_app
from ._catalog import CatalogError, load_catalog
from ._faults import Faults
from ._server import Sandbox

__all__ = ["DEFAULT_API_KEY", "CatalogError", "Faults", "Sandbox", "create_app", "load_catalog"]
