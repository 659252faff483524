"""A run's data references (`RunConfiguration.data_references`, which the SDK fills from
``datastore.path(p).as_mount()`` or ``as_download()``), made available to the job as Azure
makes them: ``AZUREML_DATAREFERENCE_<name>`` in the job's environment, and in its arguments
``$AZUREML_DATAREFERENCE_<name>`` (``str()`` of the reference) replaced by the same path.

* ``mount``: the path in the datastore's own folder under the emulator home, as Azure's
  read-write blobfuse mount of the container shows it (what the job writes there is in the
  datastore);
* ``download``: a copy of the path, at ``path_on_compute`` in the working directory when
  given, else in the job's folder, keeping files already there unless ``overwrite``.

``upload`` (and any other mode) fails the run with a "not emulated" error.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Mapping

from azureml_emulator import paths
from azureml_emulator.datastores import backend as datastores
from azureml_emulator.errors import EmulatorError
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.store import Store

VARIABLE = "AZUREML_DATAREFERENCE_"


def in_folder(root: Path, relative: str | None, what: str) -> Path:
    """Where ``relative`` (``what`` of a run's definition; "" or None is ``root`` itself) is inside
    the folder ``root`` (`paths.inside`, slashes around it removed); a path that leaves it fails the run."""
    def refused(path: str, why: paths.Why) -> EmulatorError:
        return EmulatorError("{} {!r} {}".format(what, path, why.value), code="UserError")
    return paths.inside(root, (relative or "").strip("/"), refused, allow_root=True)


def copy_files(source: Path, target: Path, overwrite: bool) -> None:
    """Every file below the folder ``source``, copied to the same place below ``target``; a file
    already there is kept unless ``overwrite``."""
    for file in sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() else []:
        copy = target / file.relative_to(source)
        if overwrite or not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, copy)


def _download(source: Path, target: Path, overwrite: bool) -> None:
    if source.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        if overwrite or not target.exists():
            shutil.copy2(source, target)
        return
    target.mkdir(parents=True, exist_ok=True)
    copy_files(source, target, overwrite)


def own_output(run_id: str, name: str) -> str:
    """Where a pipeline step's `PipelineData` output ``name`` lives on its datastore (Azure's place)."""
    return "azureml/{}/{}".format(run_id, name)


def prepare(store: Store, workspace: WorkspaceKey, references: Mapping[str, dict], workdir: Path,
            folder: Path, run_id: str = "") -> dict[str, str]:
    """Each data reference's local path by name (``folder`` is the job's own folder). A mounted
    path that does not exist is made a folder, except the job's own `PipelineData` output (run
    ``run_id``'s): as on Azure, only its parent exists, and the script makes the output a file
    or a folder (Microsoft's ModuleStep sample writes a file at that path)."""
    located = {}
    for name, reference in references.items():
        safe_name(name, "data reference name")
        reference = reference or {}
        mode = (reference.get("mode") or "mount").lower()
        try:
            root = datastores.local_folder(store, workspace, reference.get("dataStoreName") or "")
        except EmulatorError as error:
            raise EmulatorError("Data reference {}: {}".format(name, error.message), code="UserError") from None
        source = in_folder(root, reference.get("pathOnDataStore"), "pathOnDataStore")
        if mode == "mount":
            if not source.exists():
                own = run_id and (reference.get("pathOnDataStore") or "").strip("/") == own_output(run_id, name)
                (source.parent if own else source).mkdir(parents=True, exist_ok=True)
            path = source
        elif mode == "download":
            on_compute = reference.get("pathOnCompute")
            base = in_folder(workdir, on_compute, "pathOnCompute") if on_compute else in_folder(
                folder / "datareferences" / name, reference.get("pathOnDataStore"), "pathOnDataStore")
            _download(source, base, bool(reference.get("overwrite")))
            path = base
        else:
            raise EmulatorError("not emulated by azureml_emulator: data reference {} in mode {!r}; the emulator "
                                "makes 'mount' and 'download' data references".format(name, mode), code="UserError")
        located[name] = str(path)
    return located


def substitute(argument: str, paths: Mapping[str, str]) -> str:
    """``argument`` with each ``$AZUREML_DATAREFERENCE_<name>`` of a known reference replaced
    by its path (longest names first, so one name that begins another is not cut short)."""
    for name in sorted(paths, key=len, reverse=True):
        argument = argument.replace("$" + VARIABLE + name, paths[name])
    return argument
