"""Submitting a script run, to a compute cluster or the 'local' target: check what it
names, record the run, start its job.

The job is a detached supervisor process (`execution.job_supervisor`) that outlives the
kernel, as a job on a cluster does; the run records its PID and create time.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from azureml_emulator import processes
from azureml_emulator.compute import backend as compute
from azureml_emulator.environments import backend as environments
from azureml_emulator.errors import BadRequest, NotEmulated, NotFound
from azureml_emulator.execution import job_contract
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.runs import backend as runs
from azureml_emulator.snapshots import backend as snapshots
from azureml_emulator.store import Store

SUPERVISOR = "azureml_emulator.execution.job_supervisor"


def run_folder(home: Path, workspace: WorkspaceKey, run_id: str) -> Path:
    return Path(home) / "runs" / workspace.folder_name / run_id


def _input_datasets(configuration: dict) -> list[dict]:
    found = []
    for name, data in (configuration.get("data") or {}).items():
        dataset = ((data or {}).get("dataLocation") or {}).get("dataset") or {}
        found.append({"identifier": {"savedId": dataset.get("id"), "registeredId": None,
                                     "registeredVersion": dataset.get("version")},
                      "consumptionType": "RunInput", "inputDetails": {"inputName": name,
                                                                      "mechanism": data.get("mechanism")}})
    return found


def _autosave_environment(store: Store, workspace: WorkspaceKey, configuration: dict) -> None:
    """As Azure does at submit, register a run's Environment that is not registered yet, as an
    ``Autosave_<time>_<hash>`` version, and point the run at it (run.get_environment() reads it)."""
    environment = configuration.get("environment") or {}
    name, version = environment.get("name"), environment.get("version")
    if not name:
        return
    if version:
        try:
            environments.get(store, workspace, name, str(version))
            return
        except NotFound:
            pass
    digest = hashlib.sha256(json.dumps(environment, sort_keys=True).encode()).hexdigest()[:8]
    version = "Autosave_{}_{}".format(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), digest)
    environments.save(store, workspace, name, environment, version)
    environment["version"] = version


def _check_configuration(body: dict) -> dict:
    configuration = body.get("Configuration")
    if not isinstance(configuration, dict) or not (configuration.get("script") or configuration.get("command")):
        raise BadRequest("The run definition has no Configuration.script or Configuration.command: expected the "
                         "script or the command to run")
    for name, data in (configuration.get("data") or {}).items():
        safe_name(name, "dataset input name")
        if (data or {}).get("pathOnCompute"):
            raise NotEmulated("dataset inputs with path_on_compute (input {}): the emulator puts each input in "
                              "the job's own folder".format(name))
    return configuration


def submit(store: Store, workspace: WorkspaceKey, experiment: str, run_id: str, body: dict, mode: str,
           parent_run_id: str | None = None, fields: dict | None = None) -> dict:
    """Record a run on a compute cluster and start its job; ``mode`` is how environments are
    served ("build" or "current"). A sweep's children and a pipeline's steps name their parent
    run; ``fields`` are more of the run's fields (a step run's type, name, tags and properties)."""
    safe_name(run_id, "run id")
    configuration = _check_configuration(body)
    target = configuration.get("target")
    if not target or target == "local":
        raise BadRequest("A snapshot run needs a compute target: the SDK submits 'local' runs through localrun")
    compute.require_cluster(store, workspace, target)
    _autosave_environment(store, workspace, configuration)
    snapshot_id = body.get("SnapshotId")
    if not snapshot_id or snapshots.get(store, workspace, snapshot_id) is None:
        raise BadRequest("Snapshot {!r} does not exist in this workspace: submit uploads the source directory "
                         "first".format(snapshot_id), code="SnapshotNotFound")
    extra = dict(fields or {})
    run = runs.create_run(store, workspace, experiment, run_id, dict(extra, **{
        "target": target, "runType": extra.get("runType") or "azureml.scriptrun", "runDefinition": configuration,
        "parentRunId": parent_run_id,
        "properties": {"ContentSnapshotId": snapshot_id, "azureml.runsource": "experiment",
                       "_azureml.ComputeTargetType": "amlcompute", **(extra.get("properties") or {})},
        "inputDatasets": _input_datasets(configuration)}))
    start_job(store, workspace, run_id, mode)
    return run


def local_copy(run_id: str) -> Path:
    """Where the SDK copies the source directory of a local run before it asks for the run
    (`azureml/_execution/_commands.py`): the job runs there, as on Azure."""
    return Path(tempfile.gettempdir()) / "azureml_runs" / run_id


def submit_local(store: Store, workspace: WorkspaceKey, experiment: str, run_id: str, body: dict,
                 mode: str) -> dict:
    """Record a run on the 'local' target and start its job in the SDK's copy of the source
    directory. The SDK sends no snapshot id here; it adds ContentSnapshotId afterwards."""
    safe_name(run_id, "run id")
    configuration = _check_configuration(body)
    configuration["target"] = configuration.get("target") or "local"
    workdir = local_copy(run_id)
    if not workdir.is_dir():
        raise BadRequest("The local run's source copy {} does not exist: the SDK makes it before it asks for the "
                         "run".format(workdir))
    _autosave_environment(store, workspace, configuration)
    run = runs.create_run(store, workspace, experiment, run_id, {
        "target": "local", "runType": "azureml.scriptrun", "runDefinition": configuration,
        "parentRunId": body.get("ParentRunId"),
        "properties": {"azureml.runsource": "experiment", "_azureml.ComputeTargetType": "local"},
        "inputDatasets": _input_datasets(configuration)})
    start_job(store, workspace, run_id, mode, workdir=str(workdir))
    return run


def start_job(store: Store, workspace: WorkspaceKey, run_id: str, environments: str, *, workdir: str | None = None,
              config: dict | None = None, module: str = SUPERVISOR) -> None:
    """Start the detached process that carries the run (``module``), with its `JobSettings`, and
    record it with the run."""
    safe_name(run_id, "run id")   # it names the run's folder under the home
    folder = run_folder(store.home, workspace, run_id)
    folder.mkdir(parents=True)
    env = dict(os.environ)
    env[job_contract.SETTINGS] = job_contract.JobSettings(str(store.home), str(workspace), run_id, environments,
                                                          workdir=workdir, config=config).to_env()
    package_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    try:
        pid, create_time, started = processes.spawn([sys.executable, "-m", module], env=env, cwd=folder,
                                                    log_path=folder / "supervisor.log")
    except (OSError, subprocess.SubprocessError) as error:
        runs.set_status(store, workspace, run_id, "Failed",
                        runs.run_error("ServiceError", "The job could not be started: {}".format(error)))
        raise
    runs.save_process(store, workspace, run_id, processes.ProcessRecord(
        pid=pid, create_time=create_time, started=started, dir=str(folder),
        log=str(folder / "supervisor.log")).to_json())


def cancel(store: Store, workspace: WorkspaceKey, run_id: str) -> dict:
    """Ask the job to stop; its supervisor ends the process and marks the run Canceled."""
    return runs.set_status(store, workspace, run_id, "CancelRequested")
