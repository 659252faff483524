"""A step output registered as a dataset when its step completes, as the pipeline service does it:
``PipelineData.as_dataset().register(name)`` and ``OutputFileDatasetConfig.register_on_complete(name)``.

The SDK puts a ``DatasetRegistration`` in the node's output setting: its ``Name`` (and for an
OutputFileDatasetConfig its ``Description``, ``Tags``, ``CreateNewVersion`` true, and in
``AdditionalTransformations`` the legacy dataflow blocks of ``read_delimited_files``). The dataset
is the output's datastore path as the SDK's own dataset library defines it (what
``Dataset.File.from_files((datastore, path))`` or ``Dataset.Tabular.from_delimited_files`` saves):
a FileDataset, or a TabularDataset when the blocks read delimited files. A name that exists gets
a new version (``create_new_version`` false keeps the latest one).

Blocks other than a plain ``read_delimited_files`` (a path glob, column types, partitions,
parquet) are refused when the pipeline is submitted, before any step runs.
"""
from __future__ import annotations

import json
from pathlib import Path

from azureml_emulator.datasets import backend as datasets
from azureml_emulator.datastores import backend as datastores
from azureml_emulator.errors import EmulatorError, NotEmulated
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.store import Store

PARSE_DELIMITED, DROP_COLUMNS = "Microsoft.DPrep.ParseDelimitedBlock", "Microsoft.DPrep.DropColumnsBlock"


def requested(setting: dict) -> dict | None:
    """The output setting's registration, if it names a dataset."""
    registration = setting.get("DatasetRegistration") or {}
    return registration if registration.get("Name") else None


def _blocks(registration: dict) -> list[dict]:
    transformations = registration.get("AdditionalTransformations")
    if not transformations:
        return []
    try:
        found = json.loads(transformations) if isinstance(transformations, str) else transformations
    except ValueError:
        raise EmulatorError("The registration of dataset {} has AdditionalTransformations that are not a dataflow's "
                            "JSON".format(registration.get("Name")), code="UserError") from None
    return list((found or {}).get("blocks") or [])


def _delimited(registration: dict, where: str) -> dict | None:
    """``read_delimited_files``' settings from the blocks (None: no transformation, a FileDataset)."""
    blocks = _blocks(registration)
    if not blocks:
        return None
    parse, rest = blocks[0], blocks[1:]
    drops_path = [b for b in rest if b.get("type") == DROP_COLUMNS and
                  ((b.get("arguments") or {}).get("columns") or {}).get("details", {}).get("selectedColumns") == ["Path"]]
    if parse.get("type") != PARSE_DELIMITED or len(rest) != len(drops_path) or len(rest) > 1:
        raise NotEmulated("registering {} with transformations other than read_delimited_files(separator, header, "
                          "include_path) (blocks {})".format(where, ", ".join(str(b.get("type")) for b in blocks)))
    arguments = parse.get("arguments") or {}
    return {"separator": arguments.get("separator", ","), "header": int(arguments.get("columnHeadersMode", 3)),
            "encoding": int(arguments.get("fileEncoding", 0)),
            "quoting": bool(arguments.get("handleQuotedLineBreaks")), "include_path": not drops_path}


def check(node: dict, step_name: str) -> None:
    """Refuse, at submit, a registration the emulator cannot make."""
    for setting in node.get("ModuleOutputSettings") or []:
        registration = requested(setting)
        if registration is not None:
            _delimited(registration, "output {} of step {} as a dataset".format(setting.get("Name"), step_name))


def _dataflow(folder: Path, delimited: dict | None) -> tuple[str, str]:
    """(dataset type, dataflow JSON) of the folder, made by the SDK's dataset library."""
    import azureml.dataprep as dprep
    from azureml.dataprep import EnginelessDataflow
    if delimited is None:
        return "file", str(EnginelessDataflow.from_paths(str(folder)).to_json())
    flow = dprep.read_csv(str(folder), verify_exists=False, include_path=delimited["include_path"],
                          infer_column_types=False, separator=delimited["separator"],
                          header=dprep.PromoteHeadersMode(delimited["header"]), quoting=delimited["quoting"],
                          encoding=dprep.FileEncoding(delimited["encoding"]))
    return "tabular", str(flow.to_json())


def register(store: Store, workspace: WorkspaceKey, registration: dict, datastore: str, path: str,
             where: str) -> dict:
    """Register the output at ``datastore``/``path``; returns the dataset's version record."""
    folder = datastores.local_folder(store, workspace, datastore) / path
    kind, dataflow = _dataflow(folder, _delimited(registration, where))
    create_new_version = registration.get("CreateNewVersion")
    return datasets.register(store, workspace, {
        "name": registration["Name"], "datasetType": kind, "description": registration.get("Description"),
        "tags": registration.get("Tags") or {}, "latest": {"dataflow": dataflow, "properties": {}}},
        if_exists_ok=True, update_if_exists=create_new_version is None or bool(create_new_version))
