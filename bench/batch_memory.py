"""6. Batch memory: the peak resident memory of `promptlayer-agents batch`, in a process of its own,
(a) resuming a batch whose inputs are all done but 10 (1,000,000 lines at full size), and (b)
running a whole batch against the sandbox (100,000 lines). The target is 300 MiB or less for
both; a batch's memory should not grow with its number of inputs."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from promptlayer_agents.cli._ledger import Target, identity

from .common import Server, sandbox_process, table

AGENT = "small"
SIZES = {"full": (1_000_000, 100_000), "quick": (100_000, 10_000), "tiny": (1000, 100)}
"""Lines of the resumed batch and of the batch run whole, per mode."""
LEFT = 10  # inputs of the resumed batch still to run

_MEASURED = """
import sys
from promptlayer_agents.cli import main
from bench.common import peak_mib
code = main(sys.argv[1:])
print(f"peak {peak_mib():.1f}", file=sys.stderr)
sys.exit(code)
"""


def _write_resumable(folder: Path, total: int) -> tuple[Path, Path]:
    """An inputs file of `total` lines and the results of all of them but the first LEFT."""
    inputs, out = folder / "inputs.jsonl", folder / "results.jsonl"
    target = Target(AGENT)
    with inputs.open("w", encoding="utf-8") as ins, out.open("w", encoding="utf-8") as outs:
        for n in range(total):
            variables = {"n": n}
            ins.write(json.dumps(variables) + "\n")
            if n >= LEFT:
                record = {
                    "line": n + 1,
                    "id": identity(target.digest(variables), 1),
                    "inputs": variables,
                    "execution_id": n + 1,
                    "status": "SUCCESS",
                    "output": "answer done",
                    "error": None,
                }
                outs.write(json.dumps(record) + "\n")
    return inputs, out


def _batch(server: Server, inputs: Path, out: Path) -> tuple[float, float, str]:
    """Run the batch in a fresh process: (peak MiB, seconds, its summary line)."""
    command = [sys.executable, "-c", _MEASURED, "-q", "batch", AGENT]
    command += ["--inputs", str(inputs), "--out", str(out), "--concurrency", "64"]
    command += ["--api-key", server.api_key, "--base-url", server.url]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = [line for line in done.stderr.splitlines() if line.startswith("peak ")]
    if not peak:
        raise RuntimeError(f"batch exited {done.returncode}: {done.stderr[-2000:]}")
    summary = done.stdout.strip().split(";")[0] + f" (exit {done.returncode})"
    return float(peak[-1].split()[1]), seconds, summary


def run(mode: str) -> None:
    resumed_lines, whole_lines = SIZES[mode]
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as name, sandbox_process(whole_lines + LEFT) as server:
        folder = Path(name)
        resume = folder / "resume"
        resume.mkdir()
        inputs, out = _write_resumable(resume, resumed_lines)
        peak, seconds, summary = _batch(server, inputs, out)
        resumed = f"resume {resumed_lines:,} lines, {LEFT} left"
        rows.append((resumed, f"{peak:.1f}", f"{seconds:.1f}", summary))
        whole = folder / "whole"
        whole.mkdir()
        inputs = whole / "inputs.jsonl"
        inputs.write_text("".join(f'{{"n": {n}}}\n' for n in range(whole_lines)), "utf-8")
        peak, seconds, summary = _batch(server, inputs, whole / "results.jsonl")
        rows.append((f"run {whole_lines:,} lines", f"{peak:.1f}", f"{seconds:.1f}", summary))
    table(
        "6. Batch memory: peak resident MiB of `promptlayer-agents batch` (its own process), "
        "against the sandbox; target <= 300 MiB",
        ["batch", "peak MiB", "seconds", "results"],
        rows,
    )
