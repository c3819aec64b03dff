"""Run the benchmarks and print their tables: `python -m bench.run [--quick | --tiny] [SECTION...]`.

Figures only, never pass/fail: compare them with the targets in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from . import batch_memory, cpu, fanout, footprint, overhead, schedule, waiting
from .common import SIZES, sandbox_process

SECTIONS = ["cpu", "overhead", "wait", "import", "fanout", "schedule", "batch"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller sizes, under two minutes")
    size.add_argument("--tiny", action="store_true", help="tiny sizes: only checks they run")
    parser.add_argument(
        "sections",
        nargs="*",
        metavar="SECTION",
        help=f"any of {', '.join(SECTIONS)} (default: all)",
    )
    args = parser.parse_args()
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    args.sections = args.sections or SECTIONS
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    sizes = SIZES[mode]
    print(
        f"promptlayer-agents benchmarks, {mode} mode: Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    start = time.perf_counter()
    if "cpu" in args.sections:
        cpu.run(sizes)
    if "overhead" in args.sections:
        with sandbox_process() as server:
            overhead.run(sizes, server)
    if "wait" in args.sections:
        waiting.run(sizes)
    if "import" in args.sections:
        footprint.run(sizes)
    if "fanout" in args.sections:
        fanout.run(sizes)
    if "schedule" in args.sections:
        schedule.run(sizes)
    if "batch" in args.sections:
        batch_memory.run(mode)
    print(f"\nfinished in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
