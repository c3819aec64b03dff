"""3. Start-up: a fresh interpreter importing the client and making one, and the command line's
--help, next to `import httpx` + `httpx.Client()` (the floor), `import json` and `python -c pass`,
and PromptLayer's official SDK (`import promptlayer`).

Outside tiny mode it measures in fresh venvs holding only what `pip install` brings: the project's
own .venv also has the dev tools, and with `rich` and `click` installed `import httpx` loads its
command line too, which makes the floor heavier than a user's. `promptlayer` gets a venv of its own
(skipped, with a note, when PyPI is out of reach). Wall time is what a user waits; CPU time (user +
system, of the child) is steadier on a busy machine, so both are shown, each with its ratio.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .common import Sizes, spread, table

ROOT = Path(__file__).resolve().parent.parent
PEAK = "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])"
FLOOR = "import httpx + httpx.Client()"
CASES = {
    "python -c pass": "pass",
    "import json": "import json",
    FLOOR: "import httpx; httpx.Client()",
    "import promptlayer_agents + Agents()": (
        "from promptlayer_agents import Agents; Agents(api_key='k')"
    ),
    "promptlayer-agents --help": (
        "import sys; sys.argv = ['promptlayer-agents', '--help']; import contextlib, io\n"
        "from promptlayer_agents.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit): main()"
    ),
}
SDK = "import promptlayer (official SDK)"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(python: str, code: str) -> tuple[float, float, float]:
    """Wall ms, CPU ms and peak MiB of a fresh interpreter running `code`."""
    cpu, start = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [python, "-c", f"{code}\n{PEAK}"], capture_output=True, text=True, check=True, timeout=120
    )
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    return wall * 1000, cpu * 1000, int(done.stdout.split()[-1]) / 1024


def _pip(python: Path, *args: str) -> bool:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode == 0


@contextmanager
def _venvs(use_venvs: bool) -> Iterator[tuple[str, str | None, str]]:
    """(python for the client, python with `promptlayer` or None, what the client's venv is)."""
    if not use_venvs:
        yield sys.executable, None, "the project's .venv (tiny mode)"
        return
    with tempfile.TemporaryDirectory() as folder:
        ours, theirs = Path(folder) / "ours", Path(folder) / "sdk"
        for venv in (ours, theirs):
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        client = ours / "bin" / "python"
        if not _pip(client, "-c", str(ROOT / "constraints.txt"), str(ROOT)):
            client = Path(sys.executable)
        sdk = theirs / "bin" / "python"
        yield (
            str(client),
            str(sdk) if _pip(sdk, "promptlayer") else None,
            "a fresh venv with `pip install .`"
            if client != Path(sys.executable)
            else "the project's .venv (the fresh venv failed to install)",
        )


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
    """Medians over several fresh interpreters, interleaved so that load hits every case alike."""
    with _venvs(sizes.imports > 1) as (client, sdk, where):
        cases = {name: (client, code) for name, code in CASES.items()}
        if sdk is not None:
            cases[SDK] = (sdk, "import promptlayer")
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in cases}
        for _ in range(sizes.imports):
            for name, (python, code) in cases.items():
                samples[name].append(_once(python, code))
    floor = samples[FLOOR]

    def median(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    rows = []
    for name, measured in samples.items():
        wall, cpu, peak = ([s[i] for s in measured] for i in range(3))
        rows.append(
            [
                name,
                spread(wall),
                f"{median(wall) / median([s[0] for s in floor]):.2f}",
                spread(cpu),
                f"{median(cpu) / median([s[1] for s in floor]):.2f}",
                spread(peak),
            ]
        )
    table(
        f"3. Start-up: fresh interpreter, median (min-max) of {sizes.imports}, in {where}; "
        f"ratios against {FLOOR}; goals: Agents <= 1.2, --help <= 0.6",
        ["what", "wall ms", "wall ratio", "CPU ms", "CPU ratio", "peak MiB"],
        rows,
    )
    if sdk is None and sizes.imports > 1:
        print("  import promptlayer: skipped, `pip install promptlayer` failed (PyPI unreachable?)")
    packages = runtime_packages()
    print(
        f"  runtime packages installed by `pip install promptlayer-agents`: {len(packages)} "
        f"({', '.join(packages)})"
    )
