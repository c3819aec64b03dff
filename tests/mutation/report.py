"""The mutation score of each core module, from the results `mutmut run` left in `mutants/`.

    python -m tests.mutation.report [--mutants DIR] [--equivalents FILE] [--minimum PERCENT]

A mutant is counted as killed when a test failed (or timed out) with it in place. Mutants listed in
`tests/mutation/equivalent.yaml` change nothing any caller can observe; they are left out of the
score. Every other mutant that no test killed is printed, in the form that file takes, so a new
survivor is either killed by a new test or, when it truly is equivalent, pasted there with a reason.

A mutant is named in that file by its module, its function, and the source lines it changes (before
and after), not by mutmut's number for it, so an entry stays valid when code elsewhere changes.
When the same change is made at several places of one function, `occurrence: N` says which (the
N-th from the top). Each entry must match exactly one mutant, and one that no test kills: an entry
that matches none (stale), several (ambiguous) or a killed mutant (its reason is false) is an
error. Exits 1 when a module scores under the minimum (95%), has no results, or has such an entry;
2 when the list of equivalent mutants cannot be read. A module in which mutmut found nothing to
mutate (only constants and class bodies, which it leaves alone) is shown as such and passes.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
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
TYPE_CHECKED = 37
"""mutmut's exit code for a mutant its `type_check_command` (mypy --strict) refused."""
STATUS_BY_EXIT_CODE = {
    0: "survived",
    5: "no tests",
    33: "no tests",
    34: "skipped",
    35: "suspicious",
}

Key = tuple[str, str, str, str]
"""(module, function, lines before, lines after): the change a mutant makes."""


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
    occurrence: int = 1
    """Which of the function's mutants making this same change it is, from the top (1 first)."""
    shared: bool = False
    """Whether other mutants of the function make the same change (so an entry needs
    `occurrence`)."""

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
    typed: int = 0
    """Of the killed, those mypy --strict refused (no test ran for them)."""
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


def changed_lines(original: Sequence[str], mutated: Sequence[str]) -> tuple[int, str, str]:
    """The lines of a function that a mutant changes, stripped and without blank lines: (where
    the first change is, as an index into the function's non-blank lines; before; after), each
    side joined with newlines. The two copies differ in their names (mutmut names each one), so
    names are made alike first."""

    def lines(copy: Sequence[str]) -> list[str]:
        return [_NAMES.sub("__mutmut_orig", line).strip() for line in copy if line.strip()]

    a, b = lines(original), lines(mutated)
    before: list[str] = []
    after: list[str] = []
    where = len(a)
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            where = min(where, a0)
            before += a[a0:a1]
            after += b[b0:b1]
    return where, "\n".join(before), "\n".join(after)


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

    found: list[tuple[int, Mutant]] = []
    for name, exit_code in sorted(exit_codes.items(), key=lambda item: _natural(item[0])):
        local = name.rpartition(".")[2]
        original = local.rpartition("__mutmut_")[0] + "__mutmut_orig"
        where, before, after = changed_lines(body(original), body(local))
        found.append((where, Mutant(module, name, function_name(name), before, after, exit_code)))
    return _numbered(found)


def _numbered(found: list[tuple[int, Mutant]]) -> list[Mutant]:
    """The mutants, each numbered among those of its function that make the same change, in the
    order of where the change is (a mutant's position in the function's lines)."""
    groups: dict[Key, list[tuple[int, Mutant]]] = {}
    for where, mutant in found:
        groups.setdefault(mutant.key, []).append((where, mutant))
    numbered = {}
    for group in groups.values():
        for occurrence, (_, mutant) in enumerate(sorted(group, key=lambda p: p[0]), start=1):
            numbered[mutant.name] = replace(mutant, occurrence=occurrence, shared=len(group) > 1)
    return [numbered[mutant.name] for _, mutant in found]


def _natural(name: str) -> tuple[str, int]:
    stem, _, number = name.rpartition("__mutmut_")
    return stem, int(number) if number.isdigit() else 0


@dataclass(frozen=True)
class Entry:
    """One entry of the equivalent list: the change it names, which occurrence of it (None: the
    only one), and why no caller could tell the mutant from the code."""

    key: Key
    occurrence: int | None
    reason: str

    def matches(self, mutant: Mutant) -> bool:
        return mutant.key == self.key and self.occurrence in (None, mutant.occurrence)

    def __str__(self) -> str:
        module, function, before, after = self.key
        which = "" if self.occurrence is None else f" (occurrence {self.occurrence})"
        return f"{module} {function}{which}: {before!r} -> {after!r}"


def read_equivalents(path: Path) -> list[Entry]:
    """The entries of the equivalent list, in its order."""
    data: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text("utf-8")) or {}
    entries = []
    for module, listed in data.items():
        for entry in listed or []:
            missing = {"function", "original", "mutant", "reason"} - set(entry)
            if missing or not str(entry["reason"]).strip():
                raise ValueError(f"{path}: {module}: an entry needs {sorted(missing)}: {entry}")
            occurrence = entry.get("occurrence")
            if occurrence is not None and (type(occurrence) is not int or occurrence < 1):
                raise ValueError(f"{path}: {module}: occurrence must be 1 or more: {entry}")
            original, mutant = _stripped(entry["original"]), _stripped(entry["mutant"])
            key = (module, str(entry["function"]), original, mutant)
            entries.append(Entry(key, occurrence, str(entry["reason"])))
    return entries


def _stripped(text: object) -> str:
    return "\n".join(line.strip() for line in str(text or "").strip().splitlines())


def matched(entries: Iterable[Entry], mutants: Sequence[Mutant]) -> tuple[set[str], list[str]]:
    """The names of the mutants the entries mark equivalent, and what is wrong with entries that
    do not each match exactly one mutant that no test kills."""
    equivalent: set[str] = set()
    problems: list[str] = []
    for entry in entries:
        hits = [mutant for mutant in mutants if entry.matches(mutant)]
        if not hits:
            problems.append(f"matches no mutant (remove it): {entry}")
        elif len(hits) > 1:
            problems.append(
                f"matches {len(hits)} mutants (add `occurrence: N`, N from 1 to {len(hits)}, "
                f"naming the one it means): {entry}"
            )
        elif hits[0].killed:
            problems.append(f"matches a mutant the tests kill (its reason is false): {entry}")
        elif hits[0].name in equivalent:
            problems.append(f"matches a mutant another entry names: {entry}")
        else:
            equivalent.add(hits[0].name)
    return equivalent, problems


def score(module: str, mutants: Iterable[Mutant], equivalent: set[str]) -> Score:
    """The module's score, with the equivalent mutants (by name) left out."""
    result = Score(module)
    for mutant in mutants:
        if mutant.name in equivalent:
            result.equivalent += 1
        elif mutant.killed:
            result.killed += 1
            result.typed += mutant.exit_code == TYPE_CHECKED
        else:
            result.survivors.append(mutant)
    return result


def survivor_entry(mutant: Mutant) -> str:
    """A survivor as an entry of equivalent.yaml (indented under its module), with mutmut's name
    for it and its status as a comment."""
    lines = [
        f"  # {mutant.name} ({mutant.status})",
        f"  - function: {mutant.function}",
        _yaml_field("original", mutant.original),
        _yaml_field("mutant", mutant.mutant),
    ]
    if mutant.shared:
        lines.append(f"    occurrence: {mutant.occurrence}")
    return "\n".join(lines)


def _yaml_field(name: str, text: str) -> str:
    if "\n" not in text:
        quoted = text.replace("'", "''")
        return f"    {name}: '{quoted}'"
    return f"    {name}: |-\n" + "\n".join(f"      {line}" for line in text.splitlines())


def report(
    mutants_dir: Path, equivalents_file: Path, minimum: float, modules: Sequence[str]
) -> tuple[str, bool]:
    """The report's text, and whether every module reached `minimum` percent."""
    entries = read_equivalents(equivalents_file)
    scores: list[Score] = []
    missing: list[str] = []
    problems: list[str] = []
    for module in modules:
        mutants = read_mutants(mutants_dir, module)
        if mutants is None:
            missing.append(module)
            continue
        equivalent, wrong = matched([e for e in entries if e.key[0] == module], mutants)
        problems += wrong
        scores.append(score(module, mutants, equivalent))

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
    if problems:
        out.append("Entries of the equivalent list that must each name one live mutant:")
        out.extend(f"  {problem}" for problem in problems)
        out.append("")

    out.append(
        f"{'module':<36} {'killed':>7} {'(mypy)':>7} {'counted':>8} {'equiv.':>7} {'score':>7}"
    )
    ok = not missing and not problems
    for s in scores:
        if not s.counted and not s.equivalent:  # no function to mutate: constants and classes
            out.append(f"{s.module:<36} {0:>7} {0:>7} {0:>8} {0:>7}       -  (nothing to mutate)")
            continue
        passed = s.counted > 0 and s.percent >= minimum
        ok = ok and passed
        mark = "" if passed else f"  < {minimum:g}%"
        figures = f"{s.killed:>7} {s.typed:>7} {s.counted:>8} {s.equivalent:>7} {s.percent:>6.1f}%"
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
