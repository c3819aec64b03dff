"""What every subcommand shares: exit codes, how an error is reported, common options.

The command line's modules import the client (httpx, the generated models) inside the functions
that use it, never at the top: building the parser, and so `--help`, stays light.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .._config import API_KEY_ENV, BASE_URL_ENV, CLI_MESSAGE_CHARS, DEFAULT_WAIT_DEADLINE
from .._secrets import Secrets

NO_SECRETS = Secrets()
MESSAGE_CHARS = CLI_MESSAGE_CHARS  # an error line is cut to this length (the default is in _config)

if TYPE_CHECKING:
    from .. import PromptLayerError

EXIT_OK = 0
EXIT_FAILED = 1  # the execution (or a batch input) failed
EXIT_USAGE = 2  # bad arguments, input file or configuration
EXIT_API = 3  # the API refused or could not be reached
EXIT_TIMEOUT = 4  # still running at the deadline
EXIT_UNKNOWN = 5  # batch: some inputs may have started, with no execution id (UNKNOWN)
EXIT_RUNNING = 6  # results without --wait: the execution is not finished yet
EXIT_NO_NODE = 7  # results --node: the execution has no node of that name
EXIT_INTERNAL = 70  # a bug: an unexpected exception (sysexits' EX_SOFTWARE)
EXIT_INTERRUPTED = 130  # Ctrl-C

EXIT_MEANINGS: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_FAILED: "the execution failed (batch: at least one input failed or ended in an error)",
    EXIT_USAGE: "usage error: bad arguments, input file or settings (e.g. no API key)",
    EXIT_API: "API or authentication error, or the API could not be reached",
    EXIT_TIMEOUT: "timeout: still running at the deadline (resume with: results ID --wait)",
    EXIT_UNKNOWN: "batch: some inputs may have started but their answer was lost (UNKNOWN)",
    EXIT_RUNNING: "results without --wait: the execution is still running",
    EXIT_NO_NODE: "results --node: the execution has no node of that name",
    EXIT_INTERNAL: "internal error: an unexpected failure in this program (please report it)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}
"""Every exit code and what it means: the one list that --help and the README show."""

EXIT_CODES = "exit codes:\n" + "".join(
    f"  {code:<4} {meaning}\n" for code, meaning in EXIT_MEANINGS.items()
)

# How the command line spells what the library's errors name (their `argument`): a flag and,
# for the connection, the environment variable it defaults to.
OPTIONS: dict[str, str] = {
    "api_key": f"--api-key or {API_KEY_ENV}",
    "base_url": f"--base-url or {BASE_URL_ENV}",
    "input_variables": "--inputs or -i",
    "metadata": "--metadata",
    "label": "--label",
    "version": "--version",
    "agent": "NAME",
    "execution_id": "EXECUTION_ID",
    "node_name": "--node",
}


def version_options(command: argparse.ArgumentParser) -> None:
    """--label or --version (not both): which version of the agent."""
    choice = command.add_mutually_exclusive_group()
    choice.add_argument("--label", help="the version with this release label, e.g. prod")
    choice.add_argument("--version", type=int, help="this version number")


def seconds(text: str) -> float:
    """A number of seconds > 0, checked while parsing: a bad --timeout must stop the command
    before it starts a run, not after."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0, not {text}")
    return value


def output_path(text: str) -> Path:
    """A file to write, checked while parsing: its directory must exist. A mistyped directory
    stops the command before anything starts, instead of being created silently."""
    path = Path(text)
    if path.parent.exists() and not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{str(path.parent)!r} is not a directory")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"no directory {str(path.parent)!r} to write {path.name!r} in: create it first"
        )
    return path


def timeout_option(command: argparse.ArgumentParser, what: str) -> None:
    """--timeout: how long to wait for `what`."""
    command.add_argument(
        "--timeout",
        type=seconds,
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
        return "check --api-key or PROMPTLAYER_API_KEY"
    if isinstance(error, NotFoundError):
        return "check the agent name, version, label or execution id"
    if isinstance(error, APIConnectionError | ResponseValidationError):
        return "check PROMPTLAYER_BASE_URL or --base-url, and the network"
    argument = getattr(error, "argument", None)
    if argument in OPTIONS:
        return f"check {OPTIONS[argument]}"
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


def resume_hint(execution_id: int) -> str:
    """The command that picks up waiting for an execution."""
    return f"resume with: promptlayer-agents results {execution_id} --wait"


def interrupted_wait(execution_id: int) -> str:
    """What Ctrl-C during a wait prints: the execution goes on, and how to wait for it again."""
    return (
        f"promptlayer-agents: interrupted; execution {execution_id} keeps running "
        f"({resume_hint(execution_id)})"
    )


_HTML = re.compile(r"<(?:!doctype|html|head|body|title|h1|p|div)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>?")
_REQUEST_ID = re.compile(r"\[request id [^\]]*\]$")


def one_line(text: str, secrets: Secrets = NO_SECRETS, limit: int = MESSAGE_CHARS) -> str:
    """An error message fit for one line of a terminal: every secret masked, an HTML page in it
    reduced to its title (or its first words), line breaks and control characters made spaces,
    cut to `limit` characters."""
    text = secrets.mask(text)
    page = _HTML.search(text)
    if page:
        head, html = text[: page.start()], text[page.start() :].replace("\\n", " ")
        request_id = _REQUEST_ID.search(html)
        title = _TITLE.search(html)
        words = title.group(1) if title else _TAG.sub(" ", _REQUEST_ID.sub("", html))
        text = head.rstrip("'\" ") + " " + words.strip("'\" ")
        text += f" {request_id.group(0)}" if request_id else ""
    text = text.replace("\\n", " ")
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report(error: PromptLayerError, secrets: Secrets = NO_SECRETS) -> int:
    """Print the error as one line on stderr; answers its exit code. An error about an argument
    names the flag or environment variable it came from, never the library's argument name."""
    from .. import WaitTimeoutError

    message, hint = str(error), _hint(error)
    if getattr(error, "argument", None) in OPTIONS:  # said in the command line's words
        message = str(getattr(error, "problem", message))
    if isinstance(error, WaitTimeoutError):
        message = f"execution {error.execution_id} still running after {error.waited:.1f}s"
        hint = resume_hint(error.execution_id)
    message = one_line(message, secrets)
    print(f"promptlayer-agents: {message}" + (f" ({hint})" if hint else ""), file=sys.stderr)
    return exit_code(error)


def usage_error(prog: str, message: str) -> NoReturn:
    """A usage error as one line, with where to read the usage, instead of argparse's usage
    block; exits EXIT_USAGE."""
    print(f"{prog}: error: {one_line(message)} (see {prog} --help)", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def report_unexpected(error: BaseException, secrets: Secrets = NO_SECRETS) -> int:
    """Print an exception nobody foresaw as one line, no traceback; answers EXIT_INTERNAL."""
    message = one_line(f"{type(error).__name__}: {error}", secrets)
    print(
        f"promptlayer-agents: internal error: {message} (this is a bug; please report it)",
        file=sys.stderr,
    )
    return EXIT_INTERNAL
