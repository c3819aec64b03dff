from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.execution_node_map import ExecutionNodeMap
from ...models.no_output_node_error import NoOutputNodeError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    workflow_version_execution_id: int,
    return_all_outputs: bool | Unset = False,
    workflow_node_id: str | Unset = UNSET,
    workflow_node_name: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["workflow_version_execution_id"] = workflow_version_execution_id

    params["return_all_outputs"] = return_all_outputs

    params["workflow_node_id"] = workflow_node_id

    params["workflow_node_name"] = workflow_node_name

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/workflow-version-execution-results",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> Any | ExecutionNodeMap:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_execution_results_type_0 = ExecutionNodeMap.from_dict(
                    data
                )

                return componentsschemas_execution_results_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ExecutionNodeMap, data)

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 202:

        def _parse_response_202(data: object) -> Any | ExecutionNodeMap:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_execution_results_type_0 = ExecutionNodeMap.from_dict(
                    data
                )

                return componentsschemas_execution_results_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Any | ExecutionNodeMap, data)

        response_202 = _parse_response_202(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = NoOutputNodeError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

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
) -> Response[Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    workflow_version_execution_id: int,
    return_all_outputs: bool | Unset = False,
    workflow_node_id: str | Unset = UNSET,
    workflow_node_name: str | Unset = UNSET,
) -> Response[Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError]:
    """Read an execution's results

     200 when every node is final (SUCCESS, FAILED or SKIPPED); 202 while at least one is QUEUED or
    RUNNING, with the same shape of body holding the nodes as they are now. The body is the main
    output (any JSON value) unless `return_all_outputs` is true, when it is the node map.

    Args:
        workflow_version_execution_id (int):
        return_all_outputs (bool | Unset):  Default: False.
        workflow_node_id (str | Unset):
        workflow_node_name (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError]
    """

    kwargs = _get_kwargs(
        workflow_version_execution_id=workflow_version_execution_id,
        return_all_outputs=return_all_outputs,
        workflow_node_id=workflow_node_id,
        workflow_node_name=workflow_node_name,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    workflow_version_execution_id: int,
    return_all_outputs: bool | Unset = False,
    workflow_node_id: str | Unset = UNSET,
    workflow_node_name: str | Unset = UNSET,
) -> Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError | None:
    """Read an execution's results

     200 when every node is final (SUCCESS, FAILED or SKIPPED); 202 while at least one is QUEUED or
    RUNNING, with the same shape of body holding the nodes as they are now. The body is the main
    output (any JSON value) unless `return_all_outputs` is true, when it is the node map.

    Args:
        workflow_version_execution_id (int):
        return_all_outputs (bool | Unset):  Default: False.
        workflow_node_id (str | Unset):
        workflow_node_name (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError
    """

    return sync_detailed(
        client=client,
        workflow_version_execution_id=workflow_version_execution_id,
        return_all_outputs=return_all_outputs,
        workflow_node_id=workflow_node_id,
        workflow_node_name=workflow_node_name,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    workflow_version_execution_id: int,
    return_all_outputs: bool | Unset = False,
    workflow_node_id: str | Unset = UNSET,
    workflow_node_name: str | Unset = UNSET,
) -> Response[Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError]:
    """Read an execution's results

     200 when every node is final (SUCCESS, FAILED or SKIPPED); 202 while at least one is QUEUED or
    RUNNING, with the same shape of body holding the nodes as they are now. The body is the main
    output (any JSON value) unless `return_all_outputs` is true, when it is the node map.

    Args:
        workflow_version_execution_id (int):
        return_all_outputs (bool | Unset):  Default: False.
        workflow_node_id (str | Unset):
        workflow_node_name (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError]
    """

    kwargs = _get_kwargs(
        workflow_version_execution_id=workflow_version_execution_id,
        return_all_outputs=return_all_outputs,
        workflow_node_id=workflow_node_id,
        workflow_node_name=workflow_node_name,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    workflow_version_execution_id: int,
    return_all_outputs: bool | Unset = False,
    workflow_node_id: str | Unset = UNSET,
    workflow_node_name: str | Unset = UNSET,
) -> Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError | None:
    """Read an execution's results

     200 when every node is final (SUCCESS, FAILED or SKIPPED); 202 while at least one is QUEUED or
    RUNNING, with the same shape of body holding the nodes as they are now. The body is the main
    output (any JSON value) unless `return_all_outputs` is true, when it is the node map.

    Args:
        workflow_version_execution_id (int):
        return_all_outputs (bool | Unset):  Default: False.
        workflow_node_id (str | Unset):
        workflow_node_name (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ExecutionNodeMap | ErrorResponse | NoOutputNodeError
    """

    return (
        await asyncio_detailed(
            client=client,
            workflow_version_execution_id=workflow_version_execution_id,
            return_all_outputs=return_all_outputs,
            workflow_node_id=workflow_node_id,
            workflow_node_name=workflow_node_name,
        )
    ).parsed
