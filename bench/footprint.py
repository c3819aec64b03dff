"""3. Import time and footprint: `import promptlayer_agents` next to `import httpx` alone."""

from __future__ import annotations

import subprocess
import sys
import time
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .common import Sizes, spread, table

PEAK = "import sys; print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"


def _import(module: str) -> tuple[float, float]:
    """Wall seconds and peak memory (MiB) of a fresh interpreter importing `module`."""
    code = f"import {module}; {PEAK}" if module else PEAK
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stdout) / 1024


def runtime_packages(distribution: str = "promptlayer-agents") -> list[str]:
    """Every distribution a plain install pulls in on this Python (no extras), itself included."""
    seen: set[str] = set()
    todo = [distribution]
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return sorted(seen)


def run(sizes: Sizes) -> None:
    """Medians over several fresh interpreters, and the installed runtime packages."""
    measured = {}
    for module in ("", "httpx", "promptlayer_agents", "promptlayer_agents_api"):
        samples = [_import(module) for _ in range(sizes.imports)]
        measured[module] = ([s[0] * 1000 for s in samples], [s[1] for s in samples])
    base_time = measured["httpx"][0]
    rows = []
    for module, (times, memory) in measured.items():
        ratio = sorted(times)[len(times) // 2] / sorted(base_time)[len(base_time) // 2]
        what = f"import {module}" if module else "interpreter alone"
        rows.append([what, spread(times), spread(memory), f"{ratio:.2f}"])
    table(
        f"3. Import: fresh interpreter, median (min-max) of {sizes.imports}; baseline import httpx",
        ["what", "wall ms", "peak MiB", "time ratio"],
        rows,
    )
    packages = runtime_packages()
    print(
        f"  runtime packages installed by `pip install promptlayer-agents`: {len(packages)} "
        f"({', '.join(packages)})"
    )
