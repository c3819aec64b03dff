from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.agent_summary_response import AgentSummaryResponse
from ...models.agent_version import AgentVersion
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    workflow_id_or_name: str,
    *,
    version: int | Unset = UNSET,
    label: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["version"] = version

    params["label"] = label

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/workflows/{workflow_id_or_name}".format(
            workflow_id_or_name=quote(str(workflow_id_or_name), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AgentSummaryResponse | AgentVersion | ErrorResponse | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> AgentSummaryResponse | AgentVersion:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = AgentVersion.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = AgentSummaryResponse.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

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
) -> Response[AgentSummaryResponse | AgentVersion | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    workflow_id_or_name: str,
    *,
    client: AuthenticatedClient,
    version: int | Unset = UNSET,
    label: str | Unset = UNSET,
) -> Response[AgentSummaryResponse | AgentVersion | ErrorResponse]:
    """Read an agent's definition

     The agent's nodes, edges and version details. The latest version unless `version` or `label`
    is given; the two are mutually exclusive (422 when both are sent).

    Args:
        workflow_id_or_name (str):
        version (int | Unset):
        label (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentSummaryResponse | AgentVersion | ErrorResponse]
    """

    kwargs = _get_kwargs(
        workflow_id_or_name=workflow_id_or_name,
        version=version,
        label=label,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    workflow_id_or_name: str,
    *,
    client: AuthenticatedClient,
    version: int | Unset = UNSET,
    label: str | Unset = UNSET,
) -> AgentSummaryResponse | AgentVersion | ErrorResponse | None:
    """Read an agent's definition

     The agent's nodes, edges and version details. The latest version unless `version` or `label`
    is given; the two are mutually exclusive (422 when both are sent).

    Args:
        workflow_id_or_name (str):
        version (int | Unset):
        label (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentSummaryResponse | AgentVersion | ErrorResponse
    """

    return sync_detailed(
        workflow_id_or_name=workflow_id_or_name,
        client=client,
        version=version,
        label=label,
    ).parsed


async def asyncio_detailed(
    workflow_id_or_name: str,
    *,
    client: AuthenticatedClient,
    version: int | Unset = UNSET,
    label: str | Unset = UNSET,
) -> Response[AgentSummaryResponse | AgentVersion | ErrorResponse]:
    """Read an agent's definition

     The agent's nodes, edges and version details. The latest version unless `version` or `label`
    is given; the two are mutually exclusive (422 when both are sent).

    Args:
        workflow_id_or_name (str):
        version (int | Unset):
        label (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AgentSummaryResponse | AgentVersion | ErrorResponse]
    """

    kwargs = _get_kwargs(
        workflow_id_or_name=workflow_id_or_name,
        version=version,
        label=label,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    workflow_id_or_name: str,
    *,
    client: AuthenticatedClient,
    version: int | Unset = UNSET,
    label: str | Unset = UNSET,
) -> AgentSummaryResponse | AgentVersion | ErrorResponse | None:
    """Read an agent's definition

     The agent's nodes, edges and version details. The latest version unless `version` or `label`
    is given; the two are mutually exclusive (422 when both are sent).

    Args:
        workflow_id_or_name (str):
        version (int | Unset):
        label (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AgentSummaryResponse | AgentVersion | ErrorResponse
    """

    return (
        await asyncio_detailed(
            workflow_id_or_name=workflow_id_or_name,
            client=client,
            version=version,
            label=label,
        )
    ).parsed
