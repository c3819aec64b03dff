"""The public surface, pinned: what `import promptlayer_agents` offers, and what it costs to load.

A name added to or removed from `__all__` is an API change: this test makes it a deliberate one.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import promptlayer_agents

PACKAGE = Path(promptlayer_agents.__file__).parent

ALL = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AgentDefinition",
    "Agents",
    "AsyncAgents",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EdgeCondition",
    "EdgeDefinition",
    "ExecutionFailedError",
    "ExecutionResult",
    "InternalServerError",
    "InvalidInputError",
    "JSON",
    "NodeDefinition",
    "NodeState",
    "NotFoundError",
    "PermissionDeniedError",
    "PollPolicy",
    "PromptLayerError",
    "RateLimitError",
    "ResponseValidationError",
    "RunStarted",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WebhookDeduplicator",
    "WebhookEvent",
    "WebhookVerificationError",
    "__version__",
    "api_client",
    "parse_callback",
    "sign_webhook",
    "verify_webhook",
    "webhook_event_key",
]

PUBLIC_MODULES = {"__init__.py", "rules.py", "definitions.py", "py.typed"}


def test_all_is_pinned_and_sorted() -> None:
    assert promptlayer_agents.__all__ == ALL
    assert sorted(promptlayer_agents.__all__) == promptlayer_agents.__all__


def test_modules_that_are_not_api_are_private() -> None:
    top = {p.name for p in PACKAGE.iterdir() if p.is_file() and not p.name.endswith(".pyc")}
    assert {name for name in top if not name.startswith("_")} | {"__init__.py"} == PUBLIC_MODULES
    for folder in ("cli", "sandbox"):
        modules = {p.name for p in (PACKAGE / folder).glob("*.py")}
        assert all(name.startswith("_") for name in modules), (folder, modules)


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_the_client_the_command_line_and_the_pytest_plugin_load_no_sandbox_dependency() -> None:
    for code in [
        "import promptlayer_agents; promptlayer_agents.Agents(api_key='k')",
        "from promptlayer_agents.cli import parser; parser()",
        "import promptlayer_agents.sandbox._pytest_plugin",  # pytest loads it at every start
    ]:
        loaded = _loaded_after(code)
        for heavy in ("starlette", "uvicorn", "yaml"):
            assert heavy not in loaded, (code, heavy)


def _imports(path: Path) -> set[str]:
    """The modules of this package that `path` imports at run time (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(("promptlayer_agents", *path.relative_to(PACKAGE).parent.parts))
    found: set[str] = set()
    type_only = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    ]
    skipped = {id(n) for block in type_only for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = f"{base}.{node.module}" if node.module else base
            names = [module] if node.module else [f"{base}.{a.name}" for a in node.names]
        else:
            names = [node.module or ""]
        found.update(n for n in names if n.startswith("promptlayer_agents."))
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    name = ".".join(("promptlayer_agents", *parts))
    return name.removesuffix(".__init__")


def test_no_import_cycle_among_the_hand_written_modules() -> None:
    graph = {_module_name(p): _imports(p) for p in PACKAGE.rglob("*.py")}
    # `from .. import Agents` names a package attribute: the dependency is the package itself.
    graph = {
        m: {d if d in graph else d.rsplit(".", 1)[0] for d in deps} - {m}
        for m, deps in graph.items()
    }
    # A package's __init__ re-exports its modules; only cycles between modules count.
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for dependency in graph[module]:
            if not (module.startswith(dependency + ".") or dependency.startswith(module + ".")):
                visit(dependency, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])


def test_generated_internals_are_used_in_one_module_only() -> None:
    users = {
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if "_get_kwargs" in p.read_text() or "_parse_response" in p.read_text()
    }
    assert users == {"_operations.py"}


def test_the_sandbox_uses_only_public_modules_of_the_client() -> None:
    for path in (PACKAGE / "sandbox").glob("*.py"):
        for module in _imports(path):
            if module.startswith("promptlayer_agents.sandbox"):
                continue
            private = [part for part in module.split(".")[1:] if part.startswith("_")]
            assert not private, f"{path.name} imports {module}"
