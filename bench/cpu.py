"""2. Client-side CPU per call on a mock transport: the facade against raw httpx + json.

Both sides send through the same `httpx.MockTransport` answering canned bodies (a 1-node and a
200-node definition, a 200-node results map), so the figures hold only the client's own work:
building the request, reading and checking the answer, and the typed objects it returns. Each
figure is the median over `repetitions` batches of `calls` calls of this process's CPU time per
call; the ratio is the facade's over raw httpx + json in the same run."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from promptlayer_agents import Agents

from .common import Sizes, table


def _node(index: int) -> dict[str, Any]:
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "name": f"n{index}",
        "node_type": "TEXT_TEMPLATE",
        "is_output_node": index == 199,
        "configuration": {"template": f"n{index} done"},
        "dependencies": [f"n{index - 1}"] if index else [],
        "workflow_version_id": 9,
    }


def _definition(nodes: int) -> dict[str, Any]:
    return {
        "success": True,
        "workflow_id": 1,
        "workflow_name": "bench",
        "version": 1,
        "workflow_version_id": 9,
        "commit_message": None,
        "required_input_variables": {},
        "release_labels": ["prod"],
        "created_at": "2026-01-01T00:00:00+00:00",
        "nodes": [_node(i) for i in range(nodes)],
        "edges": [],
    }


NODE_MAP = {
    f"n{i}": {
        "status": "SUCCESS",
        "value": f"n{i} done",
        "error_message": None,
        "raw_error_message": None,
        "is_output_node": i == 199,
    }
    for i in range(200)
}
BODIES = {
    "/workflows/small": json.dumps(_definition(1)).encode(),
    "/workflows/large": json.dumps(_definition(200)).encode(),
    "/workflow-version-execution-results": json.dumps(NODE_MAP).encode(),
}


def _answer(request: httpx.Request) -> httpx.Response:
    """The canned body for the request's path."""
    return httpx.Response(
        200, content=BODIES[request.url.path], headers={"Content-Type": "application/json"}
    )


def _cpu_per_call(call: Callable[[], Any], sizes: Sizes) -> float:
    """Median CPU ms per call over the batches."""
    call()  # warm up: first-use imports
    batches = []
    for _ in range(max(sizes.repetitions, 3)):
        start = time.process_time()
        for _ in range(sizes.calls):
            call()
        batches.append((time.process_time() - start) * 1000 / sizes.calls)
    return statistics.median(batches)


def run(sizes: Sizes) -> None:
    """One table: CPU ms per call, facade and raw, and their ratio."""
    transport = httpx.MockTransport(_answer)
    base = "https://api.test"
    agents = Agents(
        api_key="pl_bench", base_url=base, http_client=httpx.Client(transport=transport)
    )
    raw = httpx.Client(transport=transport, base_url=base, headers={"X-API-KEY": "pl_bench"})
    params: dict[str, str | int] = {
        "workflow_version_execution_id": 7,
        "return_all_outputs": "true",
    }
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        ("get, 1 node", lambda: agents.get("small"), lambda: raw.get("/workflows/small").json()),
        ("get, 200 nodes", lambda: agents.get("large"), lambda: raw.get("/workflows/large").json()),
        (
            "get_results, 200-node map",
            lambda: agents.get_results(7, return_all_outputs=True),
            lambda: raw.get("/workflow-version-execution-results", params=params).json(),
        ),
    ]
    rows = []
    for name, facade, baseline in cases:
        ours, theirs = _cpu_per_call(facade, sizes), _cpu_per_call(baseline, sizes)
        rows.append((name, f"{ours:.3f}", f"{theirs:.3f}", f"{ours / theirs:.2f}x"))
    table(
        "Client CPU per call on a mock transport (ms, median of batches)",
        ["call", "facade", "raw httpx + json", "ratio"],
        rows,
    )
    agents.close()
    raw.close()
