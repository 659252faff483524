"""azureml_emulator: an offline stand-in for an Azure ML SDK v1 workspace.

    with azureml_emulator.emulate(home="/tmp/aml"):
        ws = Workspace.from_config()      # the real SDK, answered locally

The public names are loaded on first use, so the small entry points that run inside
service processes (`azureml_emulator.execution`) import only what they need.
"""
import importlib
from typing import Any

_PUBLIC = {
    "emulate": "azureml_emulator.runtime.activation",
    "activate": "azureml_emulator.runtime.activation",
    "deactivate": "azureml_emulator.runtime.activation",
    "current": "azureml_emulator.context",
    "is_active": "azureml_emulator.context",
}
__all__ = sorted(_PUBLIC) + ["load_ipython_extension", "unload_ipython_extension"]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError("module 'azureml_emulator' has no attribute {!r}".format(name))


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext azureml_emulator`: the emulator stays on for the rest of the session."""
    from azureml_emulator.runtime.activation import activate
    from azureml_emulator.context import is_active
    if not is_active():
        activate()


def unload_ipython_extension(ipython: Any) -> None:
    from azureml_emulator.runtime.activation import deactivate
    from azureml_emulator.context import is_active
    if is_active():
        deactivate()
