"""The mutation score of each core module, from the results `mutmut run` left in `mutants/`.

    python -m tests.mutation.report [--mutants DIR] [--equivalents FILE] [--minimum PERCENT]

A mutant is counted as killed when a test failed (or timed out) with it in place. Mutants listed in
`tests/mutation/equivalent.yaml` change nothing any caller can observe; they are left out of the
score. Every other mutant that no test killed is printed, in the form that file takes, so a new
survivor is either killed by a new test or, when it truly is equivalent, pasted there with a reason.

A mutant is named in that file by its module, its function, and the source lines it changes (before
and after), not by mutmut's number for it, so an entry stays valid when code elsewhere changes.
Exits 1 when a module scores under the minimum (95%) or has no results, 2 when the list of
equivalent mutants cannot be read.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENTS = Path(__file__).resolve().parent / "equivalent.yaml"
MINIMUM = 95.0
_NAMES = re.compile(r"__mutmut_\d+\b")
CLASS_SEPARATOR = "ǁ"  # how mutmut joins a class and a method name in a mutant's name

# mutmut's exit codes for a mutant (mutmut/stats.py): a test failed, pytest broke, it timed out or
# crashed, or the type checker refused it. Anything else (0 survived, 33/5 no test ran it,
# 35 suspicious, missing: not run yet) means no test noticed the mutant.
KILLED_EXIT_CODES = frozenset({1, 3, 24, -24, 152, 255, 36, 37, -9, -11})
STATUS_BY_EXIT_CODE = {
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
}

Key = tuple[str, str, str, str]
"""(module, function, lines before, lines after): how an equivalent mutant is named."""


@dataclass(frozen=True)
class Mutant:
    """One mutant: where it is, what it changes, and whether a test killed it."""

    module: str
    """The mutated file, relative to the project (promptlayer_agents/_polling.py)."""
    name: str
    """mutmut's name for it (for `mutmut show NAME` and `mutmut run NAME`)."""
    function: str
    """The function it changes: `poll_delay`, or `PollPolicy.__post_init__` for a method."""
    original: str
    """The source lines it changes, stripped, one per line, as they were..."""
    mutant: str
    """... and as the mutant has them ("" when it removes them)."""
    exit_code: int | None

    @property
    def killed(self) -> bool:
        return self.exit_code in KILLED_EXIT_CODES

    @property
    def status(self) -> str:
        if self.killed:
            return "killed"
        if self.exit_code is None:
            return "not run"
        return STATUS_BY_EXIT_CODE.get(self.exit_code, f"exit code {self.exit_code}")

    @property
    def key(self) -> Key:
        return (self.module, self.function, self.original, self.mutant)


@dataclass
class Score:
    """One module's figures."""

    module: str
    killed: int = 0
    equivalent: int = 0
    survivors: list[Mutant] = field(default_factory=list)

    @property
    def counted(self) -> int:
        """Mutants that count: every one but the equivalent."""
        return self.killed + len(self.survivors)

    @property
    def percent(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 0.0


def core_modules(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The mutated modules, as `[tool.mutmut] only_mutate` in pyproject.toml lists them."""
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    modules: list[str] = config["tool"]["mutmut"]["only_mutate"]
    return modules


def function_name(mutant_name: str) -> str:
    """The function a mutant changes: `pkg.mod.x_poll_delay__mutmut_3` -> `poll_delay`,
    `pkg.mod.xǁPollPolicyǁ__post_init____mutmut_1` -> `PollPolicy.__post_init__`."""
    mangled = mutant_name.rpartition("__mutmut_")[0].rpartition(".")[2]
    if mangled.startswith("x" + CLASS_SEPARATOR):
        _, cls, method = mangled.split(CLASS_SEPARATOR, 2)
        return f"{cls}.{method}"
    return mangled.removeprefix("x_")


def changed_lines(original: Sequence[str], mutated: Sequence[str]) -> tuple[str, str]:
    """The lines of a function that a mutant changes, stripped and without blank lines:
    (before, after), each joined with newlines. The two copies differ in their names (mutmut
    names each one), so names are made alike first."""

    def lines(copy: Sequence[str]) -> list[str]:
        return [_NAMES.sub("__mutmut_orig", line).strip() for line in copy if line.strip()]

    a, b = lines(original), lines(mutated)
    before: list[str] = []
    after: list[str] = []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            before += a[a0:a1]
            after += b[b0:b1]
    return "\n".join(before), "\n".join(after)


def read_mutants(mutants_dir: Path, module: str) -> list[Mutant] | None:
    """Every mutant of `module` with its result, or None when mutmut left no results for it."""
    source = mutants_dir / module
    meta_file = source.with_name(source.name + ".meta")
    spans_file = source.with_name(source.name + ".spans")
    if not (meta_file.exists() and spans_file.exists()):
        return None
    exit_codes: dict[str, int | None] = json.loads(meta_file.read_text("utf-8"))["exit_code_by_key"]
    spans: dict[str, list[int]] = json.loads(spans_file.read_text("utf-8"))["spans"]
    lines = source.read_text("utf-8").splitlines()

    def body(function: str) -> list[str]:
        first, last = spans[function]
        return lines[first - 1 : last]

    mutants = []
    for name, exit_code in sorted(exit_codes.items(), key=lambda item: _natural(item[0])):
        local = name.rpartition(".")[2]
        original = local.rpartition("__mutmut_")[0] + "__mutmut_orig"
        before, after = changed_lines(body(original), body(local))
        mutants.append(Mutant(module, name, function_name(name), before, after, exit_code))
    return mutants


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("__mutmut_")
    return stem, int(number) if number.isdigit() else 0


def read_equivalents(path: Path) -> dict[Key, str]:
    """The mutants marked equivalent: their key -> the reason."""
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text("utf-8")) or {}
    marked = {}
    for module, entries in data.items():
        for entry in entries or []:
            missing = {"function", "original", "mutant", "reason"} - set(entry)
            if missing or not str(entry["reason"]).strip():
                raise ValueError(f"{path}: {module}: an entry needs {sorted(missing)}: {entry}")
            original, mutant = _stripped(entry["original"]), _stripped(entry["mutant"])
            marked[(module, str(entry["function"]), original, mutant)] = str(entry["reason"])
    return marked


def _stripped(text: object) -> str:
    return "\n".join(line.strip() for line in str(text or "").strip().splitlines())


def score(module: str, mutants: Iterable[Mutant], equivalent: dict[Key, str]) -> Score:
    """The module's score, with the equivalent mutants left out."""
    result = Score(module)
    for mutant in mutants:
        if mutant.key in equivalent:
            result.equivalent += 1
        elif mutant.killed:
            result.killed += 1
        else:
            result.survivors.append(mutant)
    return result


def survivor_entry(mutant: Mutant) -> str:
    """A survivor as an entry of equivalent.yaml (indented under its module), with mutmut's name
    for it and its status as a comment."""
    return "\n".join(
        [
            f"  # {mutant.name} ({mutant.status})",
            f"  - function: {mutant.function}",
            _yaml_field("original", mutant.original),
            _yaml_field("mutant", mutant.mutant),
        ]
    )


def _yaml_field(name: str, text: str) -> str:
    if "\n" not in text:
        quoted = text.replace("'", "''")
        return f"    {name}: '{quoted}'"
    return f"    {name}: |-\n" + "\n".join(f"      {line}" for line in text.splitlines())


def report(
    mutants_dir: Path, equivalents_file: Path, minimum: float, modules: Sequence[str]
) -> tuple[str, bool]:
    """The report's text, and whether every module reached `minimum` percent."""
    equivalent = read_equivalents(equivalents_file)
    scores: list[Score] = []
    missing: list[str] = []
    seen: set[Key] = set()
    for module in modules:
        mutants = read_mutants(mutants_dir, module)
        if mutants is None:
            missing.append(module)
            continue
        scores.append(score(module, mutants, equivalent))
        seen.update(mutant.key for mutant in mutants)

    out: list[str] = []
    survivors = [s for s in scores if s.survivors]
    if survivors:
        out.append("Surviving mutants (kill each with a test, or paste it into")
        out.append(str(_shown(equivalents_file)))
        out.append("with a `reason:` line when no caller could ever tell the difference):")
        out.append("")
        for s in survivors:
            out.append(f"{s.module}:")
            out.extend(survivor_entry(mutant) for mutant in s.survivors)
        out.append("")
    stale = sorted(key for key in equivalent if key not in seen and key[0] in modules)
    if stale:
        out.append("Entries of the equivalent list that match no mutant any more (remove them):")
        out.extend(
            f"  {m} {function}: {before!r} -> {after!r}" for m, function, before, after in stale
        )
        out.append("")

    out.append(f"{'module':<36} {'killed':>7} {'counted':>8} {'equiv.':>7} {'score':>7}")
    ok = not missing
    for s in scores:
        passed = s.counted > 0 and s.percent >= minimum
        ok = ok and passed
        mark = "" if passed else f"  < {minimum:g}%"
        figures = f"{s.killed:>7} {s.counted:>8} {s.equivalent:>7} {s.percent:>6.1f}%"
        out.append(f"{s.module:<36} {figures}{mark}")
    out.extend(f"{module:<36} no results: was `mutmut run` run on it?" for module in missing)
    return "\n".join(out), ok


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants", help="mutmut's folder")
    parser.add_argument("--equivalents", type=Path, default=EQUIVALENTS)
    parser.add_argument("--minimum", type=float, default=MINIMUM, help="percent per module")
    parser.add_argument("modules", nargs="*", help="only these (default: every core module)")
    args = parser.parse_args(argv)
    try:
        text, ok = report(
            args.mutants, args.equivalents, args.minimum, args.modules or core_modules()
        )
    except (yaml.YAMLError, ValueError) as error:
        print(f"{_shown(args.equivalents)}: {error}", file=sys.stderr)
        return 2
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
