"""`make mutation`'s budget: each mutant meets the fastest tests that reach its function, up to a
number of seconds, in the order mutmut runs them; and a type error is laid on the mutant whose
lines hold it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.mutation.run import function_at, within_budget

durations = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3),
    st.floats(0.0, 2.0, allow_nan=False),
    min_size=1,
    max_size=12,
)


@given(durations, st.floats(0.0, 5.0, allow_nan=False))
def test_the_tests_kept_are_the_fastest_that_fit_the_budget(
    seconds: dict[str, float], budget: float
) -> None:
    tests = {"f": set(seconds)}

    within_budget(tests, seconds, budget)

    order = sorted(seconds, key=lambda name: (seconds[name], name))
    kept = order[: len(tests["f"])]
    assert tests["f"] == set(kept)  # a prefix of mutmut's order, fastest first
    assert kept  # a function keeps its fastest test whatever it costs
    assert len(kept) == 1 or sum(seconds[t] for t in kept) <= budget
    if len(kept) < len(order):  # the next one would have gone past the budget
        assert sum(seconds[t] for t in order[: len(kept) + 1]) > budget


def test_each_function_is_cut_on_its_own() -> None:
    seconds = {"a": 1.0, "b": 1.0, "c": 1.0, "slow": 9.0}
    tests = {"f": {"a", "b", "c"}, "g": {"slow", "a"}, "h": set()}

    within_budget(tests, seconds, 2.5)

    assert tests == {"f": {"a", "b"}, "g": {"a"}, "h": set()}


SPANS = {"x_f__mutmut_orig": [1, 4], "x_f__mutmut_1": [5, 8], "xǁCǁm__mutmut_1": [12, 12]}


@pytest.mark.parametrize(
    ("line", "function"),
    [(1, "x_f__mutmut_orig"), (5, "x_f__mutmut_1"), (8, "x_f__mutmut_1"), (12, "xǁCǁm__mutmut_1")],
)
def test_a_type_error_belongs_to_the_function_whose_lines_hold_it(line: int, function: str) -> None:
    assert function_at(SPANS, line) == function


@pytest.mark.parametrize("line", [0, 9, 11, 13])
def test_a_line_outside_every_function_belongs_to_none(line: int) -> None:
    assert function_at(SPANS, line) is None
