"""Whether the sandbox executes, records or replays: the one place the record and replay options
are checked and turned into the tape its app answers from (`SandboxState.tape`)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ._app import SandboxState, Tape
from ._cassette import load
from ._recorder import DEFAULT_UPSTREAM, Recorder
from ._replayer import check_speed, replaying

FALLBACKS = ("none", "execute")


def tape_for(
    state: SandboxState,
    *,
    record: str | os.PathLike[str] | None = None,
    upstream: str | None = None,
    redact_inputs: Iterable[str] = (),
    replay: str | os.PathLike[str] | None = None,
    speed: float = 1.0,
    fallback: str | None = None,
    append: bool = True,
) -> Tape | None:
    """The recording proxy (`record` a cassette file, forwarding to `upstream`, PromptLayer by
    default), a replay of the cassette `replay` (at `speed`; `fallback="execute"` runs what
    matches no recording), or None to execute as usual. Raises ValueError (CassetteError for a
    cassette that does not load) naming what is wrong."""
    redact = [redact_inputs] if isinstance(redact_inputs, str) else list(redact_inputs)
    if record is not None and replay is not None:
        raise ValueError("record and replay exclude each other: give one cassette")
    if record is None and (upstream is not None or redact):
        raise ValueError("upstream and redact_inputs go with record=FILE")
    if replay is None and (speed != 1.0 or fallback not in (None, "none")):
        raise ValueError("speed and fallback go with replay=FILE")
    if fallback not in (None, *FALLBACKS):
        raise ValueError(f"fallback is one of {', '.join(FALLBACKS)}, not {fallback!r}")
    if record is not None:
        return Recorder(
            record, upstream=upstream or DEFAULT_UPSTREAM, redact_inputs=redact, append=append
        )
    if replay is not None:
        check_speed(speed)
        return replaying(state, load(replay), speed=speed, fallback=fallback == "execute")
    return None
