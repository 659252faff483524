"""A run's output datasets (`OutputFileDatasetConfig` in the arguments, the run definition's
``outputData``), as Azure provides them: the argument ``DatasetOutputConfig:<name>`` and the
variable ``<name>`` (listed in ``AZUREML_DATASET_FILE_OUTPUTS``, which `run.output_datasets`
reads) are a writable folder whose files end up at the destination, ``(datastore, path)`` with
``{run-id}`` and ``{output-name}`` filled in, by default ``workspaceblobstore`` at
``dataset/{run-id}/{output-name}``:

* ``mount``: the destination's folder in the datastore's own folder under the emulator home;
* ``upload``: ``path_on_compute`` in the working directory (else a folder of the job's), copied
  to the destination when the script has ended, keeping files already there unless ``overwrite``.

Registering the output as a dataset when the run completes (``register_on_complete``) fails the
run as not emulated, before the script starts.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from azureml_emulator.data_access.references import copy_files, in_folder
from azureml_emulator.datastores import backend as datastores
from azureml_emulator.errors import EmulatorError
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.store import Store

ARGUMENT = "DatasetOutputConfig:"
LIST_VARIABLE = "AZUREML_DATASET_FILE_OUTPUTS"
DEFAULT_PATH = "dataset/{run-id}/{output-name}"


@dataclass(frozen=True)
class Output:
    """Where the job writes one output, and where its files go afterwards (upload)."""

    name: str
    path: Path
    upload_to: Path | None = None
    overwrite: bool = False


def prepare(store: Store, workspace: WorkspaceKey, outputs: Mapping[str, dict], run_id: str, workdir: Path,
            folder: Path) -> list[Output]:
    prepared = []
    for name, output in outputs.items():
        safe_name(name, "output name")
        output = output or {}
        options = output.get("additionalOptions") or {}
        if ((options.get("registrationOptions") or {}).get("name")):
            raise EmulatorError("not emulated by azureml_emulator: registering output {} as a dataset when the run "
                                "completes (register_on_complete)".format(name), code="UserError")
        mode = (output.get("mechanism") or "mount").lower()
        location = ((output.get("outputLocation") or {}).get("dataPath") or {})
        relative = (location.get("relativePath") or DEFAULT_PATH).replace("{run-id}", run_id).replace(
            "{output-name}", name)
        try:
            root = datastores.local_folder(store, workspace, location.get("datastoreName") or datastores.DEFAULT)
        except EmulatorError as error:
            raise EmulatorError("Output {}: {}".format(name, error.message), code="UserError") from None
        destination = in_folder(root, relative, "output destination")
        if mode == "mount":
            destination.mkdir(parents=True, exist_ok=True)
            prepared.append(Output(name, destination))
        elif mode == "upload":
            source = options.get("pathOnCompute")
            local = in_folder(workdir, source, "path_on_compute") if source else folder / "outputs-data" / name
            local.mkdir(parents=True, exist_ok=True)
            prepared.append(Output(name, local, destination, bool((options.get("uploadOptions") or {})
                                                                  .get("overwrite"))))
        else:
            raise EmulatorError("not emulated by azureml_emulator: output {} in mode {!r}; the emulator makes "
                                "'mount' and 'upload' outputs".format(name, mode), code="UserError")
    return prepared


def variables(outputs: list[Output]) -> dict[str, str]:
    if not outputs:
        return {}
    return {LIST_VARIABLE: ";".join(output.name for output in outputs),
            **{output.name: str(output.path) for output in outputs}}


def argument(text: str, outputs: list[Output]) -> str:
    paths = {ARGUMENT + output.name: str(output.path) for output in outputs}
    return paths.get(text, text)


def upload(outputs: list[Output]) -> None:
    """After the script: each upload output's files, copied to its destination."""
    for output in outputs:
        if output.upload_to is not None:
            copy_files(output.path, output.upload_to, output.overwrite)
