"""`make mutation`'s report: scores per module without the mutants marked equivalent, survivors
printed so that one can be pasted into the equivalent list as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.mutation.report import core_modules, main, report

MODULE = "pkg/mod.py"

# What `mutmut run` leaves for one module: the mutated copy, each function's span in it, and each
# mutant's exit code (1 killed, 0 survived, 33 no test ran it).
COPY = '''\
def x_clamp__mutmut_orig(value, *, top):
    """Clamp."""
    return min(value,
               top)
def x_clamp__mutmut_1(value, *, top):
    """Clamp."""
    return max(value,
               top)
def x_clamp__mutmut_2(value, *, top):
    """Clamp."""
    return min(value,
               None)
def xǁBoxǁsize__mutmut_orig(self):
    return self.width * 2
def xǁBoxǁsize__mutmut_1(self):
    return self.width * 3
def x_go__mutmut_orig(a):
    run(a, force=True)
    log(a)
    run(a, force=True)
def x_go__mutmut_1(a):
    run(a, force=True)
    log(a)
    run(a, force=False)
def x_go__mutmut_2(a):
    run(a, force=False)
    log(a)
    run(a, force=True)
'''
SPANS = {
    "x_clamp__mutmut_orig": [1, 4],
    "x_clamp__mutmut_1": [5, 8],
    "x_clamp__mutmut_2": [9, 12],
    "xǁBoxǁsize__mutmut_orig": [13, 14],
    "xǁBoxǁsize__mutmut_1": [15, 16],
    "x_go__mutmut_orig": [17, 20],
    "x_go__mutmut_1": [21, 24],
    "x_go__mutmut_2": [25, 28],
}


def mutants_dir(tmp_path: Path, exit_codes: dict[str, int | None]) -> Path:
    folder = tmp_path / "mutants"
    (folder / "pkg").mkdir(parents=True)
    (folder / MODULE).write_text(COPY, "utf-8")
    (folder / f"{MODULE}.spans").write_text(json.dumps({"version": 1, "spans": SPANS}), "utf-8")
    codes = {f"pkg.mod.{name}": code for name, code in exit_codes.items()}
    (folder / f"{MODULE}.meta").write_text(json.dumps({"exit_code_by_key": codes}), "utf-8")
    return folder


def equivalents(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "equivalent.yaml"
    path.write_text(text, "utf-8")
    return path


def test_the_score_counts_killed_mutants_and_lists_the_others(tmp_path: Path) -> None:
    folder = mutants_dir(
        tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 0, "xǁBoxǁsize__mutmut_1": 33}
    )

    text, ok = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE])

    assert not ok
    assert text.splitlines()[-1].split() == [MODULE, "1", "0", "3", "0", "33.3%", "<", "95%"]
    assert "pkg.mod.x_clamp__mutmut_2 (survived)" in text
    assert "pkg.mod.xǁBoxǁsize__mutmut_1 (no tests)" in text
    assert "  - function: Box.size\n    original: 'return self.width * 2'" in text
    assert "pkg.mod.x_clamp__mutmut_1 " not in text


def test_a_mutant_mypy_refused_counts_as_killed_and_is_shown_apart(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 37})

    text, ok = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE])

    assert ok, text
    assert text.splitlines()[-2].split() == [
        "module",
        "killed",
        "(mypy)",
        "counted",
        "equiv.",
        "score",
    ]
    assert text.splitlines()[-1].split() == [MODULE, "2", "1", "2", "0", "100.0%"]


def test_a_survivor_pasted_with_a_reason_no_longer_counts(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 0})
    text, _ = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE])
    pasted = [line for line in text.splitlines() if line.startswith("  ")]

    marked = equivalents(tmp_path, f"{MODULE}:\n" + "\n".join(pasted) + "\n    reason: why\n")
    text, ok = report(folder, marked, 95.0, [MODULE])

    assert ok, text
    assert "Surviving" not in text
    assert text.splitlines()[-1].split() == [MODULE, "1", "0", "1", "1", "100.0%"]


def test_an_entry_names_the_change_not_the_mutant_number(tmp_path: Path) -> None:
    entry = f"""\
{MODULE}:
  - function: clamp
    original: return min(value,
    mutant: return max(value,
    reason: the same here
"""
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 0, "x_clamp__mutmut_2": 1})

    text, ok = report(folder, equivalents(tmp_path, entry), 95.0, [MODULE])

    assert ok, text
    assert text.splitlines()[-1].split() == [MODULE, "1", "0", "1", "1", "100.0%"]


def test_an_entry_that_matches_nothing_fails(tmp_path: Path) -> None:
    entry = f"""\
{MODULE}:
  - function: clamp
    original: return min(value, top)
    mutant: return min(value, 0)
    reason: code that is gone
"""
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 1})

    text, ok = report(folder, equivalents(tmp_path, entry), 95.0, [MODULE])

    assert not ok
    assert "matches no mutant (remove it)" in text
    assert "clamp: 'return min(value, top)' -> 'return min(value, 0)'" in text


FORCE = f"""\
{MODULE}:
  - function: go
    original: run(a, force=True)
    mutant: run(a, force=False)
    reason: the first call's force does not matter here
"""


def test_an_entry_for_a_change_made_at_several_places_must_say_which(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_go__mutmut_1": 0, "x_go__mutmut_2": 0})

    text, ok = report(folder, equivalents(tmp_path, FORCE), 0.0, [MODULE])

    assert not ok
    assert "matches 2 mutants (add `occurrence: N`, N from 1 to 2" in text
    assert text.splitlines()[-1].split() == [
        MODULE,
        "0",
        "0",
        "2",
        "0",
        "0.0%",
    ]  # neither is excused


def test_occurrence_counts_from_the_top_of_the_function(tmp_path: Path) -> None:
    # mutant 2 changes the first call, mutant 1 the second: the numbers follow the code.
    folder = mutants_dir(tmp_path, {"x_go__mutmut_1": 1, "x_go__mutmut_2": 0})

    text, ok = report(folder, equivalents(tmp_path, FORCE + "    occurrence: 1\n"), 95.0, [MODULE])

    assert ok, text
    assert text.splitlines()[-1].split() == [MODULE, "1", "0", "1", "1", "100.0%"]
    text, ok = report(folder, equivalents(tmp_path, FORCE + "    occurrence: 2\n"), 95.0, [MODULE])
    assert not ok
    assert "matches a mutant the tests kill (its reason is false)" in text


def test_a_survivor_of_a_shared_change_is_printed_with_its_occurrence(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_go__mutmut_1": 0, "x_go__mutmut_2": 1})
    text, _ = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE])
    pasted = [line for line in text.splitlines() if line.startswith("  ")]

    assert "    occurrence: 2" in pasted
    marked = equivalents(tmp_path, f"{MODULE}:\n" + "\n".join(pasted) + "\n    reason: why\n")
    text, ok = report(folder, marked, 95.0, [MODULE])
    assert ok, text


def test_an_entry_on_a_killed_mutant_fails(tmp_path: Path) -> None:
    entry = f"""\
{MODULE}:
  - function: clamp
    original: return min(value,
    mutant: return max(value,
    reason: claimed equivalent, but a test tells them apart
"""
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 1})

    text, ok = report(folder, equivalents(tmp_path, entry), 95.0, [MODULE])

    assert not ok
    assert "matches a mutant the tests kill (its reason is false)" in text


def test_two_entries_for_one_mutant_fail(tmp_path: Path) -> None:
    entry = f"""\
{MODULE}:
  - function: clamp
    original: return min(value,
    mutant: return max(value,
    reason: once
  - function: clamp
    original: return min(value,
    mutant: return max(value,
    occurrence: 1
    reason: twice
"""
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 0, "x_clamp__mutmut_2": 1})

    text, ok = report(folder, equivalents(tmp_path, entry), 95.0, [MODULE])

    assert not ok
    assert "matches a mutant another entry names" in text


@pytest.mark.parametrize("occurrence", ["0", "-1", "first", "1.5"])
def test_an_occurrence_must_be_a_positive_whole_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], occurrence: str
) -> None:
    folder = mutants_dir(tmp_path, {"x_go__mutmut_1": 0, "x_go__mutmut_2": 0})
    bad = equivalents(tmp_path, FORCE + f"    occurrence: {occurrence}\n")

    assert main(["--mutants", str(folder), "--equivalents", str(bad), MODULE]) == 2
    assert "occurrence must be 1 or more" in capsys.readouterr().err


def test_a_module_without_results_fails(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 1})

    text, ok = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE, "pkg/other.py"])

    assert not ok
    assert "pkg/other.py" in text and "no results" in text


def test_a_module_with_nothing_to_mutate_passes_and_says_so(tmp_path: Path) -> None:
    """mutmut mutates functions only: a module of constants has results but no mutants."""
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 1})
    (folder / "pkg" / "consts.py").write_text("LIMIT = 3\n", "utf-8")
    (folder / "pkg" / "consts.py.spans").write_text('{"version": 1, "spans": {}}', "utf-8")
    (folder / "pkg" / "consts.py.meta").write_text('{"exit_code_by_key": {}}', "utf-8")

    text, ok = report(folder, equivalents(tmp_path, "{}\n"), 95.0, [MODULE, "pkg/consts.py"])

    assert ok, text
    assert text.splitlines()[-1].split()[0] == "pkg/consts.py"
    assert text.splitlines()[-1].endswith("(nothing to mutate)")


def test_a_mutant_not_run_is_not_killed(tmp_path: Path) -> None:
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": None})

    text, ok = report(folder, equivalents(tmp_path, "{}\n"), 50.0, [MODULE])

    assert ok
    assert "x_clamp__mutmut_2 (not run)" in text


def test_the_core_modules_are_those_mutmut_mutates() -> None:
    modules = core_modules()
    assert "promptlayer_agents/_flows.py" in modules
    assert "promptlayer_agents/cli/_batch.py" in modules
    assert all(Path(module).is_file() for module in modules)


def test_an_unreadable_list_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = mutants_dir(tmp_path, {"x_clamp__mutmut_1": 1, "x_clamp__mutmut_2": 1})
    bad = equivalents(tmp_path, f"{MODULE}:\n  - function: clamp\n    reason: no lines\n")

    code = main(["--mutants", str(folder), "--equivalents", str(bad), MODULE])

    assert code == 2
    assert "an entry needs ['mutant', 'original']" in capsys.readouterr().err
