"""The `promptlayer-agents` command: run, results, get, batch and sandbox.

Errors print one line naming what was wrong and what to do, never a traceback, and end with one of
the documented exit codes; an unexpected exception too (EXIT_INTERNAL). No secret is ever
printed: `--api-key` is accepted before or after the command, and its value, $PROMPTLAYER_API_KEY
and any URL's password (`command_secrets`) are masked in every message and log line, argparse's
usage errors included.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import NoReturn, cast

from .._config import API_KEY_ENV, BASE_URL_ENV
from .._secrets import Secrets, of_url
from . import _agents, _batch, _sandbox
from ._common import EXIT_CODES, EXIT_INTERRUPTED, report, report_unexpected, usage_error
from ._terminal import clear_status, setup_output


class _Version(argparse.Action):
    """--version: print the installed distribution's version (read only when asked)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from importlib import metadata

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


API_KEY_OPTION = "--api-key"


def _names_a_key(option: str) -> bool:
    """--api-key, its abbreviations (`--api`), and look-alikes argparse would echo back as
    unrecognized (`--apikey`, `--api_key`, `--key`)."""
    name = option.lower()
    abbreviation = len(name) > 2 and API_KEY_OPTION.startswith(name)  # --a, --ap: ambiguous ones
    return name.startswith("--") and (abbreviation or name.startswith("--api") or "key" in name)


def given_keys(argv: Sequence[str]) -> list[str]:
    """Every value given to --api-key (or a look-alike option) in `argv`: `--api-key KEY`,
    `--api-key=KEY`, and any spelling argparse accepts or would echo back."""
    keys = []
    for number, token in enumerate(argv):
        option, equals, value = token.partition("=")
        if not _names_a_key(option):
            continue
        if equals:
            keys.append(value)
        elif number + 1 < len(argv):
            keys.append(argv[number + 1])
    return keys


def command_secrets(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> Secrets:
    """What the command must never print: every --api-key value in `argv`, before or after the
    command, $PROMPTLAYER_API_KEY, and the credentials of any URL in `argv` or in
    $PROMPTLAYER_BASE_URL."""
    urls = [environ.get(BASE_URL_ENV, ""), *argv, *(token.partition("=")[2] for token in argv)]
    keys = [*given_keys(argv), environ.get(API_KEY_ENV, "")]
    secrets = Secrets.of((*keys, *(key.strip() for key in keys)))
    for url in urls:
        secrets += of_url(url)
    return secrets


_command_line: ContextVar[Secrets | None] = ContextVar("pl_agents_cli_secrets", default=None)
"""The secrets of the whole command line being parsed: a subcommand's parser sees only the
arguments after the command, and must still mask an --api-key given before it."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, except that its error messages never show a secret of the command
    line (`command_secrets`)."""

    _secrets = Secrets()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        listed = list(sys.argv[1:] if args is None else args)
        self._secrets = command_secrets(listed)
        return super().parse_known_args(listed, namespace)

    def error(self, message: str) -> NoReturn:
        usage_error(self.prog, (self._secrets + (_command_line.get() or Secrets())).mask(message))


def _connection_options(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    """--api-key and --base-url, stored as `prefix`api_key and `prefix`base_url."""
    group = parser.add_argument_group("connection")
    group.add_argument(
        API_KEY_OPTION,
        dest=f"{prefix}api_key",
        metavar="KEY",
        help=f"API key (default: ${API_KEY_ENV})",
    )
    group.add_argument(
        "--base-url",
        dest=f"{prefix}base_url",
        metavar="URL",
        help="API address (default: $PROMPTLAYER_BASE_URL or PromptLayer's)",
    )


def parser() -> argparse.ArgumentParser:
    """The command line's parser, with every subcommand."""
    top = _Parser(
        prog="promptlayer-agents",
        description="Run PromptLayer agents, read their results and definitions.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    top.add_argument("--version", action=_Version)
    _output_options(top, 0)
    # Also accepted before the command; the command's own option wins (see `main`).
    _connection_options(top, prefix="top_")
    commands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        top.add_subparsers(dest="command", required=True, metavar="COMMAND"),
    )
    connection = _Parser(add_help=False)
    _connection_options(connection)
    _agents.add_commands(commands, connection)
    _batch.add_command(commands, connection)
    _sandbox.add_command(commands)
    for command in commands.choices.values():
        _output_options(command, argparse.SUPPRESS)  # given after the subcommand, it wins
    return top


def _merge_connection(args: argparse.Namespace) -> None:
    """--api-key and --base-url given before the command count when not given after it."""
    for name in ("api_key", "base_url"):
        before = getattr(args, f"top_{name}", None)
        if before is not None and getattr(args, name, None) is None:
            setattr(args, name, before)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; answers the exit code."""
    listed = list(sys.argv[1:] if argv is None else argv)
    secrets = command_secrets(listed)
    token = _command_line.set(secrets)
    try:
        args = parser().parse_args(listed)
    finally:
        _command_line.reset(token)
    from .. import PromptLayerError  # only now: --help and usage errors never load the client

    setup_output(args.verbosity, secrets)
    _merge_connection(args)
    try:
        code: int = args.handler(args)
    except PromptLayerError as error:
        clear_status()
        return report(error, secrets)
    except KeyboardInterrupt:
        clear_status()
        print("promptlayer-agents: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # a bug: one line and EXIT_INTERNAL, never a traceback
        clear_status()
        return report_unexpected(error, secrets)
    return code


if __name__ == "__main__":
    sys.exit(main())
