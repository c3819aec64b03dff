"""Run one agent end to end against the bundled sandbox: `make demo`.

Starts the sandbox on a free loopback port, runs the `support-bot` agent (the version labelled
staging, which routes premium customers to a person), waits for it, prints the main output and each
node's status and when it was first seen final, then stops the sandbox.
"""

from __future__ import annotations

import time

from promptlayer_agents import Agents, ExecutionResult
from promptlayer_agents.rules import condition_text, is_final
from promptlayer_agents.sandbox import Sandbox

AGENT = "support-bot"
LABEL = "staging"
INPUTS = {"question": "My invoice shows the wrong company name.", "tier": "premium"}


def _side(config: object, key: str) -> object:
    """One side of a conditional: conditionals are free-form, so read it leniently."""
    return config.get(key, "?") if isinstance(config, dict) else "?"


def main() -> None:
    """Run the demo and print what happened."""
    with Sandbox() as sandbox, Agents(api_key=sandbox.api_key, base_url=sandbox.url) as agents:
        print(f"Sandbox serving {sandbox.url} (API key {sandbox.api_key})")
        definition = agents.get(AGENT, label=LABEL)
        print(
            f"Agent {AGENT!r}, label {LABEL!r} = version {definition.version}: "
            f"{definition.commit_message}"
        )
        for step in definition.nodes:
            after = f" after {', '.join(step.dependencies)}" if step.dependencies else ""
            output = " (output)" if step.is_output_node else ""
            print(f"  {step.name}: {step.node_type}{after}{output}")
        for edge in definition.edges:
            rules = " and ".join(condition_text(c) for c in edge.conditionals or [])
            print(f"  {edge.source_node_name} -> {edge.target_node_name} when {rules or 'always'}")

        start = time.monotonic()
        started = agents.run(AGENT, input_variables=INPUTS, label=LABEL)
        print(f"\nStarted execution {started.execution_id}; waiting...")
        seen_final: dict[str, float] = {}

        def progress(partial: ExecutionResult) -> None:
            for name, node in partial.nodes.items():
                if is_final(node.status) and name not in seen_final:
                    seen_final[name] = time.monotonic() - start
                    print(f"  {seen_final[name]:5.2f}s  {name} {node.status}")

        result = agents.wait(started.execution_id, timeout=60, on_progress=progress)
        finished = time.monotonic() - start
        polls = sandbox.state.requests["GET results"]

        print(f"\nMain output: {result.output!r}")
        print(f"Status {result.status} after {finished:.2f}s ({polls} results requests)")
        print(f"{'node':<10} {'status':<8} {'final by':>8}")
        for name, node in result.nodes.items():
            status = node.status or "(none)"
            print(f"{name:<10} {status:<8} {seen_final.get(name, finished):7.2f}s")


if __name__ == "__main__":
    main()
