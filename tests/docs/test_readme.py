"""Every Python example in the README runs as written, against the real sandbox.

A block that defines pytest tests (the "Testing your service" example) is saved as a test file and
run by pytest in a fresh folder, as a user would, with the plugin the package installs. Every other
block runs in this process with PROMPTLAYER_BASE_URL and PROMPTLAYER_API_KEY pointing at a sandbox
with the bundled demo agents, just as the README says to set them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from promptlayer_agents.sandbox import Sandbox

from ..helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
USING = README.split("## Using the client", 1)[1].split("\n## ", 1)[0]
USING_EXAMPLES = re.findall(r"```python\n(.*?)```", USING, flags=re.DOTALL)


def _is_test_file(example: str) -> bool:
    return "\ndef test_" in example


def _exec(example: str) -> None:
    exec(compile(example, "README.md", "exec"), {"__name__": "__readme__"})


@pytest.fixture
def exported(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The sandbox, with the two variables exported as the README shows."""
    monkeypatch.setenv("PROMPTLAYER_BASE_URL", sandbox.url)
    monkeypatch.setenv("PROMPTLAYER_API_KEY", sandbox.api_key)
    return sandbox


def test_the_readme_has_the_promised_examples() -> None:
    code = "\n".join(USING_EXAMPLES)
    for call in [
        "agents.run(",
        ".wait(",
        "run_and_wait(",
        "agents.get(",
        "get_results(",
        "except NotFoundError",
        "AsyncAgents()",
        "parse_callback(",
    ]:
        assert call in code, call
    assert sum(map(_is_test_file, EXAMPLES)) == 2  # "Testing your service", "Record once, ..."
    assert any("AuthenticatedClient(" in example for example in EXAMPLES)


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if not _is_test_file(e)],
    ids=lambda e: e.strip().splitlines()[-1][:40],
)
def test_example_runs_against_the_sandbox(
    exported: Sandbox, example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _exec(example)

    assert capsys.readouterr().out, "every example prints what it got"


def test_the_first_example_prints_the_result(
    exported: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    _exec(USING_EXAMPLES[0])

    assert capsys.readouterr().out.splitlines() == [
        "started execution 1",
        "SUCCESS See account settings for: How do I reset my password?",
        "  Lookup: SUCCESS",
        "  Answer: SUCCESS",
    ]


def test_the_error_example_reports_the_missing_agent(
    exported: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    errors = next(e for e in USING_EXAMPLES if "except NotFoundError" in e)

    _exec(errors)

    assert capsys.readouterr().out.strip() == "404 Workflow not found"


def test_the_generated_client_example_reads_the_base_url(
    exported: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    generated = next(e for e in EXAMPLES if "AuthenticatedClient(" in e)

    _exec(generated)

    assert exported.state.requests["POST run"] == 1
    assert exported.state.requests["GET agent"] == 1
    assert "workflow_name='support-bot'" in capsys.readouterr().out


def test_the_testing_example_passes_as_a_user_runs_it(tmp_path: Path) -> None:
    example = next(e for e in EXAMPLES if _is_test_file(e))
    (tmp_path / "test_my_service.py").write_text(example, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_service.py"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{example.count(chr(10) + 'def test_')} passed" in done.stdout


def test_the_webhook_example_handles_a_repeat_once_and_refuses_a_forgery(
    capsys: pytest.CaptureFixture[str],
) -> None:
    webhooks = next(e for e in EXAMPLES if "verify_webhook(" in e)

    _exec(webhooks)

    assert capsys.readouterr().out.splitlines() == [
        "finished: execution 787",
        "200",
        "200",
        "401",
    ]


def test_the_options_example_sends_its_headers_with_its_settings(
    exported: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    options = next(e for e in EXAMPLES if "with_options(" in e)

    _exec(options)

    assert capsys.readouterr().out.strip() == (
        "started 1 with a 5 s timeout, no retries and {'X-Team': 'support'}"
    )


def test_the_async_progress_example_is_awaited(
    exported: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    progress = next(e for e in EXAMPLES if "async def report" in e)

    _exec(progress)

    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "See account settings for: Hi"
    assert lines[:-1]  # the sandbox's runs take a few polls: the callback was awaited on each
    assert all(line.startswith("still running: [") for line in lines[:-1])
