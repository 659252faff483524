"""Datastore paths in dataset definitions, turned into the emulator's local copies.

azureml-dataprep reads a datastore path in native code, by asking the datastore service
and then Azure Storage over its own HTTP stack, which the emulator cannot answer. So
where a dataset is defined (the SDK's `_validate_and_normalize_path`, which every
factory calls), ``(datastore, 'folder/**')``, ``DataPath``, ``DataReference`` and
``azureml://datastores/<name>/paths/<path>`` become the folder under the emulator home
where that datastore's blobs or files are (`azure_storage.backend.container_root`,
`azure_storage.files_backend.share_root`), and dataprep reads
local files. Any other local path is still refused, as Azure refuses it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

from azureml.exceptions import UserErrorException

from azureml_emulator import paths
from azureml_emulator.azure_storage.backend import container_root, store_file
from azureml_emulator.azure_storage.files_backend import share_root

DATASTORE_URI = re.compile(r"^azureml://(?:subscriptions/[^/]+/resourcegroups/[^/]+/workspaces/[^/]+/)?"
                           r"datastores/(?P<name>[^/]+)/paths/(?P<path>.*)$", re.IGNORECASE)


def local_path(datastore: Any, relative: str) -> str:
    """Where ``relative`` on ``datastore`` is on this machine."""
    from azureml.data.azure_storage_datastore import AzureBlobDatastore, AzureFileDatastore
    from azureml_emulator.context import current
    if isinstance(datastore, AzureBlobDatastore):
        root = container_root(current().home, datastore.account_name, datastore.container_name)
    elif isinstance(datastore, AzureFileDatastore):
        root = share_root(current().home, datastore.account_name, datastore.container_name)
    else:
        raise UserErrorException("not emulated by azureml_emulator: datasets on datastore {} of type {}; datasets "
                                 "can read Azure Blob and Azure File datastores".format(
                                     datastore.name, datastore.datastore_type))
    folder = relative.endswith(("/", "\\"))
    path = paths.inside(root, relative.lstrip("/\\"), _refused, allow_root=True)
    if path.name == "**" and not folder:   # every file below: dataprep's local form of it
        path = path / "*"
    return str(path) + ("/" if folder and path != Path(os.path.realpath(root)) else "")


def _refused(path: str, why: paths.Why) -> UserErrorException:
    return UserErrorException("Datastore path {!r} {}".format(path, why.value))


def make_validate(original: Callable[[Any], list]) -> Callable[[Any], list]:
    def validate_and_normalize_path(path: Any) -> list:
        """The SDK's path check, after datastore paths are made local; local paths the emulator
        made pass, any other goes to the SDK's own check (which refuses local paths)."""
        from azureml_emulator.context import current
        resolved = resolve(path)
        paths = resolved if isinstance(resolved, list) else [resolved]
        home = str(current().home) + "/"
        if paths and all(isinstance(p, str) and p.startswith(home) for p in paths):
            return paths
        return original(resolved)
    return validate_and_normalize_path


def _is_datastore(value: Any) -> bool:
    from azureml.data.abstract_datastore import AbstractDatastore
    return isinstance(value, AbstractDatastore)


def resolve(path: Any, workspace: Any = None) -> Any:
    """``path`` as a dataset factory takes it, with every datastore path made local."""
    from azureml.data.datapath import DataPath
    from azureml.data.data_reference import DataReference
    if isinstance(path, list):
        return [resolve(item, workspace) for item in path]
    if isinstance(path, tuple) and len(path) == 2 and _is_datastore(path[0]):
        return local_path(path[0], path[1] or "")
    if isinstance(path, DataPath):
        return local_path(path._datastore, path.path_on_datastore or "")
    if isinstance(path, DataReference):
        return local_path(path.datastore, path.path_on_datastore or "")
    if isinstance(path, str):
        match = DATASTORE_URI.match(path)
        if match:
            from azureml.core import Datastore, Workspace
            return local_path(Datastore.get(workspace or Workspace.from_config(), match.group("name")),
                              match.group("path"))
    return path


def upload_directory(src_dir: str, target: Any, pattern: str | None = None, overwrite: bool = False,
                     show_progress: bool = True) -> None:
    """FileDatasetFactory._upload_directory: the files of ``src_dir`` (those whose absolute path
    matches ``pattern``, when given) copied into the datastore's local copy; an existing file
    is kept unless ``overwrite``, as the SDK's copier appends."""
    import fnmatch
    import os
    from azureml.data._dataset_factory_helper import parse_target
    source = Path(src_dir).absolute()
    if not source.is_dir():
        raise UserErrorException("src_dir {!r} is not a folder: expected the local folder to upload".format(src_dir))
    datastore, relative = parse_target(target)
    local_path(datastore, relative or "")   # the same checks as a dataset's path
    say = print if show_progress else (lambda *_: None)
    say("Uploading files from '{}' to '{}'".format(source, relative))
    copied = skipped = 0
    for folder, _folders, files in os.walk(source):
        for name in sorted(files):
            file = Path(folder) / name
            if pattern is not None and not fnmatch.fnmatch(file.as_posix(), pattern):
                continue
            name = "/".join(filter(None, [(relative or "").strip("/"), file.relative_to(source).as_posix()]))
            target = Path(local_path(datastore, name))
            if not overwrite and target.is_file():
                skipped += 1
                continue
            with open(file, "rb") as data:
                store_file(target, data)
            copied += 1
    say("Uploaded {} files{}".format(copied, ", skipped {} already there".format(skipped) if skipped else ""))
