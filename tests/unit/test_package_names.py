"""`import promptlayer_agents` loads its public names on first use: each is the object of the
module it lives in, loaded once; any other name is an AttributeError; `__version__` is the
installed distribution's."""

from __future__ import annotations

import importlib
from importlib import metadata

import pytest

import promptlayer_agents

HOMES = {
    "Agents": "promptlayer_agents._facade",
    "api_client": "promptlayer_agents._facade",
    "JSON": "promptlayer_agents._json",
    "PollPolicy": "promptlayer_agents._polling",
    "RunStarted": "promptlayer_agents._results",
    "parse_callback": "promptlayer_agents._results",
    "NodeDefinition": "promptlayer_agents.definitions",
    "verify_webhook": "promptlayer_agents._webhooks",
    "NotFoundError": "promptlayer_agents._errors",
    "PromptLayerError": "promptlayer_agents._errors",
}


@pytest.mark.parametrize("name", sorted(promptlayer_agents.__all__))
def test_every_public_name_loads_on_first_use_and_stays(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name == "__version__":
        return  # below
    monkeypatch.delitem(vars(promptlayer_agents), name, raising=False)  # as if never used

    first = getattr(promptlayer_agents, name)

    assert first is not None
    assert vars(promptlayer_agents)[name] is first  # kept: later uses need no lookup
    assert getattr(promptlayer_agents, name) is first
    if name in HOMES:
        assert first is getattr(importlib.import_module(HOMES[name]), name)


@pytest.mark.parametrize("name", ["Send", "nope", "Outcome", "Sleep"])
def test_any_other_name_is_an_attribute_error_naming_it(name: str) -> None:
    with pytest.raises(AttributeError) as raised:
        getattr(promptlayer_agents, name)
    assert str(raised.value) == f"module 'promptlayer_agents' has no attribute {name!r}"


def test_the_version_is_the_installed_distributions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(vars(promptlayer_agents), "__version__", raising=False)

    assert promptlayer_agents.__version__ == metadata.version("promptlayer-agents")
    assert vars(promptlayer_agents)["__version__"] == metadata.version("promptlayer-agents")


def test_a_source_tree_never_installed_has_an_unknown_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", not_installed)
    monkeypatch.delitem(vars(promptlayer_agents), "__version__", raising=False)

    assert promptlayer_agents.__version__ == "0+unknown"


def test_dir_lists_the_public_names_with_the_loaded_ones_once() -> None:
    listed = dir(promptlayer_agents)

    assert listed == sorted(set(listed))
    assert set(promptlayer_agents.__all__) <= set(listed)
    assert {"__all__", "__doc__", "_HOMES"} <= set(listed)
