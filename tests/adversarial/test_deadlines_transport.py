"""One attempt stays within its timeout in all with the client's own httpx client, direct or
through a proxy from the environment, and that client is built from httpx's and httpcore's public
interfaces only: nothing in the package touches a private attribute of theirs."""

from __future__ import annotations

import ast
import os
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import httpx
import pytest

import promptlayer_agents as pa

from ..fakes import SameCalls
from ..hostile import HostileServer, json_answer, trickle_body, trickle_headers

KEY = "pl_deadlines_0123456789"
PACKAGE = Path(pa.__file__).parent


@pytest.fixture
def calls(mode: str) -> Iterator[SameCalls]:
    made = SameCalls(mode)
    yield made
    made.shut()


@pytest.mark.parametrize("part", ["headers", "body"])
def test_an_attempt_through_an_environment_proxy_ends_by_its_timeout(
    calls: SameCalls, part: str
) -> None:
    behaviour = trickle_headers(0.25) if part == "headers" else trickle_body(0.25)
    with HostileServer(behaviour) as proxy, mock.patch.dict(os.environ, {"HTTP_PROXY": proxy.url}):
        kind = pa.Agents if calls.mode == "sync" else pa.AsyncAgents
        calls.agents = kind(
            api_key=KEY, base_url="http://agents.invalid", timeout=1.0, max_retries=0
        )
        start = time.monotonic()
        with pytest.raises(pa.APITimeoutError):
            calls.get_results(1)
        took = time.monotonic() - start

    assert proxy.requests[0].line.startswith("GET http://agents.invalid/")  # it went by the proxy
    assert took < 1.0 + 1.5


def test_no_proxy_hosts_are_reached_directly(calls: SameCalls) -> None:
    answer = json_answer(200, "direct")
    with (
        HostileServer(answer) as server,
        mock.patch.dict(os.environ, {"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"}),
    ):
        kind = pa.Agents if calls.mode == "sync" else pa.AsyncAgents
        calls.agents = kind(api_key=KEY, base_url=server.url, timeout=5.0, max_retries=0)

        assert calls.get_results(1).output == "direct"


def _private_names() -> set[str]:
    """The private attributes of httpx's clients and transports and of httpcore's pools."""
    transports = [httpx.HTTPTransport(), httpx.AsyncHTTPTransport()]
    with httpx.Client() as client:
        objects = [
            client,
            httpx.AsyncClient(),
            *transports,
            *(vars(t)["_pool"] for t in transports),
        ]
        return {name for o in objects for name in vars(o) if name.startswith("_")}


def test_no_private_attribute_of_httpx_or_httpcore_is_used() -> None:
    private = _private_names()
    assert {"_transport", "_pool", "_mounts"} <= private  # the scan sees what it must refuse
    used = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in private:
                owner = node.value
                if not (isinstance(owner, ast.Name) and owner.id in ("self", "cls")):
                    used.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                if parts[0] in ("httpx", "httpcore") and any(p.startswith("_") for p in parts):
                    used.append(f"{path.name}:{node.lineno} from {node.module} import ...")

    assert used == []
