"""The `promptlayer-agents` command: run, results, get, batch and sandbox.

Errors print one line naming what was wrong and what to do, never a traceback, and end with one of
the documented exit codes. The API key is never printed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata

from .. import PromptLayerError
from . import _agents, _batch, _sandbox
from ._common import EXIT_CODES, EXIT_INTERRUPTED, report
from ._terminal import setup_output


class _Version(argparse.Action):
    """--version: print the installed distribution's version (read only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"{parser.prog} {metadata.version('promptlayer-agents')}")
        parser.exit()


def _output_options(command: argparse.ArgumentParser, default: object) -> None:
    """-v/--verbose and -q/--quiet, before or after the subcommand."""
    group = command.add_mutually_exclusive_group()
    group.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=default,
        help="also print retries and each request",
    )
    group.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=-1,
        default=default,
        help="print results and errors only: no warnings, status line or progress bar",
    )


def parser() -> argparse.ArgumentParser:
    """The command line's parser, with every subcommand."""
    top = argparse.ArgumentParser(
        prog="promptlayer-agents",
        description="Run PromptLayer agents, read their results and definitions.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action=_Version)
    _output_options(top, 0)
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
    for command in commands.choices.values():
        _output_options(command, argparse.SUPPRESS)  # given after the subcommand, it wins
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; answers the exit code."""
    args = parser().parse_args(argv)
    setup_output(args.verbosity)
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
