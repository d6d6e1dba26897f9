"""Loading: only what the policy lists is imported; a plugin that cannot load stops the policy with what to do."""

from __future__ import annotations

import sys

import pytest

import aigov
from aigov_core.errors import PluginError, PolicyError
from aigov_core.policy import parse_policy_text
from jupyter_aigov import governance
from jupyter_aigov.plugins import load_plugins

QUIET = "version: 1\nredaction: {entities: {}}\n"
CHECKING = """
import aigov

@aigov.hookimpl
def aigov_check(call):
    return None
"""


def listing(*names: str) -> str:
    return QUIET + f"plugins: [{', '.join(names)}]\n"


def test_when_no_policy_lists_an_installed_plugin_then_it_is_never_imported(install, governed):
    unlisted = install("unlisted", "raise RuntimeError('imported')")
    listed = install("listed", CHECKING)
    governed(listing("listed"))
    assert listed in sys.modules
    assert unlisted not in sys.modules


def test_when_a_listed_plugin_is_not_installed_then_nothing_loads_and_the_error_says_what_to_do(install, governed):
    install("present", CHECKING)
    with pytest.raises(PluginError) as failed:
        governed(listing("ghost"))
    message = str(failed.value)
    assert "lists the plugin 'ghost', but no installed distribution provides it" in message
    assert "installed plugins: " in message and "present" in message
    assert "pip install" in message and "or remove 'ghost' from plugins: in" in message
    assert isinstance(failed.value, PolicyError)
    assert governance.status() == {"enabled": False}


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("raise ZeroDivisionError('boom')", "failed to import (ZeroDivisionError: boom)"),
        ("import aigov\n@aigov.hookimpl\ndef aigov_recognisers():\n    return []\n", "could not be registered"),
        ("def aigov_check(call):\n    return None\n", "implements no hook: mark its functions with @aigov.hookimpl"),
        ("import aigov\n@aigov.hookimpl\ndef aigov_check(call, budget):\n    return None\n", "could not be registered"),
        (
            "import aigov\n@aigov.hookimpl(wrapper=True)\ndef aigov_check(call):\n    return (yield)\n",
            "marks a hook as a wrapper",
        ),
        ("import aigov\n@aigov.hookimpl\ndef aigov_catalogue():\n    return ['x']\n", "returned list, not a dict"),
        ("import aigov\n@aigov.hookimpl\ndef aigov_catalogue():\n    1 / 0\n", "raised ZeroDivisionError"),
    ],
    ids=["import fails", "misspelt hook", "no marker", "unknown argument", "wrapper", "not a dict", "raises"],
)
def test_when_a_listed_plugin_cannot_load_then_nothing_loads_and_the_error_names_it(install, governed, source, said):
    install("broken", source)
    with pytest.raises(PluginError) as failed:
        governed(listing("broken"))
    assert "'broken'" in str(failed.value)
    assert said in str(failed.value)
    assert governance.status() == {"enabled": False}


def test_when_two_distributions_provide_one_plugin_name_then_the_error_names_both(install):
    install("twice", CHECKING, distribution="aigov-first")
    install("twice", CHECKING, distribution="aigov-second")
    with pytest.raises(PluginError, match="more than one installed distribution \\(aigov-first, aigov-second\\)"):
        load_plugins(["twice"], "aigov.yaml")


def test_when_a_policy_lists_a_plugin_twice_then_the_policy_is_invalid():
    with pytest.raises(PolicyError, match="plugin names must be unique; repeated: acme"):
        parse_policy_text("version: 1\nplugins: [acme, acme]\n")


def test_when_plugins_load_then_the_policy_load_record_names_each_with_its_version(install, governed):
    install("first", CHECKING, distribution="aigov-first", version="1.2.3")
    install("second", CHECKING, distribution="aigov-second", version="0.9")
    governed(listing("first", "second"))
    (load,) = governed.records("policy.load")
    assert load["plugins"] == [
        {"name": "first", "distribution": "aigov-first", "version": "1.2.3"},
        {"name": "second", "distribution": "aigov-second", "version": "0.9"},
    ]
    assert aigov.status()["plugins"] == load["plugins"]


def test_when_no_plugin_is_listed_then_policy_load_says_nothing_of_plugins(governed):
    governed(QUIET)
    (load,) = governed.records("policy.load")
    assert "plugins" not in load
    assert aigov.status()["plugins"] == []


FORMAT = """
import aigov
from jupyter_aigov.providers import Usage

class Format:
    name = "{api}"
    def parse_request(self, operation, path_params, body):
        return body.get("model"), False, [], []
    def text_parts(self, operation, body):
        return []
    def usage_from_json(self, operation, body):
        return Usage()
    def usage_from_event(self, operation, event, usage):
        return usage
    def usage_from_headers(self, operation, headers):
        return Usage()

@aigov.hookimpl
def aigov_wire_formats():
    return {{"{api}": Format()}}

@aigov.hookimpl
def aigov_catalogue():
    return {catalogue}
"""
OPERATIONS = {"operations": [{"name": "ask", "paths": ["**/v1/ask"], "requires": ["model"]}]}


def test_when_a_plugin_adds_a_wire_format_and_a_provider_then_the_catalogue_recognises_their_calls(install):
    catalogue = {"apis": {"ask": OPERATIONS}, "providers": {"askco": {"hosts": ["ask.example"], "apis": ["ask"]}}}
    install("asker", FORMAT.format(api="ask", catalogue=catalogue))
    plugins = load_plugins(["asker"], "aigov.yaml")
    call = plugins.catalogue.recognise("POST", "https://ask.example/v1/ask", None, b'{"model": "m1"}')
    assert (call.provider, call.api, call.operation, call.model) == ("askco", "ask", "ask", "m1")
    elsewhere = plugins.catalogue.recognise("POST", "http://127.0.0.1:9/v1/ask", None, b'{"model": "m1"}')
    assert (elsewhere.provider, elsewhere.api) == ("ask-compatible", "ask")
    built_in = plugins.catalogue.recognise("POST", "https://api.openai.com/v1/chat/completions", None, b"{}")
    assert built_in.api == "openai"


@pytest.mark.parametrize(
    ("api", "catalogue", "clash"),
    [
        ("openai", {"apis": {"openai": OPERATIONS}}, "api 'openai'"),
        ("ask", {"providers": {"openai": {"hosts": ["x.example"], "apis": ["ask"]}}}, "provider 'openai'"),
        ("ask", {"providers": {"p": {"hosts": ["API.openai.com"], "apis": ["ask"]}}}, "host 'API.openai.com'"),
        ("ask", {"apis": {"ask": OPERATIONS}, "models": {}}, "unknown keys models"),
    ],
    ids=["built-in api", "built-in provider", "built-in host", "unknown key"],
)
def test_when_a_plugins_catalogue_entries_would_change_the_built_in_ones_then_it_does_not_load(
    install, api, catalogue, clash
):
    install("clashing", FORMAT.format(api=api, catalogue=catalogue))
    with pytest.raises(PluginError, match="'clashing''s catalogue entries cannot be added") as failed:
        load_plugins(["clashing"], "aigov.yaml")
    assert clash in str(failed.value)


def test_when_a_plugins_wire_format_lacks_a_function_then_it_does_not_load(install):
    source = "import aigov\n@aigov.hookimpl\ndef aigov_wire_formats():\n    return {'half': object()}\n"
    install("half", source)
    with pytest.raises(PluginError, match="wire format 'half' has no parse_request, text_parts"):
        load_plugins(["half"], "aigov.yaml")
