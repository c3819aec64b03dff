from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.run_agent_request import RunAgentRequest
from ...models.run_agent_response import RunAgentResponse
from ...types import Response


def _get_kwargs(
    workflow_name: str,
    *,
    body: RunAgentRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/workflows/{workflow_name}/run".format(
            workflow_name=quote(str(workflow_name), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | RunAgentResponse | None:
    if response.status_code == 201:
        response_201 = RunAgentResponse.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = RunAgentResponse.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | RunAgentResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    workflow_name: str,
    *,
    client: AuthenticatedClient,
    body: RunAgentRequest,
) -> Response[ErrorResponse | RunAgentResponse]:
    """Run an agent

     Start an execution of the agent and answer its id at once; read its results with
    `GET /workflow-version-execution-results`. Choose a version with `workflow_label_name` or
    `workflow_version_number` (mutually exclusive); with neither, the latest version runs.
    With `callback_url` the answer is 202 and the final result is POSTed to that URL.

    Args:
        workflow_name (str):
        body (RunAgentRequest): How to run the agent. `workflow_label_name` and
            `workflow_version_number` are mutually
            exclusive; with neither, the latest version runs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | RunAgentResponse]
    """

    kwargs = _get_kwargs(
        workflow_name=workflow_name,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    workflow_name: str,
    *,
    client: AuthenticatedClient,
    body: RunAgentRequest,
) -> ErrorResponse | RunAgentResponse | None:
    """Run an agent

     Start an execution of the agent and answer its id at once; read its results with
    `GET /workflow-version-execution-results`. Choose a version with `workflow_label_name` or
    `workflow_version_number` (mutually exclusive); with neither, the latest version runs.
    With `callback_url` the answer is 202 and the final result is POSTed to that URL.

    Args:
        workflow_name (str):
        body (RunAgentRequest): How to run the agent. `workflow_label_name` and
            `workflow_version_number` are mutually
            exclusive; with neither, the latest version runs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | RunAgentResponse
    """

    return sync_detailed(
        workflow_name=workflow_name,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    workflow_name: str,
    *,
    client: AuthenticatedClient,
    body: RunAgentRequest,
) -> Response[ErrorResponse | RunAgentResponse]:
    """Run an agent

     Start an execution of the agent and answer its id at once; read its results with
    `GET /workflow-version-execution-results`. Choose a version with `workflow_label_name` or
    `workflow_version_number` (mutually exclusive); with neither, the latest version runs.
    With `callback_url` the answer is 202 and the final result is POSTed to that URL.

    Args:
        workflow_name (str):
        body (RunAgentRequest): How to run the agent. `workflow_label_name` and
            `workflow_version_number` are mutually
            exclusive; with neither, the latest version runs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | RunAgentResponse]
    """

    kwargs = _get_kwargs(
        workflow_name=workflow_name,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    workflow_name: str,
    *,
    client: AuthenticatedClient,
    body: RunAgentRequest,
) -> ErrorResponse | RunAgentResponse | None:
    """Run an agent

     Start an execution of the agent and answer its id at once; read its results with
    `GET /workflow-version-execution-results`. Choose a version with `workflow_label_name` or
    `workflow_version_number` (mutually exclusive); with neither, the latest version runs.
    With `callback_url` the answer is 202 and the final result is POSTed to that URL.

    Args:
        workflow_name (str):
        body (RunAgentRequest): How to run the agent. `workflow_label_name` and
            `workflow_version_number` are mutually
            exclusive; with neither, the latest version runs.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | RunAgentResponse
    """

    return (
        await asyncio_detailed(
            workflow_name=workflow_name,
            client=client,
            body=body,
        )
    ).parsed
