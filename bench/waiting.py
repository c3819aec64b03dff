"""2. Wait latency: how long after a run finishes `wait` returns, and how many requests it makes,
next to fixed 5 s (PromptLayer's documented advice) and 1 s pollers on the same kind of run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from promptlayer_agents import AsyncAgents
from promptlayer_agents.sandbox import Sandbox

from .common import Sizes, agents, spread, table

Waiter = Callable[[int], Awaitable[int]]  # waits for an execution; answers requests made


def _fixed_poller(http: httpx.AsyncClient, interval: float) -> Waiter:
    async def wait(execution_id: int) -> int:
        params = {"workflow_version_execution_id": execution_id}
        requests = 0
        while True:
            requests += 1
            response = await http.get("/workflow-version-execution-results", params=params)
            if response.status_code == 200:
                return requests
            await asyncio.sleep(interval)

    return wait


def _facade(sandbox: Sandbox) -> tuple[AsyncAgents, Waiter]:
    counted: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        counted.append(request)

    http = httpx.AsyncClient(event_hooks={"request": [count]})
    client = AsyncAgents(api_key=sandbox.api_key, base_url=sandbox.url, http_client=http)

    async def wait(execution_id: int) -> int:
        before = len(counted)
        await client.wait(execution_id, timeout=600)
        return len(counted) - before

    return client, wait


async def _measure(sandbox: Sandbox, seconds: float, repetitions: int) -> list[list[object]]:
    client, facade = _facade(sandbox)
    raw = httpx.AsyncClient(base_url=sandbox.url, headers={"X-API-KEY": sandbox.api_key})
    waiters = {
        "facade wait": facade,
        "fixed 5 s poller": _fixed_poller(raw, 5.0),
        "fixed 1 s poller": _fixed_poller(raw, 1.0),
    }
    delays: dict[str, list[float]] = {name: [] for name in waiters}
    requests: dict[str, list[float]] = {name: [] for name in waiters}

    async def one(name: str, wait: Waiter) -> None:
        started = await client.run(f"lasts-{seconds}")
        made = await wait(started.execution_id)
        returned = time.monotonic()
        execution = sandbox.state.executions.get(started.execution_id)
        assert execution is not None and execution.finished_at is not None
        delays[name].append(returned - execution.finished_at)
        requests[name].append(made)

    for _ in range(repetitions):
        await asyncio.gather(*(one(name, wait) for name, wait in waiters.items()))
    await client.close()
    await raw.aclose()
    target = max(0.25, 0.15 * seconds)
    return [
        [
            f"{seconds:g} s",
            name,
            spread(delays[name]),
            spread(requests[name]),
            f"<= {target:.2f} s" if name == "facade wait" else "",
        ]
        for name in waiters
    ]


def run(sizes: Sizes) -> None:
    """Every run length, every waiter."""
    rows: list[list[object]] = []
    with Sandbox(agents(sizes.wait_lengths), log_level="critical") as sandbox:
        for seconds in sizes.wait_lengths:
            repetitions = sizes.repetitions if seconds < 10 else max(1, sizes.repetitions // 2)
            rows += asyncio.run(_measure(sandbox, seconds, repetitions))
    table(
        "2. Wait latency: seconds from the run finishing to the waiter returning, and requests "
        "made; median (min-max)",
        ["run length", "waiter", "delay s", "requests", "target"],
        rows,
    )
