"""`batch` memory does not grow with the size of the inputs: the inputs and the results are read
line by line, and resuming keeps one fixed-size digest per input, whatever each input holds.
(bench/batch_memory.py measures the full sizes: a 1,000,000-line resume, a 100,000-line run.)"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from promptlayer_agents.cli import main
from promptlayer_agents.cli._ledger import Target, identity

from .test_at_most_once_batch import serving

PAYLOAD = "x" * 1000  # each input holds a kilobyte of text


def resume_peak(folder: Path, total: int, left: int = 10) -> int:
    """Peak bytes allocated by resuming a `total`-line batch whose inputs are all done but
    `left`; the inputs and the results each hold `total` kilobytes."""
    inputs, out = folder / f"in{total}.jsonl", folder / f"out{total}.jsonl"
    target = Target("agent")
    with inputs.open("w", encoding="utf-8") as ins, out.open("w", encoding="utf-8") as outs:
        for n in range(total):
            variables = {"n": n, "text": PAYLOAD}
            ins.write(json.dumps(variables) + "\n")
            if n >= left:
                record = {
                    "line": n + 1,
                    "id": identity(target.digest(variables), 1),
                    "inputs": variables,
                    "execution_id": n + 1,
                    "status": "SUCCESS",
                    "output": PAYLOAD,
                    "error": None,
                }
                outs.write(json.dumps(record) + "\n")
    with serving() as server:
        tracemalloc.start()
        try:
            assert main(["batch", "agent", "--inputs", str(inputs), "--out", str(out)]) == 0
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert len(server.runs) == left
    return peak


def test_resuming_keeps_a_fixed_size_entry_per_input_not_the_inputs(tmp_path: Path) -> None:
    """Each input and result holds over 1 KB; resuming keeps well under 400 bytes per input."""
    small, large = resume_peak(tmp_path, 1000), resume_peak(tmp_path, 6000)

    per_input = (large - small) / 5000  # version 0.1.0: about 6,800 bytes

    assert per_input < 400, f"{per_input:.0f} bytes more per input"
