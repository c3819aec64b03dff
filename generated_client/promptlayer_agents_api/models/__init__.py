"""Contains all the data models used in inputs/outputs

Each model loads on first use (PEP 562): importing one model, or the package, does not import
every model (see bench/README.md, start-up).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .agent_edge import AgentEdge
    from .agent_node import AgentNode
    from .agent_summary import AgentSummary
    from .agent_summary_response import AgentSummaryResponse
    from .agent_version import AgentVersion
    from .condition_operator import ConditionOperator
    from .edge_conditional import EdgeConditional
    from .error_response import ErrorResponse
    from .execution_callback import ExecutionCallback
    from .execution_node_map import ExecutionNodeMap
    from .input_variables import InputVariables
    from .no_output_node_error import NoOutputNodeError
    from .node_configuration import NodeConfiguration
    from .node_result import NodeResult
    from .node_states import NodeStates
    from .node_status import NodeStatus
    from .required_input_variables import RequiredInputVariables
    from .run_agent_request import RunAgentRequest
    from .run_agent_response import RunAgentResponse
    from .run_metadata import RunMetadata
    from .validation_issue import ValidationIssue
    from .webhook_event import WebhookEvent
    from .webhook_event_details import WebhookEventDetails

_MODULES = {
    "AgentEdge": ".agent_edge",
    "AgentNode": ".agent_node",
    "AgentSummary": ".agent_summary",
    "AgentSummaryResponse": ".agent_summary_response",
    "AgentVersion": ".agent_version",
    "ConditionOperator": ".condition_operator",
    "EdgeConditional": ".edge_conditional",
    "ErrorResponse": ".error_response",
    "ExecutionCallback": ".execution_callback",
    "ExecutionNodeMap": ".execution_node_map",
    "InputVariables": ".input_variables",
    "NoOutputNodeError": ".no_output_node_error",
    "NodeConfiguration": ".node_configuration",
    "NodeResult": ".node_result",
    "NodeStates": ".node_states",
    "NodeStatus": ".node_status",
    "RequiredInputVariables": ".required_input_variables",
    "RunAgentRequest": ".run_agent_request",
    "RunAgentResponse": ".run_agent_response",
    "RunMetadata": ".run_metadata",
    "ValidationIssue": ".validation_issue",
    "WebhookEvent": ".webhook_event",
    "WebhookEventDetails": ".webhook_event_details",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULES[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_MODULES))


__all__ = (
    "AgentEdge",
    "AgentNode",
    "AgentSummary",
    "AgentSummaryResponse",
    "AgentVersion",
    "ConditionOperator",
    "EdgeConditional",
    "ErrorResponse",
    "ExecutionCallback",
    "ExecutionNodeMap",
    "InputVariables",
    "NodeConfiguration",
    "NodeResult",
    "NodeStates",
    "NodeStatus",
    "NoOutputNodeError",
    "RequiredInputVariables",
    "RunAgentRequest",
    "RunAgentResponse",
    "RunMetadata",
    "ValidationIssue",
    "WebhookEvent",
    "WebhookEventDetails",
)
