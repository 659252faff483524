"""Lay out a deployment on disk and run it in the real Azure ML inference server.

Folder of one deployment (under <home>/services/<workspace>/<service>/<id>/):
    azureml-models/<model name>/<version>/...   the registered files, as in Azure
    app/                                        snapshot of the entry script / source dir
    service.log                                 everything the server prints
"""
import json
import math
import os
import shutil
import socket
import sys
import tarfile
import urllib.request
import uuid
from pathlib import Path

from azureml_emulator.execution import processes
from azureml_emulator.artifacts.api import artifact_file, files_under_prefix
from azureml_emulator.models.api import asset_prefixes, find_model
from azureml_emulator.runtime.context import current


class DeploymentError(Exception):
    """The deployment cannot start; the message says why."""


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _layout_models(ws, model_ids, models_root: Path):
    models = []
    for model_id in model_ids:
        model = find_model(ws, model_id)
        if model is None:
            raise DeploymentError("ModelNotFound: model {} is not registered in this workspace".format(model_id))
        target = models_root / model["name"] / str(model["version"])
        for prefix in asset_prefixes(ws, model["url"]):
            origin, container, path = prefix.split("/", 2)
            strip = os.path.dirname(path)
            for relative, _url in files_under_prefix(prefix):
                destination = target / os.path.relpath(relative, strip or ".")
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(artifact_file("{}/{}/{}".format(origin, container, relative)), destination)
        models.append(model)
    if len(models) == 1:   # one model: its version folder; several: the azureml-models folder
        return models, target
    return models, models_root


def _snapshot_source(image_request, app_dir: Path):
    """Unpack the entry script or source-directory asset that the SDK uploaded at deploy time."""
    app_dir.mkdir(parents=True)
    driver = image_request.get("driverProgram")
    for asset in image_request.get("assets", []):
        if asset.get("id") == driver:
            continue   # the SDK's legacy wrapper script; the inference server runs the entry script itself
        source = artifact_file(asset["url"][len("aml://artifact/"):])
        if asset.get("unpack"):
            with tarfile.open(source) as archive:
                archive.extractall(app_dir, filter="data")
        else:
            shutil.copyfile(source, app_dir / os.path.basename(asset["id"]))


def _cpu_set(cpu_cores):
    available = sorted(os.sched_getaffinity(0))
    wanted = max(1, math.ceil(float(cpu_cores or 1)))
    return available[:min(wanted, len(available))]


def start(ws: str, service: dict, port=None) -> dict:
    """Create the deployment folder and start its server; returns the process record."""
    request = service["environmentImageRequest"]
    deploy_dir = current().services_dir / ws.replace("/", "_") / service["name"] / uuid.uuid4().hex[:8]
    models, model_dir = _layout_models(ws, request.get("modelIds", []), deploy_dir / "azureml-models")
    service["models"] = models
    app_dir = deploy_dir / "app"
    _snapshot_source(request, app_dir)

    environment = (request.get("environment") or {})
    env_vars = dict(environment.get("environmentVariables") or {})
    entry_script = env_vars.get("AZUREML_ENTRY_SCRIPT", "score.py")
    resources = service.get("containerResourceRequirements") or {}
    port = port or free_loopback_port()
    spec = {
        "port": port,
        "memory_bytes": int(float(resources.get("memoryInGB") or 0) * 1024 ** 3) or None,
        "cpus": _cpu_set(resources.get("cpu")),
    }
    env = dict(os.environ)
    env.update({k: str(v) for k, v in env_vars.items()})
    env.update({
        "AZUREML_MODEL_DIR": str(model_dir.resolve()),
        "AZUREML_ENTRY_SCRIPT": str((app_dir / entry_script).resolve()),
        "AML_APP_ROOT": str(app_dir.resolve()),
        "SERVICE_NAME": service["name"],
        "WORKSPACE_NAME": ws.split("/")[-1],
        "AZUREML_EMULATOR_SERVICE_KEYS": ",".join(service.get("keys") or []),
        "AZUREML_EMULATOR_SERVICE_SPEC": json.dumps(spec),
    })
    # The server process must import this package even when it is not installed (a source checkout).
    package_parent = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    env.pop("AZUREML_SOURCE_DIRECTORY", None)   # already part of AZUREML_ENTRY_SCRIPT above
    log_path, exit_code_file = deploy_dir / "service.log", deploy_dir / "exit_code"
    env["AZUREML_EMULATOR_EXIT_CODE_FILE"] = str(exit_code_file)
    proc = processes.spawn([sys.executable, "-m", "azureml_emulator.execution.service_process"],
                           env=env, cwd=str(app_dir), log_path=log_path)
    proc.update(port=port, dir=str(deploy_dir), log=str(log_path), exit_code_file=str(exit_code_file))
    return proc


def is_ready(service: dict, proc: dict) -> bool:
    """The server answers its liveness route, i.e. init() has finished."""
    request = urllib.request.Request("http://127.0.0.1:{}/".format(proc["port"]))
    keys = service.get("keys") or []
    if keys:
        request.add_header("Authorization", "Bearer " + keys[0])
    try:
        with urllib.request.urlopen(request, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def log_tail(proc: dict, lines=40) -> str:
    try:
        text = Path(proc["log"]).read_text(errors="replace")
    except (OSError, KeyError, TypeError):
        return ""
    return "\n".join(text.splitlines()[-lines:])


def remove(proc: dict):
    """Stop the server and delete the deployment folder."""
    processes.stop(proc)
    if proc and proc.get("dir"):
        shutil.rmtree(proc["dir"], ignore_errors=True)
