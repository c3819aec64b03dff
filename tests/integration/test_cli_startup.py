"""The command line starts light: parsing arguments (and --help) loads neither httpx, the generated
client nor asyncio; a subcommand loads what it needs only once it runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("httpx", "promptlayer_agents_api", "attr", "asyncio")


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return {name.split(".")[0] for name in done.stdout.split()}


def test_help_and_parsing_load_no_client() -> None:
    loaded = _loaded_after(
        "from promptlayer_agents.cli import main, parser\n"
        "for argv in (['run', 'x'], ['results', '1', '--wait'], ['get', 'x'],\n"
        "             ['batch', 'x', '--inputs', 'i', '--out', 'o']):\n"
        "    parser().parse_args(argv)\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass"
    )

    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_a_subcommand_still_loads_the_client_when_it_runs() -> None:
    loaded = _loaded_after(
        "from promptlayer_agents.cli import main\n"
        "main(['get', 'x', '--api-key', 'k', '--base-url', 'http://127.0.0.1:9'])"
    )

    assert {"httpx", "promptlayer_agents_api"} <= loaded


def test_every_public_name_still_resolves() -> None:
    loaded = _loaded_after(
        "import promptlayer_agents as pa\n"
        "from promptlayer_agents import *\n"
        "assert all(getattr(pa, name) is globals()[name] for name in pa.__all__)\n"
        "assert set(pa.__all__) <= set(dir(pa))"
    )

    assert "httpx" in loaded
