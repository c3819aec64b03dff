"""What every benchmark shares: sizes, the agents it runs, a sandbox in its own process, tables."""

from __future__ import annotations

import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

COMMAND = str(Path(sys.executable).with_name("promptlayer-agents"))


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does; `tiny` only proves the benchmarks still run."""

    repetitions: int
    calls: int
    wait_lengths: tuple[float, ...]
    wait_mix: int
    wait_mix_longest: float
    fan_out: int
    fan_out_repetitions: int
    imports: int
    schedule_search: int
    schedule_repeats: int
    batch_runs: int
    batch_length: float
    batch_concurrency: int


SIZES = {
    "full": Sizes(
        repetitions=5,
        calls=200,
        wait_lengths=(0.2, 2.0, 10.0, 20.0, 60.0),
        wait_mix=30,
        wait_mix_longest=30.0,
        fan_out=10_000,
        fan_out_repetitions=1,
        imports=9,
        schedule_search=200,
        schedule_repeats=1000,
        batch_runs=24,
        batch_length=10.0,
        batch_concurrency=8,
    ),
    "quick": Sizes(
        repetitions=3,
        calls=60,
        wait_lengths=(0.2, 2.0, 10.0, 20.0),
        wait_mix=30,
        wait_mix_longest=30.0,
        fan_out=1000,
        fan_out_repetitions=1,
        imports=5,
        schedule_search=100,
        schedule_repeats=400,
        batch_runs=16,
        batch_length=10.0,
        batch_concurrency=8,
    ),
    "tiny": Sizes(
        repetitions=1,
        calls=3,
        wait_lengths=(0.2,),
        wait_mix=3,
        wait_mix_longest=1.0,
        fan_out=5,
        fan_out_repetitions=1,
        imports=1,
        schedule_search=10,
        schedule_repeats=20,
        batch_runs=2,
        batch_length=0.2,
        batch_concurrency=2,
    ),
}


def _node(name: str, deps: list[str], duration: float = 0.0, output: bool = False) -> Any:
    return {
        "name": name,
        "node_type": "TEXT_TEMPLATE",
        "dependencies": deps,
        "configuration": {"template": f"{name} done", "sandbox_duration": duration},
        "is_output_node": output,
    }


def agents(wait_lengths: Sequence[float] = ()) -> dict[str, Any]:
    """The benchmark agents: a small one, a 200-node one, and one per run length to wait for."""
    large = [_node("n0", [])] + [_node(f"n{i}", [f"n{i - 1}"]) for i in range(1, 199)]
    large.append(_node("out", ["n198"], output=True))
    entries = [
        {"workflow_name": "small", "versions": [{"nodes": [_node("answer", [], output=True)]}]},
        {"workflow_name": "large", "versions": [{"nodes": large}]},
        {"workflow_name": "half-second", "versions": [{"nodes": [_node("answer", [], 0.5, True)]}]},
    ]
    entries += [
        {
            "workflow_name": f"lasts-{seconds}",
            "versions": [{"nodes": [_node("answer", [], seconds, True)]}],
        }
        for seconds in wait_lengths
    ]
    return {"agents": entries}


@dataclass(frozen=True)
class Server:
    url: str
    api_key: str


@contextmanager
def sandbox_process(max_executions: int = 100_000) -> Iterator[Server]:
    """The sandbox in a process of its own, so that it does not share this one's interpreter."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agents.json"
        path.write_text(json.dumps(agents()), encoding="utf-8")
        process = subprocess.Popen(
            [
                COMMAND,
                "sandbox",
                "--port",
                "0",
                "--agents",
                str(path),
                "--log-level",
                "warning",
                "--max-executions",
                str(max_executions),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: lines.put(process.stdout.readline()),  # type: ignore[union-attr]
            daemon=True,
        ).start()
        try:
            first = lines.get(timeout=30)
            url = first.split(" serving ", 1)[1].split(" ", 1)[0]
            yield Server(url=url, api_key=first.rsplit(" ", 1)[1].strip())
        finally:
            process.terminate()
            process.wait(timeout=15)


def peak_mib() -> float:
    """This process's peak resident memory since it started its program (VmHWM), in MiB.

    Not ru_maxrss: that survives exec, so a child would report the parent's size at fork.
    """
    status = Path("/proc/self/status").read_text(encoding="ascii")
    return int(status.split("VmHWM:", 1)[1].split()[0]) / 1024


def spread(values: Sequence[float]) -> str:
    """median (min-max)."""
    return f"{statistics.median(values):.3g} ({min(values):.3g}-{max(values):.3g})"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a plain-text table."""
    cells = [list(map(str, header))] + [list(map(str, row)) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths))
    sys.stdout.flush()
