"""Typical user mistakes, type-checked by test_user_typing.py (never run): each line marked
`# error` must be reported, and nothing else."""

from __future__ import annotations

from promptlayer_agents import Agents, AsyncAgents


def either(agents: Agents, label: str | None) -> None:
    agents.run("bot", label="prod")
    agents.run("bot", version=2)
    agents.run("bot", label=label)
    agents.get("bot", label=None, version=None)


def both(agents: Agents) -> None:
    agents.run("bot", label="prod", version=2)  # error
    agents.run_and_wait("bot", label="prod", version=2)  # error
    agents.get("bot", label="prod", version=2)  # error


async def both_async(agents: AsyncAgents) -> None:
    await agents.run("bot", label="prod", version=2)  # error
    await agents.run_and_wait("bot", label="prod", version=2)  # error
    await agents.get("bot", label="prod", version=2)  # error
