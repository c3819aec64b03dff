"""Every error the client raises, in one hierarchy under `PromptLayerError`.

Each carries what a caller needs to act on it (status, server message, execution id, time waited,
whether a run may have started), and none carries a secret: none is chained to an httpx
exception (whose request holds the key in its headers), and every error leaving a flow has its
text and attributes masked (`_secrets`). Each pickles whole, to cross a process boundary.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from ._config import ERROR_EXCERPT_CHARS as EXCERPT_CHARS
from ._config import ERROR_MESSAGE_CHARS as MESSAGE_CHARS
from .rules import failure_summary

if TYPE_CHECKING:
    from ._results import ExecutionResult, NodeState

REQUEST_ID_HEADERS = ("x-request-id", "request-id")


class PromptLayerError(Exception):
    """Base class of every error this package raises.

    `execution_id` is the execution the error concerns, when one is known (resume with
    `wait(error.execution_id)`). `may_have_started` is True when the call that raised may have
    started an execution: a run request whose answer was lost or unreadable, or a 5xx; False when
    it certainly did not (refused before sending, 429, a 4xx) or the call starts nothing.
    """

    execution_id: int | None = None
    may_have_started: bool = False
    run_warning: str | None = None
    """The warning of the run this error followed in `run_and_wait` (missing or unexpected input
    variables), which often explains the failure; it ends `str(error)`."""

    def __str__(self) -> str:
        text = super().__str__()
        if len(text) > MESSAGE_CHARS:
            text = f"{text[:MESSAGE_CHARS]}... ({len(text) - MESSAGE_CHARS} more characters)"
        if self.run_warning:
            text += f" (the run warned: {self.run_warning})"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its class, its args and its attributes, not by calling `__init__` again
        (whose keyword-only arguments `Exception`'s own pickling cannot pass): every error
        crosses a process boundary (a ProcessPoolExecutor, multiprocessing) whole."""
        return (_rebuilt, (type(self), self.args), dict(vars(self)))


def _rebuilt(cls: type[PromptLayerError], args: tuple[Any, ...]) -> PromptLayerError:
    """An error of class `cls` with `args`, made without `__init__`: unpickling then restores
    its attributes."""
    error = cls.__new__(cls)
    error.args = args
    return error


class _ArgumentError(PromptLayerError):
    """An error about one argument or setting. `argument` is its Python name (`api_key`,
    `base_url`, `input_variables`, `label`, ...), None when the error concerns no single one;
    `problem` says what is wrong without spelling that name, so that a program which takes the
    setting under another name (the command line's `--api-key`) can say it in its own words."""

    def __init__(
        self, message: str, *, argument: str | None = None, problem: str | None = None
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.problem = message if problem is None else problem


class ConfigurationError(_ArgumentError):
    """The client cannot be set up or used: no API key, a base URL that is not http(s), a proxy
    or certificate setting of the environment that cannot be used, a closed client, or an
    `http_client` of your own used in a forked child. Raised before anything is sent."""


class InvalidInputError(_ArgumentError, ValueError):
    """An argument is not acceptable; raised before anything is sent."""


class APIConnectionError(PromptLayerError):
    """The request did not get an answer: connection refused or dropped, DNS failure."""


class APITimeoutError(APIConnectionError):
    """The request timed out (connecting, sending, or waiting for the answer)."""


class ResponseValidationError(PromptLayerError):
    """The API answered something the spec does not allow (an HTML page, truncated JSON, ...)."""

    def __init__(self, message: str, *, status_code: int, excerpt: str) -> None:
        super().__init__(f"{message} (HTTP {status_code}): {excerpt!r}")
        self.status_code = status_code
        self.excerpt = excerpt


class APIStatusError(PromptLayerError):
    """The API answered an error status. Subclasses name the common ones."""

    status_code: int

    def __init__(
        self, message: str, *, status_code: int, body: Any, request_id: str | None
    ) -> None:
        suffix = f" [request id {request_id}]" if request_id else ""
        super().__init__(f"HTTP {status_code}: {message}{suffix}")
        self.status_code = status_code
        self.message = message
        self.body = body
        self.request_id = request_id


class BadRequestError(APIStatusError):
    """400: the API cannot do what was asked."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or not valid."""


class PermissionDeniedError(APIStatusError):
    """403: the key's workspace may not see this resource."""


class NotFoundError(APIStatusError):
    """404: no such agent, version, label or execution."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request failed the API's validation."""


class RateLimitError(APIStatusError):
    """429: too many requests; retried automatically up to `max_retries`."""


class InternalServerError(APIStatusError):
    """5xx: the API failed."""


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


class WaitTimeoutError(PromptLayerError, TimeoutError):
    """The execution was not final by the deadline. It may still finish: resume with
    `wait(error.execution_id)`, from this or another process."""

    execution_id: int

    def __init__(
        self, execution_id: int, *, waited: float, last_result: ExecutionResult | None
    ) -> None:
        super().__init__(
            f"execution {execution_id} was not finished after {waited:.1f}s; "
            f"resume with wait({execution_id})"
        )
        self.execution_id = execution_id
        self.waited = waited
        self.last_result = last_result


class ExecutionFailedError(PromptLayerError):
    """The execution finished with no successful output, and with failed nodes or nodes whose
    status is missing or unknown (see `ExecutionResult.status`)."""

    def __init__(self, result: ExecutionResult) -> None:
        self.result = result
        self.execution_id = result.execution_id
        self.failed_nodes: dict[str, NodeState] = result.failed_nodes
        self.reasons = failure_summary(result.nodes)
        """The failed nodes and their errors, in one line ("" when no node failed); like the
        message, it has every secret masked, while `result` holds the answer as it came."""
        super().__init__(f"execution {result.execution_id} failed: {self.reasons or 'no output'}")


def excerpt(response: httpx.Response) -> str:
    """The start of a response body, for error messages."""
    return response.text[:EXCERPT_CHARS]


def server_message(body: Any) -> str | None:
    """The error text of an error body: `message`, else `error`, else `detail`; a body that is
    a JSON string is the text itself. `detail` may be any JSON: a string, a list of FastAPI
    problems (`loc: msg`), of strings or of other values, an object or a number. Never raises:
    None when there is no text to read."""
    if isinstance(body, str):
        return body[:EXCERPT_CHARS] or None
    if not isinstance(body, dict):
        return None
    for key in ("message", "error"):
        text = body.get(key)
        if isinstance(text, str) and text:
            return text
    if "detail" not in body or body["detail"] is None:
        return None
    detail = body["detail"]
    parts = detail if isinstance(detail, list) else [detail]
    return "; ".join(_problem_text(part) for part in parts) or None


def _problem_text(problem: Any) -> str:
    """One problem of a `detail`: a FastAPI problem as `loc: msg`, a string as itself, anything
    else as compact JSON."""
    if isinstance(problem, str):
        return problem
    if isinstance(problem, dict) and isinstance(problem.get("msg"), str):
        loc = problem.get("loc")
        where = ".".join(str(part) for part in loc) if isinstance(loc, list) else ""
        return f"{where}: {problem['msg']}" if where else problem["msg"]
    try:
        return json.dumps(problem, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return repr(problem)


def status_error(response: httpx.Response) -> APIStatusError:
    """The typed error for an error status, with the server's message and request id."""
    try:
        body: Any = response.json()
        message = server_message(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deeply
        body, message = response.text, None
    message = message or excerpt(response) or response.reason_phrase
    status = response.status_code
    cls = STATUS_ERRORS.get(status, InternalServerError if status >= 500 else APIStatusError)
    return cls(message, status_code=status, body=body, request_id=request_id(response))


def request_id(response: httpx.Response) -> str | None:
    """The id the server gave this answer (`X-Request-Id`), to quote when asking about it."""
    return next(
        (response.headers[name] for name in REQUEST_ID_HEADERS if name in response.headers), None
    )


def connection_error(error: httpx.TransportError) -> APIConnectionError:
    """The typed error for a request that got no answer (the flows mask any secret in it)."""
    cls = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    return cls(f"{type(error).__name__}: {str(error) or 'no answer'}")


def unreadable_error(status_code: int, reason: str) -> ResponseValidationError:
    """The typed error for an answer whose body could not be read (too large, bad encoding)."""
    return ResponseValidationError(reason, status_code=status_code, excerpt="")
