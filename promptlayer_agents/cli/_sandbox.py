"""`promptlayer-agents sandbox`: serve the local PromptLayer-compatible API in the foreground."""

from __future__ import annotations

import argparse
import errno
import math
import sys

from ._common import EXIT_OK, EXIT_USAGE, one_line


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _above_zero(text: str, what: str) -> float:
    value = float(text)
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be {what} > 0, not {text}")
    return value


def _seconds(text: str) -> float:
    return _above_zero(text, "a number of seconds")


def _speed(text: str) -> float:
    return _above_zero(text, "a number")


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`sandbox`: serve a local PromptLayer-compatible API."""
    sandbox = commands.add_parser(
        "sandbox",
        help="serve a local PromptLayer-compatible API for trying the client and offline tests",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free)")
    sandbox.add_argument(
        "--agents",
        metavar="FILE",
        help="agents to serve: a YAML or JSON agents file, or Get Agent JSON as "
        "`get NAME --json` prints it, one definition or a list (default: the demo agents)",
    )
    sandbox.add_argument(
        "--api-key", default=None, help="the key clients must send (default pl_sandbox)"
    )
    faults = sandbox.add_argument_group("fault injection (all off by default)")
    faults.add_argument(
        "--latency", type=float, default=0.0, metavar="S", help="delay every answer"
    )
    faults.add_argument(
        "--rate-limit",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="answer this fraction of requests with 429 and Retry-After",
    )
    faults.add_argument(
        "--unavailable",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="answer this fraction of requests with 503",
    )
    faults.add_argument(
        "--drop",
        type=_fraction,
        default=0.0,
        metavar="FRACTION",
        help="drop the connection of this fraction of requests after handling them",
    )
    faults.add_argument(
        "--retry-after",
        type=int,
        default=1,
        metavar="S",
        help="Retry-After seconds on injected 429s and 503s (default 1)",
    )
    faults.add_argument("--seed", type=int, default=None, help="seed the fault dice")
    sandbox.add_argument(
        "--max-executions",
        type=int,
        default=1000,
        metavar="N",
        help="executions remembered; the oldest are dropped (default 1000)",
    )
    sandbox.add_argument(
        "--allow-remote-callbacks",
        action="store_true",
        help="also POST callbacks to addresses other than loopback",
    )
    limits = sandbox.add_argument_group("limits")
    limits.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=None,
        metavar="N",
        help="refuse larger request bodies with 413 (default 10 MiB)",
    )
    limits.add_argument(
        "--max-stored-bytes",
        type=_positive,
        default=None,
        metavar="N",
        help="bytes of inputs, metadata and node values all executions may hold; past it the "
        "oldest are forgotten (default 128 MiB)",
    )
    limits.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="close a connection idle this long (default 5)",
    )
    limits.add_argument(
        "--header-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="close a connection whose request line and headers take longer (default 10)",
    )
    limits.add_argument(
        "--body-timeout",
        type=_seconds,
        default=None,
        metavar="S",
        help="close a connection whose request body takes longer (default 30)",
    )
    limits.add_argument(
        "--max-connections",
        type=_positive,
        default=None,
        metavar="N",
        help="connections and requests in progress at once; more get 503 (default 1000)",
    )
    limits.add_argument(
        "--max-header-bytes",
        type=_positive,
        default=None,
        metavar="N",
        help="a request's line and headers together; larger ones get 400 (default 64 KiB)",
    )
    tapes = sandbox.add_argument_group("record and replay (see the README)")
    mode = tapes.add_mutually_exclusive_group()
    mode.add_argument(
        "--record",
        metavar="FILE",
        help="be a recording proxy: forward each request with the caller's key to --upstream, "
        "answer what it answered, and append each exchange to this cassette",
    )
    mode.add_argument(
        "--replay",
        metavar="FILE",
        help="answer from this cassette: matched runs get new executions that follow the "
        "recorded progression; anything else is refused",
    )
    tapes.add_argument(
        "--upstream",
        metavar="URL",
        default=None,
        help="with --record: where to forward (default https://api.promptlayer.com)",
    )
    tapes.add_argument(
        "--redact-input",
        metavar="NAME",
        action="append",
        default=[],
        help="with --record: record this input variable's value as [REDACTED] (repeatable)",
    )
    tapes.add_argument(
        "--speed",
        type=_speed,
        default=1.0,
        metavar="X",
        help="with --replay: play the recorded timeline X times as fast (default 1)",
    )
    tapes.add_argument(
        "--fallback",
        choices=("none", "execute"),
        default="none",
        help="with --replay: what a run matching no recording gets: a 404 (none, the default), "
        "or an execution of its definition as the sandbox runs it (execute)",
    )
    sandbox.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    sandbox.add_argument(
        "--access-log", action="store_true", help="print a line for every request (off by default)"
    )
    sandbox.set_defaults(handler=_sandbox)


def _bind_problem(error: Exception, args: argparse.Namespace) -> str:
    """What went wrong starting the sandbox, on one line; a port in use says how to get a free
    one."""
    if isinstance(error, OSError) and error.errno == errno.EADDRINUSE:
        return (
            f"port {args.port} on {args.host} is in use; choose another with --port N, "
            "or --port 0 for any free port"
        )
    return one_line(str(error))


def _sandbox(args: argparse.Namespace) -> int:
    try:
        from ..sandbox import DEFAULT_API_KEY, CatalogError, Faults, create_app
        from ..sandbox._connections import ConnectionTimeouts
        from ..sandbox._limits import DEFAULT_MAX_BODY_BYTES
        from ..sandbox._memory import DEFAULT_MAX_STORED_BYTES
        from ..sandbox._recorder import DEFAULT_UPSTREAM
        from ..sandbox._server import (
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_HEADER_BYTES,
            bind,
            serve,
            url_of,
        )
        from ..sandbox._tapes import tape_for
    except ImportError as missing:
        print(
            f"the sandbox needs the 'sandbox' extra ({missing.name} is missing): "
            "pip install 'promptlayer-agents[sandbox]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    api_key = args.api_key or DEFAULT_API_KEY
    try:
        faults = Faults(
            latency=args.latency,
            rate_limit=args.rate_limit,
            unavailable=args.unavailable,
            drop=args.drop,
            retry_after=args.retry_after,
            seed=args.seed,
        )
        app = create_app(
            args.agents,
            api_key=api_key,
            faults=faults,
            max_executions=args.max_executions,
            allow_remote_callbacks=args.allow_remote_callbacks,
            max_body_bytes=args.max_body_bytes or DEFAULT_MAX_BODY_BYTES,
            max_stored_bytes=args.max_stored_bytes or DEFAULT_MAX_STORED_BYTES,
        )
        defaults = ConnectionTimeouts()
        timeouts = ConnectionTimeouts(
            idle=args.idle_timeout or defaults.idle,
            header=args.header_timeout or defaults.header,
            body=args.body_timeout or defaults.body,
        )
        state = app.state.sandbox
        state.tape = tape_for(
            state,
            record=args.record,
            upstream=args.upstream,
            redact_inputs=args.redact_input,
            replay=args.replay,
            speed=args.speed,
            fallback=args.fallback,
        )
        sock = bind(args.host, args.port)
    except (CatalogError, ValueError, OSError) as error:
        print(f"promptlayer-agents sandbox: {_bind_problem(error, args)}", file=sys.stderr)
        return EXIT_USAGE
    url = url_of(sock)
    agents = ", ".join(app.state.sandbox.catalog.names)
    if args.record:
        print(f"PromptLayer recording proxy serving {url}", flush=True)
        upstream = args.upstream or DEFAULT_UPSTREAM
        print(f"Forwarding to {upstream} with each caller's key; recording {args.record}")
    else:
        print(f"PromptLayer sandbox serving {url} with API key {api_key}", flush=True)
    if args.replay:
        print(f"Replaying {args.replay} at speed {args.speed:g} (fallback: {args.fallback})")
    elif not args.record:
        print(f"Agents: {agents}")
    print("Point a client at it:")
    print(f"  export PROMPTLAYER_BASE_URL={url}")
    if args.record:
        print("  # and keep your own PROMPTLAYER_API_KEY: the proxy forwards it")
    else:
        print(f"  export PROMPTLAYER_API_KEY={api_key}")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        serve(
            sock,
            app,
            log_level=args.log_level,
            access_log=args.access_log,
            max_connections=args.max_connections or DEFAULT_MAX_CONNECTIONS,
            max_header_bytes=args.max_header_bytes or DEFAULT_MAX_HEADER_BYTES,
            timeouts=timeouts,
        )
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on
        pass
    finally:
        sock.close()
    print("Sandbox stopped.")
    return EXIT_OK
