"""1. Overhead per call: the facade against raw httpx + json doing the same request.

Wall time per call (median) is what a caller waits; the client's CPU time per call (process time
over the batch) is the client's own cost, and it stays meaningful when other processes load the
machine and stretch every wall-clock figure. Both come with their ratio to the baseline."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from promptlayer_agents import Agents

from .common import Server, Sizes, spread, table

WARM_UP = 3


def _latencies(call: Callable[[], Any], count: int) -> list[float]:
    """Seconds per call, `count` calls."""
    result = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        result.append(time.perf_counter() - start)
    return result


def _measure(call: Callable[[], Any], count: int) -> tuple[float, float]:
    """Median wall ms per call and this process's CPU ms per call, over `count` calls."""
    cpu = time.process_time()
    wall = statistics.median(_latencies(call, count)) * 1000
    return wall, (time.process_time() - cpu) * 1000 / count


def _raw_json(response: httpx.Response) -> Any:
    response.raise_for_status()
    return response.json()


def run(sizes: Sizes, server: Server) -> None:
    """Median latency per call of each operation, facade and raw, and their ratio."""
    agents = Agents(api_key=server.api_key, base_url=server.url)
    raw = httpx.Client(base_url=server.url, headers={"X-API-KEY": server.api_key}, timeout=30)
    small = agents.run_and_wait("small").execution_id
    large = agents.run_and_wait("large", timeout=120).execution_id

    def results(execution_id: int) -> Callable[[], Any]:
        params: dict[str, str | int] = {
            "workflow_version_execution_id": execution_id,
            "return_all_outputs": "true",
        }
        return lambda: _raw_json(raw.get("/workflow-version-execution-results", params=params))

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (
            "get, 1 node",
            lambda: agents.get("small"),
            lambda: _raw_json(raw.get("/workflows/small")),
        ),
        (
            "get_results, 1 node",
            lambda: agents.get_results(small, return_all_outputs=True),
            results(small),
        ),
        (
            "run",
            lambda: agents.run("small"),
            lambda: _raw_json(raw.post("/workflows/small/run", json={"input_variables": {}})),
        ),
        (
            "get, 200 nodes",
            lambda: agents.get("large"),
            lambda: _raw_json(raw.get("/workflows/large")),
        ),
        (
            "get_results, 200 nodes",
            lambda: agents.get_results(large, return_all_outputs=True),
            results(large),
        ),
    ]
    rows = []
    for name, facade, baseline in cases:
        _latencies(facade, WARM_UP)
        _latencies(baseline, WARM_UP)
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for repetition in range(sizes.repetitions):
            order = [(facade, ours), (baseline, theirs)]
            for call, into in order if repetition % 2 == 0 else reversed(order):
                into.append(_measure(call, sizes.calls))
        columns = []
        for i in (0, 1):
            mine, raw_ = [m[i] for m in ours], [t[i] for t in theirs]
            ratios = [a / b for a, b in zip(mine, raw_, strict=True)]
            columns += [spread(mine), spread(raw_), spread(ratios)]
        rows.append([name, *columns])
    agents.close()
    raw.close()
    table(
        f"1. Overhead per call: median ms over {sizes.calls} calls, "
        f"median (min-max) of {sizes.repetitions} repetitions",
        [
            "operation",
            "facade wall ms",
            "raw wall ms",
            "wall ratio",
            "facade CPU ms",
            "raw CPU ms",
            "CPU ratio",
        ],
        rows,
    )
