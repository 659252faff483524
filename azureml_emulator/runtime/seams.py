"""The list of places in the SDK the emulator replaces while it is active.

Everything else is the installed SDK's own code, talking over `requests` to the
emulated endpoints. Each seam lives with the Azure service it belongs to.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable


def environment_seams() -> dict[str, str]:
    """Environment variables set while the emulator is active (restored after): the cloud the
    SDK's libraries look up by name, so azureml-mlflow does not ask Azure's metadata service
    for it (which the transport refuses, printing an alarming error); jobs get the same."""
    return {"AZUREML_CURRENT_CLOUD": "AzureCloud"}


def deferred_seams() -> list[tuple[str, Callable[[ModuleType], list[tuple[Any, str, Any]]]]]:
    """(module, seams of it) for seams in modules slow to import and often unused: they are
    applied when the module is imported (at once, if it already is)."""
    from azureml_emulator.tracking import sdk as tracking
    return [(tracking.CLOUD_MODULE, tracking.storage_suffix_seams), (OPEN_DATASETS, _open_datasets)]


def seams() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for every seam, built from the SDK's current attributes."""
    from azureml.core.authentication import InteractiveLoginAuthentication
    from azureml.core.webservice import AciWebservice
    from azureml.core.run import Run
    from azureml.core.workspace import Workspace
    from azureml.data import dataset_factory
    from azureml.data.dataset_factory import FileDatasetFactory, TabularDatasetFactory
    from azureml.data.file_dataset import FileDataset
    import urllib.request

    from requests.adapters import HTTPAdapter

    from azureml_emulator.data_access import datastore_paths, opendatasets, sources
    from azureml_emulator.runs import sdk as runs
    from azureml_emulator.runtime import transport
    from azureml_emulator.webservices import local as local_webservice
    from azureml_emulator.webservices import sdk as webservices
    from azureml_emulator.workspaces import sdk as workspaces
    return [
        (HTTPAdapter, "send", transport.make_send(HTTPAdapter.send)),
        (urllib.request, "urlopen", transport.make_urlopen(urllib.request.urlopen)),
        (Workspace, "__init__", workspaces.make_init(Workspace.__init__)),
        (Workspace, "get", staticmethod(workspaces.get)),
        (Workspace, "from_config", staticmethod(workspaces.make_from_config(Workspace.from_config))),
        (Workspace, "list", staticmethod(workspaces.make_list(Workspace.list))),
        (InteractiveLoginAuthentication, "_get_ambient", workspaces.ambient_authentication),
        (Run, "_WAIT_COMPLETION_POLLING_INTERVAL_MIN", runs.POLL_MIN_SECONDS),
        (Run, "_WAIT_COMPLETION_POLLING_INTERVAL_MAX", runs.POLL_MAX_SECONDS),
        (FileDataset, "download", opendatasets.make_download(FileDataset.download)),
        (FileDataset, "to_path", opendatasets.make_to_path(FileDataset.to_path)),
        (FileDatasetFactory, "from_files", sources.make_factory_guard(FileDatasetFactory.from_files)),
        (FileDatasetFactory, "_upload_directory", staticmethod(datastore_paths.upload_directory)),
        (dataset_factory, "_validate_and_normalize_path",
         datastore_paths.make_validate(dataset_factory._validate_and_normalize_path)),
    ] + [
        (TabularDatasetFactory, name, sources.make_factory_guard(getattr(TabularDatasetFactory, name)))
        for name in ("from_delimited_files", "from_parquet_files", "from_json_lines_files")
    ] + [
        (AciWebservice, "run", webservices.make_run(AciWebservice.run)),
    ] + local_webservice.patches()


OPEN_DATASETS = "azureml.opendatasets"


def _open_datasets(package: ModuleType) -> list[tuple[Any, str, Any]]:
    """MNIST from the vendored copy, Diabetes from scikit-learn's and a clear refusal of every
    other open dataset (`data_access.catalog`), applied when a notebook imports azureml-opendatasets
    (the tutorial's extra; the emulator installed on its own does not need it). Deferred: the
    package takes seconds to import (pandas, scipy, AutoML's config), which every kernel start paid."""
    from azureml.opendatasets import MNIST
    from azureml_emulator.data_access import catalog, opendatasets
    return [(MNIST, "get_file_dataset", classmethod(opendatasets.make_get_file_dataset(MNIST.get_file_dataset)))
            ] + catalog.seams()
