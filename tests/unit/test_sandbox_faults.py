"""`Faults`: named like the sandbox command's flags, the names before 0.2 still accepted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from promptlayer_agents.sandbox import Faults


def test_faults_are_named_like_the_flags() -> None:
    faults = Faults(latency=0.5, rate_limit=0.1, unavailable=0.2, drop=0.3, retry_after=2)

    assert (faults.rate_limit, faults.unavailable, faults.drop) == (0.1, 0.2, 0.3)


def test_the_old_names_still_work() -> None:
    assert Faults(rate_limited=0.25, dropped=0.5) == Faults(rate_limit=0.25, drop=0.5)


@pytest.mark.parametrize(
    "make",
    [lambda: Faults(rate_limit=1.5), lambda: Faults(drop=-0.1), lambda: Faults(rate_limited=2.0)],
)
def test_a_fraction_outside_0_1_is_refused_with_its_name(make: Callable[[], Faults]) -> None:
    with pytest.raises(ValueError, match=r"faults\.(rate_limit|drop) is a fraction"):
        make()
