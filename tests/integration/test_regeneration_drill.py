"""The regeneration drill: a change in PromptLayer's API is absorbed by editing `openapi.yaml`
and regenerating, with no hand-written file changed.

In a temporary copy of what generation needs (the spec, the generator settings, the templates,
the hand-written package): add an optional field to each response schema, regenerate with the
same command as `make generate`, then show each field reaching users, typed: by attribute access
on what `get`, `run`, `get_results` and `parse_callback` return, by `mypy --strict` on a user
file, and back from the sandbox when a definition carries it. Finally, no hand-written file
differs from the worktree's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent

# Each response schema the facade returns, and the field the drill adds to it.
ADDED = {
    "AgentVersion": "drill_version_note",
    "AgentNode": "drill_node_note",
    "AgentEdge": "drill_edge_note",
    "NodeResult": "drill_result_note",
    "RunAgentResponse": "drill_run_note",
    "ExecutionCallback": "drill_callback_note",
}

USER_CODE = '''
"""User code that reads each added field: run as a program, and checked by mypy --strict."""

from __future__ import annotations

import json

import httpx

from promptlayer_agents import Agents, parse_callback
from promptlayer_agents.sandbox import PromptLayerSandbox

NODE = {"id": "n1", "name": "A", "node_type": "VARIABLE", "is_output_node": True,
        "configuration": {"value": {"type": "string", "value": "x"}}, "dependencies": [],
        "drill_node_note": "node"}
DEFINITION = {"success": True, "workflow_id": 5, "workflow_name": "drill", "version": 1,
              "workflow_version_id": 9, "nodes": [NODE, {**NODE, "id": "n2", "name": "B"}],
              "edges": [{"id": "e", "source_node_name": "A", "target_node_name": "B",
                         "is_and": True, "drill_edge_note": "edge"}],
              "drill_version_note": "version"}
NODE_MAP = {"A": {"status": "SUCCESS", "value": 1, "is_output_node": True,
                  "drill_result_note": "result"}}


def answer(request: httpx.Request) -> httpx.Response:
    """PromptLayer's API, as it answers once it has added the fields."""
    if request.method == "POST":
        return httpx.Response(201, json={"success": True, "message": "ok", "warning": None,
                                         "workflow_version_execution_id": 3,
                                         "drill_run_note": "run"})
    return httpx.Response(200, json=NODE_MAP)


def main() -> None:
    sandbox = PromptLayerSandbox()
    sandbox.start()
    try:
        sandbox.add_agent(DEFINITION)
        with Agents(api_key=sandbox.api_key, base_url=sandbox.url) as agents:
            agent = agents.get("drill")
    finally:
        sandbox.stop()
    version_note: str | None = agent.drill_version_note
    node_note: str | None = agent.nodes[0].drill_node_note
    edge_note: str | None = agent.edges[0].drill_edge_note

    mock = httpx.Client(transport=httpx.MockTransport(answer))
    with Agents(api_key="pl_drill", base_url="https://api.test", http_client=mock) as agents:
        started = agents.run("drill", input_variables={})
        result = agents.get_results(started.execution_id, return_all_outputs=True)
    run_note: str | None = started.drill_run_note
    result_note: str | None = result.nodes["A"].drill_result_note

    callback = {"workflow_version_execution_id": 3, "final_output": NODE_MAP,
                "drill_callback_note": "callback"}
    callback_result = parse_callback(json.dumps(callback))
    result_note_too: str | None = callback_result.nodes["A"].drill_result_note

    print(json.dumps([version_note, node_note, edge_note, run_note, result_note,
                      result_note_too, agent.to_dict()["drill_version_note"]]))


if __name__ == "__main__":
    main()
'''


def _digest(folder: Path) -> dict[str, str]:
    """Each file's SHA-256 under a folder, by relative path (caches left out)."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _add_fields(spec_path: Path) -> None:
    """An optional string field on each response schema, as PromptLayer might add one."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    for schema, field in ADDED.items():
        properties = spec["components"]["schemas"][schema]["properties"]
        properties[field] = {"type": "string", "description": "Added by the drill."}
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def test_a_field_added_to_the_spec_reaches_users_with_no_hand_written_change(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("openapi.yaml", "generator-config.yaml"):
        shutil.copy(ROOT / name, copy / name)
    for name in ("templates", "promptlayer_agents"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    hand_written = _digest(copy / "promptlayer_agents") | _digest(copy / "templates")
    _add_fields(copy / "openapi.yaml")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}

    generate = subprocess.run(  # the command of `make generate`
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.yaml",
            "--config",
            "generator-config.yaml",
            "--custom-template-path",
            "templates",
            "--meta",
            "none",
            "--fail-on-warning",
            "--overwrite",
            "--output-path",
            "generated_client/promptlayer_agents_api",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generate.returncode == 0, generate.stdout + generate.stderr

    user = copy / "user.py"
    user.write_text(USER_CODE, encoding="utf-8")
    # The copy's packages first: the regenerated client and the unchanged hand-written package.
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "generated_client"), str(copy)])
    env["MYPYPATH"] = env["PYTHONPATH"]
    ran = subprocess.run(
        [sys.executable, str(user)], cwd=copy, env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == (
        '["version", "node", "edge", "run", "result", "result", "version"]'
    )

    typed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(user),
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert typed.returncode == 0, typed.stdout + typed.stderr

    assert _digest(copy / "promptlayer_agents") | _digest(copy / "templates") == hand_written
