"""`make mutation`'s run: mutmut's command line, with two changes that keep the whole target
(every hand-written module, about 10,700 mutants) within 30 minutes on two cores.

    python tests/mutation/run.py run --max-children 2

- A time budget per mutant. mutmut runs, for each mutant, the unit tests that reach the function
  it changes, fastest first, stopping at the first failure. A killed mutant costs little, but one
  that survives runs every one of them: hundreds, for the client's core or the sandbox catalog,
  and each equivalent mutant survives every run. Here each function keeps the fastest of its tests
  whose durations (as mutmut measured them) add up to `BUDGET` seconds. A mutant only tests past
  the budget would kill is reported as a survivor: in samples of this project's mutants, every
  kill came within the first 2.1 seconds of tests.
- Mutants mypy refuses (`type_check_command`) are found from the line spans mutmut writes beside
  each mutated file (`*.spans`) instead of by parsing every mutated file again, which took minutes.

Everything else is mutmut's own command line (`--help`). Run as a file, not with `-m`: mutmut
runs the tests from the copy in `mutants/`, and `-m tests...` would import the `tests` package
from here first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from pathlib import Path

BUDGET = 3.0
"""Seconds of a function's fastest tests (by mutmut's own measure) each of its mutants runs."""


def within_budget(
    tests_by_function: MutableMapping[str, set[str]],
    seconds_by_test: Mapping[str, float],
    budget: float = BUDGET,
) -> None:
    """Keep, for each function, its fastest tests whose durations add up to `budget` seconds
    (always the fastest one): the tests mutmut runs, in this order, against its mutants."""
    for function, tests in tests_by_function.items():
        kept: set[str] = set()
        spent = 0.0
        for test in sorted(tests, key=lambda name: (seconds_by_test.get(name, 0.0), name)):
            spent += seconds_by_test.get(test, 0.0)
            if kept and spent > budget:
                break
            kept.add(test)
        tests_by_function[function] = kept


def function_at(spans: Mapping[str, list[int]], line: int) -> str | None:
    """The name of the function of a mutated file (mutmut's `.spans`) that holds `line`."""
    return next((name for name, (start, end) in spans.items() if start <= line <= end), None)


def main() -> None:
    """mutmut's command line, with the budget applied once mutmut knows which tests reach which
    function, and its type-check filter reading `.spans` files."""
    import mutmut.__main__ as mutmut_main
    from mutmut.configuration import config
    from mutmut.mutation.file_mutation import FailedTypeCheckMutant, MutatedMethodLocation
    from mutmut.state import state
    from mutmut.type_checking import run_type_checker
    from mutmut.utils.file_utils import change_cwd
    from mutmut.utils.format_utils import get_mutant_name

    collect = mutmut_main.collect_or_load_stats

    def collect_within_budget(*args: object, **kwargs: object) -> None:
        collect(*args, **kwargs)  # type: ignore[arg-type]
        within_budget(state().tests_by_mangled_function_name, state().duration_by_test)

    def caught_by_type_checker() -> dict[str, FailedTypeCheckMutant]:
        caught: dict[str, FailedTypeCheckMutant] = {}
        with change_cwd("mutants"):
            for error in run_type_checker(config().type_check_command):
                path = error.file_path.relative_to(Path.cwd())
                spans_file = Path(f"{path}.spans")
                if not spans_file.exists():  # a module mutmut left alone
                    continue
                spans = json.loads(spans_file.read_text("utf-8"))["spans"]
                function = function_at(spans, error.line_number)
                if function is None:
                    raise SystemExit(
                        f"a type error outside every mutant: {path}:{error.line_number}"
                    )
                start, end = spans[function]
                name = get_mutant_name(path, function)
                location = MutatedMethodLocation(path.absolute(), function, start, end)
                caught[name] = FailedTypeCheckMutant(location, name, error)
        return caught

    mutmut_main.collect_or_load_stats = collect_within_budget
    mutmut_main.filter_mutants_with_type_checker = caught_by_type_checker  # type: ignore[attr-defined]
    mutmut_main.cli()


if __name__ == "__main__":
    main()
