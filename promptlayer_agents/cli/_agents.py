"""`run`, `results` and `get`: one agent, one execution, one definition."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._json import json_text
from ._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NO_NODE,
    EXIT_OK,
    EXIT_RUNNING,
    interrupted_wait,
    timeout_option,
    version_options,
)
from ._terminal import StatusLine, WaitStatus

if TYPE_CHECKING:
    from .. import Agents, ExecutionResult, RunStarted


def client(args: argparse.Namespace) -> Agents:
    """A client from --api-key/--base-url, else the environment."""
    from .. import Agents

    return Agents(api_key=args.api_key, base_url=args.base_url)


def key_value(text: str) -> tuple[str, str]:
    """KEY=VALUE, for -i and --metadata."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return key, value


def _wait_options(command: argparse.ArgumentParser) -> None:
    timeout_option(command, "the execution")
    command.add_argument(
        "--all-outputs", action="store_true", help="every node, not only the main output"
    )
    command.add_argument(
        "--json",
        action="store_true",
        help="print the result on stdout as one JSON object (its schema: docs/result.schema.json)",
    )


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    connection: argparse.ArgumentParser,
) -> None:
    """`run`, `results` and `get`."""
    run = commands.add_parser("run", parents=[connection], help="run an agent and print its output")
    run.add_argument("name", metavar="NAME", help="the agent's name or numeric id")
    run.add_argument(
        "-i",
        dest="inputs",
        action="append",
        type=key_value,
        default=[],
        metavar="KEY=VALUE",
        help="an input variable (a string); repeatable",
    )
    run.add_argument(
        "--inputs",
        dest="inputs_file",
        metavar="JSON|FILE|-",
        help="input variables as a JSON object: inline (text starting with '{'), "
        "a file, or - for stdin",
    )
    version_options(run)
    run.add_argument(
        "--metadata",
        action="append",
        type=key_value,
        default=[],
        metavar="KEY=VALUE",
        help="metadata stored with the run; repeatable",
    )
    run.add_argument("--no-wait", action="store_true", help="print the execution id and stop")
    _wait_options(run)
    run.set_defaults(handler=run_command)

    results = commands.add_parser("results", parents=[connection], help="an execution's results")
    results.add_argument("execution_id", type=int, metavar="EXECUTION_ID")
    results.add_argument("--wait", action="store_true", help="wait until the execution is final")
    results.add_argument(
        "--node",
        metavar="NAME",
        help="only this node's result (implies --all-outputs; not with --wait)",
    )
    _wait_options(results)
    results.set_defaults(handler=results_command)

    get = commands.add_parser("get", parents=[connection], help="an agent's definition")
    get.add_argument("name", metavar="NAME_OR_ID", help="the agent's name or numeric id")
    version_options(get)
    get.add_argument("--json", action="store_true", help="print the full definition as JSON")
    get.set_defaults(handler=get_command)


def inline_json(text: str) -> bool:
    """The rule for --inputs: text whose first non-blank character is `{` is a JSON object given
    inline; `-` is stdin; anything else is a file name (write `./{name}` for a file whose name
    starts with a brace)."""
    return text.lstrip().startswith("{")


def read_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """Input variables from --inputs (a JSON object inline, in a file, or on stdin), then
    -i KEY=VALUE on top."""
    from .. import InvalidInputError

    variables: dict[str, Any] = {}
    given = args.inputs_file
    if given:
        inline = inline_json(given)
        source = "(inline JSON)" if inline else "stdin" if given == "-" else given
        try:
            text = (
                given
                if inline
                else sys.stdin.read()
                if given == "-"
                else Path(given).read_text("utf-8")
            )
            variables = json.loads(text)
        except OSError as error:
            raise InvalidInputError(f"--inputs {source}: {error.strerror or error}") from error
        except (ValueError, RecursionError) as error:
            raise InvalidInputError(f"--inputs {source}: {error}") from error
        if not isinstance(variables, dict):
            raise InvalidInputError(f"--inputs {source}: expected a JSON object")
    variables.update(dict(args.inputs))
    return variables


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json_text(value)


def print_result(
    result: ExecutionResult, args: argparse.Namespace, started: RunStarted | None = None
) -> None:
    """The main output, every node with --all-outputs, or everything as JSON with --json: one
    shape for `run` and `results` (docs/result.schema.json), with `warning` added by `run`."""
    from ..rules import node_status

    if args.json:
        from .._results import result_json

        data = result_json(result)
        if started is not None:
            data["warning"] = started.warning
        print(json_text(data))
    elif args.all_outputs:
        width = max((len(name) for name in result.nodes), default=0)
        for name, node in result.nodes.items():
            failed = node_status(node.status) == "FAILED"
            detail = node.error_message if failed else _text(node.value)
            mark = " (output)" if node.is_output_node else ""
            print(f"{name:<{width}}  {node.status or '(none)':<8} {detail}{mark}")
    elif result.done and result.status != "FAILED":  # a failure has no output: stderr says why
        print(_text(result.output))


def _wait(
    agents: Agents,
    execution_id: int,
    args: argparse.Namespace,
    started: RunStarted | None = None,
) -> int:
    """Wait for the execution with a status line; print the result. With --json, stdout gets the
    result whatever the end: final, failed, or still running at the deadline."""
    from .. import ExecutionFailedError, ExecutionResult, WaitTimeoutError

    line = StatusLine()
    try:
        result = agents.wait(execution_id, timeout=args.timeout, on_progress=WaitStatus(line))
    except KeyboardInterrupt:
        line.clear()
        print(interrupted_wait(execution_id), file=sys.stderr)
        return EXIT_INTERRUPTED
    except ExecutionFailedError as failed:
        line.clear()
        if args.json or args.all_outputs:
            print_result(failed.result, args, started)
        raise
    except WaitTimeoutError as late:
        line.clear()
        if args.json:
            last = late.last_result or ExecutionResult(execution_id=execution_id, done=False)
            print_result(last, args, started)
        raise
    finally:
        line.clear()
    print_result(result, args, started)
    return EXIT_OK


def run_command(args: argparse.Namespace) -> int:
    """Start a run and, unless --no-wait, wait for it and print its output."""
    from .. import ExecutionResult

    variables = read_inputs(args)
    with client(args) as agents:
        started = agents.run(
            args.name,
            input_variables=variables,
            metadata=dict(args.metadata) or None,
            label=args.label,
            version=args.version,
            return_all_outputs=args.all_outputs,
        )
        # The client logs the run's warning; the command prints it once (see _terminal).
        if args.no_wait:
            if args.json:
                just_started = ExecutionResult(execution_id=started.execution_id, done=False)
                print_result(just_started, args, started)
            else:
                print(started.execution_id)
            return EXIT_OK
        return _wait(agents, started.execution_id, args, started)


def results_command(args: argparse.Namespace) -> int:
    """Print an execution's results, now or (--wait) once final."""
    from .. import InvalidInputError
    from ..rules import failure_summary

    execution_id = args.execution_id
    if args.node is not None:
        if args.wait:
            raise InvalidInputError("--node reads the results once: it cannot be used with --wait")
        args.all_outputs = True
    with client(args) as agents:
        if args.wait:
            return _wait(agents, execution_id, args)
        result = agents.get_results(
            execution_id, return_all_outputs=args.all_outputs or args.json, node_name=args.node
        )
    print_result(result, args)
    if args.node is not None and not result.nodes:
        print(
            f"promptlayer-agents: execution {execution_id} has no node named {args.node!r}",
            file=sys.stderr,
        )
        return EXIT_NO_NODE
    if not result.done:
        print(
            f"promptlayer-agents: execution {execution_id} is still running "
            f"(wait for it with: promptlayer-agents results {execution_id} --wait)",
            file=sys.stderr,
        )
        return EXIT_RUNNING
    if result.status == "FAILED":
        print(
            f"execution {execution_id} failed: {failure_summary(result.nodes)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def get_command(args: argparse.Namespace) -> int:
    """Print an agent's definition: a summary, or everything with --json."""
    from ..definitions import describe

    with client(args) as agents:
        agent = agents.get(args.name, label=args.label, version=args.version)
    if args.json:
        print(json_text(agent.to_dict(), indent=2))
    else:
        print("\n".join(describe(agent)))
    return EXIT_OK
