"""4. Fan-out: many runs at once through AsyncAgents.run_and_wait, next to raw async httpx making
the same kind of requests (run, then poll every 0.5 s) with at most 100 in flight (an
asyncio.Semaphore, the same cap AsyncAgents keeps). Each variant runs in a fresh process, so its
peak memory and CPU time are its own; CPU per request is the client's cost of one request."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import httpx

from promptlayer_agents import AsyncAgents
from promptlayer_agents._config import MAX_IN_FLIGHT

from .common import Server, Sizes, peak_mib, sandbox_process, spread, table

AGENT = "half-second"
RAW_INTERVAL = 0.5


def _open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
        except OSError:
            continue
    return count


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _raw_run(http: httpx.AsyncClient, slots: asyncio.Semaphore) -> None:
    async with slots:
        started = await http.post(f"/workflows/{AGENT}/run", json={"input_variables": {}})
    started.raise_for_status()
    params = {"workflow_version_execution_id": started.json()["workflow_version_execution_id"]}
    while True:
        async with slots:
            response = await http.get("/workflow-version-execution-results", params=params)
        response.raise_for_status()
        if response.status_code == 200:
            return
        await asyncio.sleep(RAW_INTERVAL)


async def _measure(variant: str, count: int, url: str, key: str) -> dict[str, Any]:
    requests = 0
    sockets = 0

    async def counted(request: httpx.Request) -> None:
        nonlocal requests
        requests += 1

    async def sample() -> None:
        nonlocal sockets
        while True:
            sockets = max(sockets, _open_sockets())
            await asyncio.sleep(0.05)

    sampler = asyncio.create_task(sample())
    outcomes: list[Any]
    start, cpu = time.perf_counter(), _cpu_seconds()
    if variant == "facade":
        http = httpx.AsyncClient(event_hooks={"request": [counted]})
        async with AsyncAgents(api_key=key, base_url=url, http_client=http) as agents:
            calls = [agents.run_and_wait(AGENT, timeout=300) for _ in range(count)]
            outcomes = list(await asyncio.gather(*calls, return_exceptions=True))
        await http.aclose()
    else:
        async with httpx.AsyncClient(
            base_url=url,
            headers={"X-API-KEY": key},
            timeout=30,
            event_hooks={"request": [counted]},
        ) as http:
            slots = asyncio.Semaphore(MAX_IN_FLIGHT)
            outcomes = list(
                await asyncio.gather(
                    *(_raw_run(http, slots) for _ in range(count)), return_exceptions=True
                )
            )
    elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    sampler.cancel()
    return {
        "seconds": elapsed,
        "requests": requests,
        "requests_per_second": requests / elapsed,
        "cpu_ms_per_request": cpu * 1000 / max(requests, 1),
        "peak_mib": peak_mib(),
        "max_sockets": sockets,
        "errors": sum(isinstance(outcome, BaseException) for outcome in outcomes),
    }


def _variant(variant: str, count: int, server: Server) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.fanout", variant, str(count), server.url, server.api_key],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run(sizes: Sizes) -> None:
    """Both variants, several times each, against one sandbox process."""
    repetitions = sizes.fan_out_repetitions
    rows = []
    with sandbox_process() as server:
        measured: dict[str, list[dict[str, Any]]] = {"facade": [], "raw": []}
        for _ in range(repetitions):
            for variant in measured:
                measured[variant].append(_variant(variant, sizes.fan_out, server))
    for variant, runs in measured.items():

        def column(key: str, runs: list[dict[str, Any]] = runs) -> str:
            return spread([r[key] for r in runs])

        rows.append(
            [
                "AsyncAgents.run_and_wait"
                if variant == "facade"
                else f"raw httpx, {MAX_IN_FLIGHT} in flight, {RAW_INTERVAL} s polls",
                column("seconds"),
                column("requests"),
                column("requests_per_second"),
                column("cpu_ms_per_request"),
                column("peak_mib"),
                column("max_sockets"),
                column("errors"),
            ]
        )
    table(
        f"4. Fan-out: {sizes.fan_out} runs of a 0.5 s agent at once; median (min-max) of "
        f"{repetitions}; goals: 0 errors, <= 150 MiB, CPU per request <= raw httpx's",
        [
            "client",
            "total s",
            "requests",
            "requests/s",
            "CPU ms/request",
            "peak MiB",
            "open sockets",
            "errors",
        ],
        rows,
    )


def main() -> None:
    """Worker: measure one variant and print its figures as JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("variant", choices=["facade", "raw"])
    parser.add_argument("count", type=int)
    parser.add_argument("url")
    parser.add_argument("key")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(_measure(args.variant, args.count, args.url, args.key))))


if __name__ == "__main__":
    main()
