"""The benchmarks still run (tiny sizes). They are never pass/fail on time: see bench/README.md."""

from __future__ import annotations

import subprocess
import sys

from ..helpers import ROOT


def test_benchmarks_run_and_print_every_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--tiny"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    titles = (
        "1. Overhead per call",
        "2. Wait latency",
        "3. Start-up",
        "4. Fan-out",
        "5. Poll schedule",
        "6. Batch memory",
    )
    for title in titles:
        assert title in done.stdout
    fan_out = done.stdout.split("4. Fan-out", 1)[1].splitlines()
    rows = [line for line in fan_out if line.strip().startswith(("AsyncAgents", "raw httpx"))]
    assert len(rows) == 2
    assert all(row.rstrip().endswith(" 0 (0-0)") for row in rows)  # the errors column
