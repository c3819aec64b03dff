"""What every subcommand shares: exit codes, how an error is reported, common options.

The command line's modules import the client (httpx, the generated models) inside the functions
that use it, never at the top: building the parser, and so `--help`, stays light.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .._config import DEFAULT_WAIT_DEADLINE

if TYPE_CHECKING:
    from .. import PromptLayerError

EXIT_OK = 0
EXIT_FAILED = 1  # the execution (or a batch input) failed
EXIT_USAGE = 2  # bad arguments, input file or configuration
EXIT_API = 3  # the API refused or could not be reached
EXIT_TIMEOUT = 4  # still running at the deadline
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_CODES = f"""exit codes:
  {EXIT_OK}    success
  {EXIT_FAILED}    the execution failed (batch: at least one input failed)
  {EXIT_USAGE}    usage error: bad arguments, input file or configuration (e.g. no API key)
  {EXIT_API}    API or authentication error, or the API could not be reached
  {EXIT_TIMEOUT}    timeout: still running at the deadline (resume with: results ID --wait)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""


def version_options(command: argparse.ArgumentParser) -> None:
    """--label or --version (not both): which version of the agent."""
    choice = command.add_mutually_exclusive_group()
    choice.add_argument("--label", help="the version with this release label, e.g. prod")
    choice.add_argument("--version", type=int, help="this version number")


def timeout_option(command: argparse.ArgumentParser, what: str) -> None:
    """--timeout: how long to wait for `what`."""
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_WAIT_DEADLINE,
        metavar="S",
        help=f"give up waiting for {what} after S seconds (default {DEFAULT_WAIT_DEADLINE:.0f})",
    )


def _hint(error: PromptLayerError) -> str:
    """What to do about an error, for its one-line message."""
    from .. import (
        APIConnectionError,
        AuthenticationError,
        ConfigurationError,
        NotFoundError,
        ResponseValidationError,
    )

    if isinstance(error, AuthenticationError):
        return "check PROMPTLAYER_API_KEY or --api-key"
    if isinstance(error, NotFoundError):
        return "check the agent name, version, label or execution id"
    if isinstance(error, APIConnectionError | ResponseValidationError):
        return "check PROMPTLAYER_BASE_URL or --base-url, and the network"
    if isinstance(error, ConfigurationError):
        return "see --help"
    return ""


def exit_code(error: PromptLayerError) -> int:
    """The documented exit code for an error."""
    from .. import ConfigurationError, ExecutionFailedError, InvalidInputError, WaitTimeoutError

    if isinstance(error, ExecutionFailedError):
        return EXIT_FAILED
    if isinstance(error, WaitTimeoutError):
        return EXIT_TIMEOUT
    if isinstance(error, InvalidInputError | ConfigurationError):
        return EXIT_USAGE
    return EXIT_API  # APIStatusError, APIConnectionError, ResponseValidationError


def report(error: PromptLayerError) -> int:
    """Print the error as one line on stderr; answers its exit code."""
    from .. import WaitTimeoutError

    message, hint = str(error), _hint(error)
    if isinstance(error, WaitTimeoutError):
        message = f"execution {error.execution_id} still running after {error.waited:.1f}s"
        hint = f"resume with: promptlayer-agents results {error.execution_id} --wait"
    print(f"promptlayer-agents: {message}" + (f" ({hint})" if hint else ""), file=sys.stderr)
    return exit_code(error)
