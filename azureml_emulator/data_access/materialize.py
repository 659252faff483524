"""A dataset's files in a local folder, for a job's ``as_mount()`` / ``as_download()`` input;
and a one-column tabular dataset's rows, the requests of a model profile.

The MNIST open dataset comes from the verified local copy (`opendatasets`); any other
definition is read by the SDK's own dataset library (azureml-dataprep) if it names local
files only. One that names a source on the network is refused before dataprep (whose
native reader would fetch it) sees it.
"""
from __future__ import annotations

import json
import os
import re
import stat
import urllib.parse
from pathlib import Path

from azureml_emulator.data_access import opendatasets, sources


def _read_only(folder: Path) -> None:
    """A mount is read-only: its files lose their write bits (folders keep theirs, so the
    emulator can still remove the job's folder as any user)."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def materialize(dataflow_json: str, target: Path, mechanism: str) -> Path:
    """Write the dataset's files under ``target``; returns the path the job is given."""
    target.mkdir(parents=True, exist_ok=True)
    definition = (json.loads(dataflow_json).get("meta") or {}).get("RsDataflow") or ""
    names = opendatasets.mnist_files(definition)
    if names is not None:
        opendatasets.copy_files(names, target, overwrite=True)
    else:
        sources.refuse_remote(definition)
        from azureml.data.file_dataset import FileDataset
        from azureml.dataprep import EnginelessDataflow
        FileDataset._create(EnginelessDataflow(definition)).download(target_path=str(target), overwrite=True)
    if mechanism == "mount":
        _read_only(target)
    return target


def single_file(dataflow_json: str) -> str | None:
    """The file name when the dataset is one file (one path, neither a folder nor a pattern),
    which a mount shows as that file rather than as a folder; else None."""
    definition = (json.loads(dataflow_json).get("meta") or {}).get("RsDataflow") or ""
    patterns = re.findall(r'^\s*-\s*pattern:\s*"?([^"\n]+)"?\s*$', definition, flags=re.MULTILINE)
    if len(patterns) != 1 or not patterns[0].startswith("file://") or "*" in patterns[0]:
        return None
    path = Path(urllib.parse.unquote(urllib.parse.urlsplit(patterns[0]).path))
    return path.name if path.is_file() else None


def text_rows(dataflow_json: str) -> list[str]:
    """The values of a tabular dataset with one column, as text, read by azureml-dataprep."""
    definition = (json.loads(dataflow_json).get("meta") or {}).get("RsDataflow") or ""
    sources.refuse_remote(definition)
    from azureml.data.tabular_dataset import TabularDataset
    from azureml.dataprep import EnginelessDataflow
    frame = TabularDataset._create(EnginelessDataflow(definition)).to_pandas_dataframe()
    return ["" if value is None else str(value) for value in frame.iloc[:, 0].tolist()]
