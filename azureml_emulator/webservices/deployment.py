"""Lay out a deployment on disk and start the real Azure ML inference server on it.

Folder of one deployment (under <home>/services/<workspace>/<service>/<id>/):
    app/                                        snapshot of the entry script / source dir
    app/azureml-models/<model name>/<version>/  the registered files, where Azure puts them
    service.log                                 everything the server prints
"""
from __future__ import annotations

import json
import math
import os
import shutil
import socket
import sys
import tarfile
import uuid
from pathlib import Path
from typing import Any

from azureml_emulator import paths, processes
from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.environments import builder
from azureml_emulator.errors import BuildError, DeploymentError
from azureml_emulator.execution import isolation, service_contract
from azureml_emulator.ids import ArtifactId, WorkspaceKey
from azureml_emulator.models import backend as models
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store
from azureml_emulator.webservices import nocode

ARTIFACT_URL_PREFIX = "aml://artifact/"


def port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:``port`` now."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def credentials(service: dict) -> list[str]:
    """What the server accepts after "Bearer": the service's keys, and an AKS service's access token."""
    return (service.get("keys") or []) + ([service["emulatorToken"]] if service.get("emulatorToken") else [])


def _refused(path: str, why: paths.Why) -> DeploymentError:
    return DeploymentError("model or source file {!r} {}".format(path, why.value))


def _layout_models(store: Store, workspace: WorkspaceKey, model_ids: list[str],
                   models_root: Path) -> tuple[list[dict], Path]:
    """Copy each model's files to ``azureml-models/<name>/<version>/``; returns the models
    and the model folder (the version folder for one model, else ``azureml-models``)."""
    laid_out, target = [], models_root
    for model_id in model_ids:
        model = models.find(store, workspace, model_id)
        if model is None:
            raise DeploymentError("ModelNotFound: model {} is not registered in this workspace".format(model_id))
        target = models_root / model.name / str(model.version)
        for prefix in models.asset_prefixes(store, workspace, model.payload["url"]):
            strip = os.path.dirname(prefix.path)
            for artifact in artifacts.files_under(store.home, prefix):
                destination = paths.inside(target, os.path.relpath(artifact.path, strip or "."), _refused)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(artifacts.artifact_file(store.home, artifact), destination)
        laid_out.append(model.payload)
    return laid_out, (target if len(laid_out) == 1 else models_root)


def _snapshot_source(store: Store, image_request: dict, app_dir: Path) -> None:
    """Unpack the entry script or source-directory asset that the SDK uploaded at deploy time."""
    app_dir.mkdir(parents=True)
    driver = image_request.get("driverProgram")
    for asset in image_request.get("assets", []):
        if asset.get("id") == driver:
            continue   # the SDK's legacy wrapper script; the inference server runs the entry script itself
        url = asset.get("url", "")
        if not url.startswith(ARTIFACT_URL_PREFIX):
            raise DeploymentError("asset {!r} has no artifact URL ({}...)".format(asset.get("id"), ARTIFACT_URL_PREFIX))
        source = artifacts.artifact_file(store.home, ArtifactId.parse(url[len(ARTIFACT_URL_PREFIX):]))
        if asset.get("unpack"):
            with tarfile.open(source) as archive:
                archive.extractall(app_dir, filter="data")
        else:
            shutil.copyfile(source, paths.inside(app_dir, os.path.basename(str(asset["id"])), _refused))


def _cpu_set(cpu_cores: Any) -> list[int]:
    available = sorted(os.sched_getaffinity(0))
    wanted = max(1, math.ceil(float(cpu_cores or 1)))
    return available[:min(wanted, len(available))]


def new_folder(store: Store, workspace: WorkspaceKey, name: str) -> Path:
    """A fresh folder for one deployment of service ``name``."""
    folder = store.home / "services" / workspace.folder_name / name / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True)
    return folder


def _prepare_environment(service: dict, folder: Path, environments: str) -> builder.Build:
    """Build (or reuse) the deployment's Environment; its build log goes to the service log when it fails."""
    spec = builder.spec_for(service["environmentImageRequest"].get("environment") or {}, environments)
    try:
        build = builder.prepare(spec, environments)
    except BuildError as error:
        (folder / "service.log").write_text(error.report())
        raise
    service["emulatorProgress"] = list(spec.notes) + list(build.lines)
    return build


def start(store: Store, workspace: WorkspaceKey, service: dict, folder: Path, port: int | None = None,
          environments: str = builder.BUILD) -> ProcessRecord:
    """Lay out the deployment in ``folder`` and start its server in the Environment's build.
    Sets ``service["models"]``. Raises DeploymentError or BuildError."""
    request = service["environmentImageRequest"]
    app_dir = folder / "app"
    _snapshot_source(store, request, app_dir)
    # As in Azure's container (/var/azureml-app/azureml-models/<name>/<version>): under the app
    # root, where Model.get_model_path(name) looks for a deployment's models.
    models_laid_out, model_dir = _layout_models(store, workspace, request.get("modelIds", []),
                                                app_dir / "azureml-models")
    service["models"] = models_laid_out
    if nocode.is_no_code(request):
        nocode.prepare(request, models_laid_out, app_dir)
    build = _prepare_environment(service, folder, environments)

    env_vars = dict((request.get("environment") or {}).get("environmentVariables") or {})
    entry_script = env_vars.get(service_contract.ENTRY_SCRIPT, "score.py")
    resources = service.get("containerResourceRequirements") or {}
    spec = service_contract.ServiceSpec(
        port=port or free_loopback_port(),
        memory_bytes=int(float(resources.get("memoryInGB") or 0) * 1024 ** 3) or None,
        cpus=_cpu_set(resources.get("cpu")))
    log_path, exit_code_file = folder / "service.log", folder / "exit_code"
    env = isolation.process_environment(build, folder, service_contract.ENTRY_MODULES)
    env.update({k: str(v) for k, v in env_vars.items()})
    if service.get("scoringTimeoutMs"):   # AKS's own cut-off for a scoring request
        env[service_contract.SCORING_TIMEOUT] = str(float(service["scoringTimeoutMs"]) / 1000)
    env.update({
        service_contract.MODEL_DIR: str(model_dir.resolve()),
        service_contract.ENTRY_SCRIPT: str((app_dir / entry_script).resolve()),
        service_contract.APP_ROOT: str(app_dir.resolve()),
        service_contract.SERVICE_NAME: service["name"],
        service_contract.WORKSPACE_NAME: workspace.name,
        # Keys, and an AKS service's access token, are what the server accepts after "Bearer".
        service_contract.SERVICE_KEYS: service_contract.encode_keys(credentials(service)),
        service_contract.SERVICE_SPEC: spec.to_env(),
        service_contract.EXIT_CODE_FILE: str(exit_code_file),
        service_contract.STATUS_FILE: str(folder / "status.json"),
    })
    # AZUREML_SOURCE_DIRECTORY stays as the SDK set it: the server puts <app root>/<it> on sys.path.
    # The supervisor (the "container") runs in the emulator's Python; the server in the build's.
    pid, create_time, started = processes.spawn(
        [sys.executable, "-m", service_contract.SUPERVISOR, build.python, "-m", service_contract.SERVICE_PROCESS],
        env=env, cwd=app_dir,
        log_path=log_path)
    return ProcessRecord(pid=pid, create_time=create_time, started=started, port=spec.port, dir=str(folder),
                         log=str(log_path), exit_code_file=str(exit_code_file))


def is_ready(service: dict, process: ProcessRecord) -> bool:
    """The server answers its liveness route (init() has finished) and its container says it
    is running (within its memory)."""
    return (process.port is not None and service_contract.answers_liveness(process.port, credentials(service))
            and container_status(process).get("ready") is True)


def container_status(process: ProcessRecord | None) -> dict:
    """What the supervisor recorded: restarts, OOM kills, CrashLoopBackOff and why."""
    if process is None or process.dir is None:
        return {}
    try:
        status = json.loads((Path(process.dir) / "status.json").read_text())
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}


def log_tail(process: ProcessRecord | None, lines: int = 40) -> str:
    if process is None or process.log is None:
        return ""
    try:
        text = Path(process.log).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def remove(process: ProcessRecord | None) -> None:
    """Stop the server and delete the deployment folder."""
    processes.stop(process)
    if process is not None and process.dir:
        shutil.rmtree(process.dir, ignore_errors=True)
