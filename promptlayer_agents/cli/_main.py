"""The `promptlayer-agents` command: run, results, get, batch and sandbox.

Errors print one line naming what was wrong and what to do, never a traceback, and end with one of
the documented exit codes. The API key is never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import _agents, _batch, _sandbox
from ._common import EXIT_CODES, EXIT_INTERRUPTED, report


def parser() -> argparse.ArgumentParser:
    """The command line's parser, with every subcommand."""
    top = argparse.ArgumentParser(
        prog="promptlayer-agents",
        description="Run PromptLayer agents, read their results and definitions.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connection = argparse.ArgumentParser(add_help=False)
    group = connection.add_argument_group("connection")
    group.add_argument("--api-key", help="API key (default: $PROMPTLAYER_API_KEY)")
    group.add_argument(
        "--base-url", help="API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)"
    )
    _agents.add_commands(commands, connection)
    _batch.add_command(commands, connection)
    _sandbox.add_command(commands)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; answers the exit code."""
    args = parser().parse_args(argv)
    from .. import PromptLayerError  # only now: --help and usage errors never load the client

    try:
        code: int = args.handler(args)
    except PromptLayerError as error:
        return report(error)
    except KeyboardInterrupt:
        print("promptlayer-agents: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
