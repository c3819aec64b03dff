"""A local PromptLayer-compatible server for trying the client and testing services offline.

`Sandbox` runs it on a background thread; `promptlayer-agents sandbox` runs it in a terminal;
the `promptlayer_sandbox` pytest fixture (`PromptLayerSandbox`) gives each test a clean one.
Needs the `sandbox` extra: `pip install "promptlayer-agents[sandbox]"`. The names below load on
first use, so importing this package (as the pytest plugin does) costs nothing without it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import DEFAULT_API_KEY, create_app
    from ._cassette import CassetteError
    from ._catalog import CatalogError, load_catalog
    from ._connections import ConnectionTimeouts
    from ._engine import Run
    from ._faults import Faults
    from ._server import Sandbox
    from ._testing import PromptLayerSandbox

EXTRA_MODULES = frozenset({"starlette", "uvicorn", "yaml"})  # what the `sandbox` extra installs

_HOMES = {
    "DEFAULT_API_KEY": "_app",
    "CassetteError": "_cassette",
    "CatalogError": "_catalog",
    "ConnectionTimeouts": "_connections",
    "Faults": "_faults",
    "PromptLayerSandbox": "_testing",
    "Run": "_engine",
    "Sandbox": "_server",
    "create_app": "_app",
    "load_catalog": "_catalog",
}

__all__ = [
    "DEFAULT_API_KEY",
    "CassetteError",
    "CatalogError",
    "ConnectionTimeouts",
    "Faults",
    "PromptLayerSandbox",
    "Run",
    "Sandbox",
    "create_app",
    "load_catalog",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        module = importlib.import_module(f".{_HOMES[name]}", __name__)
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] not in EXTRA_MODULES:
            raise
        raise ImportError(
            f"promptlayer_agents.sandbox needs the 'sandbox' extra ({missing.name} is missing): "
            "pip install 'promptlayer-agents[sandbox]'",
            name=missing.name,
        ) from missing
    return getattr(module, name)
