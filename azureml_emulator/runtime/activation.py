"""Turning the emulator on and off.

While active, a short list of seams in the SDK is replaced (see `_patches`);
everything else is the installed SDK's own code. When the last active block
ends, every seam is restored and the SDK can reach Azure again.
"""
import contextlib
from unittest import mock

from azureml_emulator.runtime import context
from azureml_emulator.runtime.context import Emulator
from azureml_emulator.runtime.home import resolve_home
from azureml_emulator.store.database import Store

_applied = []          # the mock patchers in force
homes_used = set()     # every home activated in this process (for clean-up at exit)


def _patches():
    from azureml._restclient.artifacts_client import ArtifactsClient
    from azureml.core.webservice import AciWebservice
    from azureml.core.workspace import Workspace
    from azureml.opendatasets import MNIST
    from requests.adapters import HTTPAdapter

    from azureml_emulator.artifacts import api as api_artifacts
    from azureml_emulator.webservices import local as local_webservice
    from azureml_emulator.data import opendatasets
    from azureml_emulator.runtime import transport
    from azureml_emulator.webservices import checks as webservice_checks
    from azureml_emulator.workspaces import sdk as workspace
    return [
        (HTTPAdapter, "send", transport.make_send(HTTPAdapter.send)),
        (Workspace, "__init__", workspace.make_init(Workspace.__init__)),
        (Workspace, "get", staticmethod(workspace.get)),
        (Workspace, "from_config", staticmethod(workspace.make_from_config(Workspace.from_config))),
        (ArtifactsClient, "upload_files", api_artifacts.upload_files),
        (ArtifactsClient, "upload_artifact_from_stream", api_artifacts.upload_artifact_from_stream),
        (ArtifactsClient, "get_files_by_artifact_prefix_id", api_artifacts.get_files_by_artifact_prefix_id),
        (ArtifactsClient, "get_file_by_artifact_id", api_artifacts.get_file_by_artifact_id),
        (MNIST, "get_file_dataset", classmethod(opendatasets.get_file_dataset)),
        (AciWebservice, "run", webservice_checks.make_run(AciWebservice.run)),
    ] + local_webservice.patches()


def activate(home=None) -> Emulator:
    """Turn the emulator on for this process (nestable); returns the active emulator."""
    resolved = resolve_home(home)
    emulator = Emulator(home=resolved, store=Store(resolved))
    if not context.is_active():
        for target, attribute, replacement in _patches():
            patcher = mock.patch.object(target, attribute, replacement)
            patcher.start()
            _applied.append(patcher)
    context.push(emulator)
    homes_used.add(emulator.home)
    return emulator


def deactivate():
    emulator = context.pop()
    emulator.store.close()
    if not context.is_active():
        while _applied:
            _applied.pop().stop()


class emulate(contextlib.ContextDecorator):
    """``with emulate(home=...):`` or ``@emulate()``: the Azure ML SDK talks to the local emulator."""

    def __init__(self, home=None):
        self.home = home

    def __enter__(self) -> Emulator:
        return activate(self.home)

    def __exit__(self, *exc):
        deactivate()
        return False
