"""A local PromptLayer-compatible server for trying the client and testing services offline.

`Sandbox` runs it on a background thread; `promptlayer-agents sandbox` runs it in a terminal.
Needs the `sandbox` extra: `pip install "promptlayer-agents[sandbox]"`.
"""

EXTRA_MODULES = frozenset({"starlette", "uvicorn", "yaml"})  # what the `sandbox` extra installs

try:
    from ._app import DEFAULT_API_KEY, create_app
    from ._catalog import CatalogError, load_catalog
    from ._faults import Faults
    from ._server import Sandbox
except ModuleNotFoundError as missing:
    if (missing.name or "").split(".")[0] not in EXTRA_MODULES:
        raise
    raise ImportError(
        f"promptlayer_agents.sandbox needs the 'sandbox' extra ({missing.name} is missing): "
        "pip install 'promptlayer-agents[sandbox]'",
        name=missing.name,
    ) from missing

__all__ = ["DEFAULT_API_KEY", "CatalogError", "Faults", "Sandbox", "create_app", "load_catalog"]
