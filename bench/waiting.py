"""2. Wait latency: how long after a run finishes `wait` returns, and how many requests it makes,
with the default schedule and the previous one, next to fixed 1 s and 5 s (PromptLayer's
documented advice) pollers on the same kind of run; then a batch at fixed concurrency."""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable

import httpx

from promptlayer_agents import AsyncAgents, PollPolicy
from promptlayer_agents.sandbox import Sandbox

from .common import Sizes, agents, spread, table
from .schedule import PREVIOUS, target

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


async def _finished_at(sandbox: Sandbox, execution_id: int) -> float:
    """When the sandbox finished the execution. The API answers final as soon as every node is;
    the sandbox stamps the time a moment later, on its own thread, so allow it up to a second."""
    for _ in range(1000):
        execution = sandbox.state.executions.get(execution_id)
        if execution is not None and execution.finished_at is not None:
            return execution.finished_at
        await asyncio.sleep(0.001)
    raise AssertionError(f"execution {execution_id} never finished")


def _counted(sandbox: Sandbox) -> tuple[AsyncAgents, Counter[str]]:
    """A client, and the results requests it sends per execution id (other waiters run too)."""
    polls: Counter[str] = Counter()

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/workflow-version-execution-results"):
            polls[request.url.params.get("workflow_version_execution_id", "")] += 1

    http = httpx.AsyncClient(event_hooks={"request": [count]})
    return AsyncAgents(api_key=sandbox.api_key, base_url=sandbox.url, http_client=http), polls


def _facade(sandbox: Sandbox, policy: PollPolicy | None = None) -> tuple[AsyncAgents, Waiter]:
    client, polls = _counted(sandbox)

    async def wait(execution_id: int) -> int:
        await client.wait(execution_id, timeout=600, poll_interval=policy)
        return polls[str(execution_id)]

    return client, wait


async def _measure(sandbox: Sandbox, seconds: float, repetitions: int) -> list[list[object]]:
    client, facade = _facade(sandbox)
    before, previous = _facade(sandbox, PREVIOUS)
    raw = httpx.AsyncClient(base_url=sandbox.url, headers={"X-API-KEY": sandbox.api_key})
    waiters = {
        "facade wait": facade,
        "previous default": previous,
        "fixed 1 s poller": _fixed_poller(raw, 1.0),
        "fixed 5 s poller": _fixed_poller(raw, 5.0),
    }
    delays: dict[str, list[float]] = {name: [] for name in waiters}
    requests: dict[str, list[float]] = {name: [] for name in waiters}

    async def one(name: str, wait: Waiter) -> None:
        started = await client.run(f"lasts-{seconds}")
        made = await wait(started.execution_id)
        returned = time.monotonic()
        finished_at = await _finished_at(sandbox, started.execution_id)
        delays[name].append(returned - finished_at)
        requests[name].append(made)

    # Runs of 10 s or more: every repetition at once (they are mostly idle), else one at a time.
    rounds, together = (1, repetitions) if seconds >= 10 else (repetitions, 1)
    for _ in range(rounds):
        await asyncio.gather(
            *(one(name, wait) for _ in range(together) for name, wait in waiters.items())
        )
    await client.close()
    await before.close()
    await raw.aclose()
    goal = target(seconds, statistics.median(requests["fixed 1 s poller"]))
    goals = (
        f"median <= {goal.median:g} s, " if goal.median is not None else ""
    ) + f"p95 <= {max(goal.p95, (goal.p95_fraction or 0) * seconds):.3g} s, "
    goals += f"requests <= {goal.requests:g}"
    return [
        [
            f"{seconds:g} s",
            name,
            spread(delays[name]),
            spread(requests[name]),
            goals if name == "facade wait" else "",
        ]
        for name in waiters
    ]


def mix_lengths(count: int, longest: float, seed: int = 14) -> tuple[float, ...]:
    """`count` run lengths, log-uniform from 0.2 s to `longest`, rounded to 10 ms."""
    rng = random.Random(seed)
    return tuple(
        round(math.exp(rng.uniform(math.log(0.2), math.log(longest))), 2) for _ in range(count)
    )


async def _measure_mix(sandbox: Sandbox, lengths: tuple[float, ...]) -> list[list[object]]:
    """Every length of the mix run at once, once per waiter: the goal's measurement."""
    client, facade = _facade(sandbox)
    raw = httpx.AsyncClient(base_url=sandbox.url, headers={"X-API-KEY": sandbox.api_key})
    waiters = {
        "facade wait": facade,
        "fixed 1 s poller": _fixed_poller(raw, 1.0),
        "fixed 5 s poller": _fixed_poller(raw, 5.0),
    }
    fractions: dict[str, list[float]] = {name: [] for name in waiters}
    requests: dict[str, list[int]] = {name: [] for name in waiters}

    async def one(name: str, wait: Waiter, seconds: float) -> None:
        started = await client.run(f"lasts-{seconds}")
        made = await wait(started.execution_id)
        returned = time.monotonic()
        finished_at = await _finished_at(sandbox, started.execution_id)
        fractions[name].append((returned - finished_at) / seconds)
        requests[name].append(made)

    await asyncio.gather(
        *(one(name, wait, seconds) for name, wait in waiters.items() for seconds in lengths)
    )
    await client.close()
    await raw.aclose()
    fixed = sum(requests["fixed 1 s poller"])
    return [
        [
            name,
            f"{statistics.median(fractions[name]):.3f}",
            f"{sorted(fractions[name])[math.ceil(0.95 * len(lengths)) - 1]:.3f}",
            f"{max(fractions[name]):.3f}",
            sum(requests[name]),
            f"{sum(requests[name]) / fixed:.2f}",
        ]
        for name in waiters
    ]


async def _batch(sandbox: Sandbox, sizes: Sizes) -> list[list[object]]:
    """`batch_runs` runs of `batch_length` seconds, `run_and_wait` at most `batch_concurrency` at
    a time, with the default schedule and with the previous one (both batches at once)."""
    ideal = sizes.batch_runs * sizes.batch_length / sizes.batch_concurrency

    async def batch(policy: PollPolicy | None) -> list[object]:
        client, polls = _counted(sandbox)
        slots = asyncio.Semaphore(sizes.batch_concurrency)

        async def one() -> None:
            async with slots:
                await client.run_and_wait(
                    f"lasts-{sizes.batch_length}", timeout=600, poll_interval=policy
                )

        start = time.monotonic()
        await asyncio.gather(*(one() for _ in range(sizes.batch_runs)))
        total = time.monotonic() - start
        await client.close()
        return [f"{total:.1f}", f"{ideal:g}", f"{total / ideal:.2f}", sum(polls.values())]

    default, previous = await asyncio.gather(batch(None), batch(PREVIOUS))
    return [["default", *default], ["previous default", *previous]]


def run(sizes: Sizes) -> None:
    """Every run length, every waiter; then the mix; then a batch."""
    rows: list[list[object]] = []
    lengths = mix_lengths(sizes.wait_mix, sizes.wait_mix_longest)
    every = tuple(sorted(set(sizes.wait_lengths + lengths + (sizes.batch_length,))))
    with Sandbox(agents(every), log_level="critical") as sandbox:
        for seconds in sizes.wait_lengths:
            repetitions = sizes.repetitions if seconds < 10 else 2 * sizes.repetitions
            rows += asyncio.run(_measure(sandbox, seconds, repetitions))
        mixed = asyncio.run(_measure_mix(sandbox, lengths))
        batched = asyncio.run(_batch(sandbox, sizes))
    table(
        "2. Wait latency: seconds from the run finishing to the waiter returning, and requests "
        "made; median (min-max); the default's targets (bench/schedule.py)",
        ["run length", "waiter", "delay s", "requests", "targets"],
        rows,
    )
    table(
        f"2b. Wait over a mix: {len(lengths)} runs log-uniform 0.2-{sizes.wait_mix_longest:g} s, "
        "all at once, per waiter; delay as a fraction of the run's length; "
        "goal: p95 <= 0.25 with requests <= the 1 s poller's",
        ["waiter", "median delay", "p95 delay", "worst", "requests", "vs 1 s poller"],
        mixed,
    )
    table(
        f"2c. A batch: {sizes.batch_runs} runs of {sizes.batch_length:g} s, run_and_wait at most "
        f"{sizes.batch_concurrency} at a time, both schedules' batches at once; the ideal is the "
        "sum of the run lengths divided by the concurrency",
        ["schedule", "total s", "ideal s", "total / ideal", "results requests"],
        batched,
    )
