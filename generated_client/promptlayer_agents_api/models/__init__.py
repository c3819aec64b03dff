"""Contains all the data models used in inputs/outputs"""

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
)
