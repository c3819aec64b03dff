"""Where a test's cassette lives, and whether `promptlayer_sandbox.replay()` records or replays it:
`--promptlayer-record`, in the style of pytest-recording.

- `none` (the default): replay only; a missing cassette is an error. Nothing leaves the machine.
- `once`: replay a cassette that exists; record one that does not.
- `all`: record every cassette again, from scratch.

A cassette shared by several tests is started by the first test that records it in the session;
the others append to it.

Recording makes the test's sandbox a proxy to the upstream (`--promptlayer-upstream`, else
PROMPTLAYER_BASE_URL as the environment had it, else PromptLayer) and points the test's client at
it with the key the environment had in PROMPTLAYER_API_KEY, which the proxy forwards.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ._app import SandboxState
from ._recorder import DEFAULT_UPSTREAM
from ._tapes import tape_for

MODES = ("none", "once", "all")
FOLDER = "cassettes"


def _ignore_key(key: str) -> None:
    """Outside pytest there is no environment to point at the key: the caller sends it."""


@dataclass
class Cassettes:
    """A test's cassette settings (what the fixture sets from the command line and the test)."""

    mode: str = "none"
    directory: Path = field(default_factory=Path.cwd)  # relative cassette paths start here
    default_name: str | None = None  # <test module>/<test name>.yaml, under cassettes/
    upstream: str = DEFAULT_UPSTREAM
    api_key: str | None = None  # the key recording forwards
    use_key: Callable[[str], None] = _ignore_key  # points the test's client at that key
    recorded: set[Path] = field(default_factory=set)  # cassettes recorded this session

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"the record mode is one of {', '.join(MODES)}, not {self.mode!r}")

    def path(self, given: str | os.PathLike[str] | None) -> Path:
        """The cassette file: `given` (relative to the test's folder), or the test's own one,
        cassettes/<test module>/<test name>.yaml next to the test file."""
        if given is not None:
            path = Path(given)
            return path if path.is_absolute() else self.directory / path
        if self.default_name is None:
            raise ValueError("replay() needs a cassette path outside a pytest test")
        return self.directory / FOLDER / self.default_name

    def records(self, path: Path) -> bool:
        """Whether this cassette is recorded now (rather than replayed): a cassette shared by
        several tests that this session started recording goes on recording."""
        if self.mode == "once":
            return not path.exists() or path in self.recorded
        return self.mode == "all"

    def use(
        self,
        state: SandboxState,
        given: str | os.PathLike[str] | None,
        speed: float,
        fallback: str | None,
        redact_inputs: Iterable[str],
    ) -> Path:
        """Make the sandbox replay the cassette, or record it as the mode says; its path."""
        cassette = self.path(given)
        if not self.records(cassette):
            if not cassette.exists():
                raise ValueError(
                    f"no cassette {cassette} to replay (record mode {self.mode}): "
                    "record it with pytest --promptlayer-record=once"
                )
            state.tape = tape_for(state, replay=cassette, speed=speed, fallback=fallback)
            return cassette
        if not self.api_key:
            raise ValueError(
                f"recording {cassette} needs PROMPTLAYER_API_KEY in the environment: the key "
                f"the sandbox forwards to {self.upstream}"
            )
        state.tape = tape_for(
            state,
            record=cassette,
            upstream=self.upstream,
            redact_inputs=redact_inputs,
            append=cassette in self.recorded,  # the first test to record it starts it afresh
        )
        self.recorded.add(cassette)
        self.use_key(self.api_key)
        return cassette


def default_name(module: str, test: str) -> str:
    """A test's own cassette name: its module and name, with characters that are unsafe in a file
    name (parametrize ids can hold any) replaced by '_'."""
    return f"{module}/{re.sub(r'[^A-Za-z0-9_.-]', '_', test)}.yaml"
