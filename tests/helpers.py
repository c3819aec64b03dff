"""Shared test helpers: the spec as data, and generated clients wired to a mocked transport."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml

from promptlayer_agents_api import AuthenticatedClient

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BASE_URL = "https://api.promptlayer.com"
API_KEY = "pl_test_0123456789"


def load_spec() -> dict[str, Any]:
    """The repository's openapi.yaml as plain data."""
    spec: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    return spec


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (if any) to the object it names."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of the spec."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def recorded(name: str) -> tuple[int, Any]:
    """A response recorded from the live API: (status code, JSON body)."""
    data = json.loads((FIXTURES / "recorded_responses.json").read_text(encoding="utf-8"))
    return int(data[name]["status"]), data[name]["body"]


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response],
) -> AuthenticatedClient:
    """A generated client set up as the README says, answering through `handler`, not a network."""
    return AuthenticatedClient(
        base_url=BASE_URL,
        token=API_KEY,
        prefix="",
        auth_header_name="X-API-KEY",
        httpx_args={"transport": httpx.MockTransport(handler)},
    )


def answering(status: int, body: Any) -> AuthenticatedClient:
    """A generated client whose every request is answered with `status` and JSON `body`."""
    return mock_client(lambda request: json_response(status, body))


def json_response(status: int, body: Any) -> httpx.Response:
    """A JSON response; unlike `httpx.Response(json=None)` a `None` body is sent as `null`."""
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


def to_json(parsed: Any) -> Any:
    """A parsed response back to JSON data: a model through `to_dict`, anything else as it is."""
    return parsed.to_dict() if hasattr(parsed, "to_dict") else parsed
