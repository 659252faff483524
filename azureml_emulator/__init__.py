"""azureml_emulator: an offline stand-in for an Azure ML SDK v1 workspace.

    with azureml_emulator.emulate(home="/tmp/aml"):
        ws = Workspace.from_config()      # the real SDK, answered locally
"""
from azureml_emulator.runtime.activation import activate, deactivate, emulate
from azureml_emulator.runtime.context import current, is_active

__all__ = ["emulate", "activate", "deactivate", "current", "is_active",
           "load_ipython_extension", "unload_ipython_extension"]


def load_ipython_extension(ipython):
    """`%load_ext azureml_emulator`: the emulator stays on for the rest of the session."""
    if not is_active():
        activate()


def unload_ipython_extension(ipython):
    if is_active():
        deactivate()
