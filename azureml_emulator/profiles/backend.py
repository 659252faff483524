"""Model profiles (`Model.profile`): a profile is recorded, then its profiler (a detached
process, `execution.profiler`) deploys the models in their Environment as a temporary service,
sends it each row of the input dataset and records the latency, CPU and memory it measured,
in the fields the SDK's ModelProfile reads. The SDK polls the profile's operation, which says
Running until the profiler has finished."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from azureml_emulator import processes
from azureml_emulator.datasets import backend as datasets
from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.models import backend as models
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store
from azureml_emulator.timestamps import utc_now_iso
from azureml_emulator.webservices import deployment, repository

PROFILER = "azureml_emulator.execution.profiler"
SETTINGS_ENV = "AZUREML_EMULATOR_PROFILE"
NOT_STARTED, RUNNING, SUCCEEDED, FAILED = "NotStarted", "Running", "Succeeded", "Failed"
UNFINISHED = (NOT_STARTED, RUNNING)
# Azure's limits for the test container (the SDK checks them too, when they are given).
CPU_RANGE, MEMORY_RANGE = (0.1, 3.5), (0.1, 15.0)
POLL_WAIT_SECONDS = 20
# The results, null until measured: every field the SDK's ModelProfile reads.
RESULT_FIELDS = ("maxUtilizedMemoryInGB", "maxUtilizedCpu", "measuredQueriesPerSecond", "totalQueries",
                 "successQueries", "successRate", "averageLatencyInMs", "latencyPercentile50InMs",
                 "latencyPercentile90InMs", "latencyPercentile95InMs", "latencyPercentile99InMs",
                 "latencyPercentile999InMs", "recommendedCpu", "recommendedMemoryInGB", "errorLogsUri", "error")


def _resources(body: dict) -> dict | None:
    resources = body.get("containerResourceRequirements")
    if resources is None:
        return None
    if not isinstance(resources, dict):
        raise BadRequest("containerResourceRequirements must be an object with 'cpu' and 'memoryInGB'")
    checked: dict[str, Any] = {"cpu": None, "memoryInGB": None}
    for key, (low, high) in (("cpu", CPU_RANGE), ("memoryInGB", MEMORY_RANGE)):
        if resources.get(key) is None:
            continue
        value = resources[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise BadRequest("containerResourceRequirements.{} is {!r}: expected a number from {} to {}".format(
                key, value, low, high))
        checked[key] = float(value)
    return checked


def create(store: Store, workspace: WorkspaceKey, body: dict, environments: str) -> str:
    """Record a profile and start its profiler; returns the id of the profiling operation."""
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise BadRequest("A profile needs a 'name'")
    resources = _resources(body)
    request = body.get("environmentImageRequest")
    model_ids = request.get("modelIds", []) if isinstance(request, dict) else None
    if (not isinstance(request, dict) or not isinstance(model_ids, list)
            or not all(isinstance(m, str) for m in model_ids)):
        raise BadRequest("A profile needs an environmentImageRequest whose modelIds is a list of model ids "
                         "('name:version'); got {!r}".format(model_ids))
    dataset_id = body.get("inputDatasetId")
    if not isinstance(dataset_id, str) or datasets.saved(store, workspace, dataset_id) is None:
        raise NotFound("Dataset {!r} (inputDatasetId) not found in this workspace".format(dataset_id),
                       code="DatasetNotFound")
    for model_id in model_ids:
        models.get(store, workspace, model_id)
    profile: dict[str, Any] = {
        "id": uuid.uuid4().hex, "name": name, "description": body.get("description"), "state": NOT_STARTED,
        "inputDatasetId": dataset_id, "containerResourceRequirements": resources,
        "requestedQueriesPerSecond": body.get("requestedQueriesPerSecond"), "createdTime": utc_now_iso(),
        "modelIds": model_ids, "environment": request.get("environment"),
        "environmentImageRequest": request, **{field: None for field in RESULT_FIELDS}}
    folder = store.home / "profiles" / workspace.folder_name / profile["id"]
    folder.mkdir(parents=True)
    with store.transaction() as db:
        db.execute("INSERT INTO profiles (workspace, id, name, created, payload) VALUES (?, ?, ?, ?, ?)",
                   (str(workspace), profile["id"], name, profile["createdTime"], store.dumps(profile)))
    env = dict(os.environ, **{SETTINGS_ENV: json.dumps({"home": str(store.home), "workspace": str(workspace),
                                                        "id": profile["id"], "environments": environments})})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[2]),
                                                      env.get("PYTHONPATH")]))
    try:
        pid, create_time, started = processes.spawn([sys.executable, "-m", PROFILER], env=env, cwd=folder,
                                                    log_path=folder / "profiler.log")
    except (OSError, subprocess.SubprocessError) as error:
        update(store, workspace, profile["id"], state=FAILED, error={
            "message": "The profiler could not be started: {}".format(error)})
    else:
        record = ProcessRecord(pid=pid, create_time=create_time, started=started, dir=str(folder),
                               log=str(folder / "profiler.log"))
        _save_process(store, workspace, profile["id"], "process", record)
    return repository.add_operation(store, workspace, profile["id"], kind="Profile")


def _save_process(store: Store, workspace: WorkspaceKey, profile_id: str, column: str, record: ProcessRecord) -> None:
    """Record the profiler (``process``) or its test service (``service``) as soon as it runs."""
    with store.transaction() as db:
        db.execute("UPDATE profiles SET {}=? WHERE workspace=? AND id=?".format(column),
                   (store.dumps(record.to_json()), str(workspace), profile_id))


def save_service(store: Store, workspace: WorkspaceKey, profile_id: str, record: ProcessRecord) -> None:
    _save_process(store, workspace, profile_id, "service", record)


def _records(store: Store, row: Any) -> tuple[ProcessRecord | None, ProcessRecord | None]:
    return (ProcessRecord.from_json(store.loads(row["process"])),
            ProcessRecord.from_json(store.loads(row["service"])))


def _settle(store: Store, workspace: WorkspaceKey, profile_id: str, row: Any) -> dict:
    """The profile, Failed if its profiler is gone before it finished (and then its test
    service is stopped, which a killed profiler could not do)."""
    profile = store.loads(row["payload"])
    profiler, service = _records(store, row)
    if profile["state"] in UNFINISHED and profiler is not None and not processes.is_alive(profiler):
        with store.transaction() as db:   # unless the profiler finished in the meantime
            stored = store.loads(db.execute("SELECT payload FROM profiles WHERE workspace=? AND id=?",
                                            (str(workspace), profile_id)).fetchone()["payload"])
            if stored["state"] in UNFINISHED:
                stored.update(state=FAILED, error={
                    "message": "The profiler stopped before it finished; its log is {}".format(profiler.log)})
                db.execute("UPDATE profiles SET payload=? WHERE workspace=? AND id=?",
                           (store.dumps(stored), str(workspace), profile_id))
            profile = stored
    if profile["state"] not in UNFINISHED or (profiler is not None and not processes.is_alive(profiler)):
        deployment.remove(service)
    return profile


def get(store: Store, workspace: WorkspaceKey, profile_id: str) -> dict:
    rows = store.query("SELECT payload, process, service FROM profiles WHERE workspace=? AND id=?",
                       (str(workspace), profile_id))
    if not rows:
        raise NotFound("Profile {} not found".format(profile_id))
    return public(_settle(store, workspace, profile_id, rows[0]))


def public(profile: dict) -> dict:
    """The profile as Model Management answers it (without what only the profiler reads)."""
    return {key: value for key, value in profile.items() if key != "environmentImageRequest"}


def by_name(store: Store, workspace: WorkspaceKey, name: str) -> list[dict]:
    """The profiles named ``name``, newest first."""
    rows = store.query("SELECT id FROM profiles WHERE workspace=? AND name=? ORDER BY created DESC, rowid DESC",
                       (str(workspace), name))
    return [get(store, workspace, row["id"]) for row in rows]


def load(store: Store, workspace: WorkspaceKey, profile_id: str) -> dict:
    """The whole stored profile (the profiler's view)."""
    rows = store.query("SELECT payload FROM profiles WHERE workspace=? AND id=?", (str(workspace), profile_id))
    if not rows:
        raise NotFound("Profile {} not found".format(profile_id))
    return store.loads(rows[0]["payload"])


def update(store: Store, workspace: WorkspaceKey, profile_id: str, **changes: Any) -> dict:
    with store.transaction() as db:
        row = db.execute("SELECT payload FROM profiles WHERE workspace=? AND id=?",
                         (str(workspace), profile_id)).fetchone()
        profile = dict(store.loads(row["payload"]), **changes)
        db.execute("UPDATE profiles SET payload=? WHERE workspace=? AND id=?",
                   (store.dumps(profile), str(workspace), profile_id))
    return profile


def operation(store: Store, workspace: WorkspaceKey, operation_id: str, profile_id: str,
              wait_seconds: float = POLL_WAIT_SECONDS) -> dict:
    """The profiling operation as the SDK polls it (it needs ``parentRequestId``), waiting up to
    ``wait_seconds`` for the profile to finish (the SDK sleeps 5 s between polls)."""
    deadline = time.monotonic() + wait_seconds
    profile = get(store, workspace, profile_id)
    while profile["state"] in UNFINISHED and time.monotonic() < deadline:
        time.sleep(0.2)
        profile = get(store, workspace, profile_id)
    state = {NOT_STARTED: "Running", RUNNING: "Running"}.get(profile["state"], profile["state"])
    result: dict[str, Any] = {"id": operation_id, "operationType": "Profile", "state": state,
                              "parentRequestId": operation_id, "resourceLocation": "/profiles/" + profile_id}
    if state == FAILED:
        result["error"] = dict(profile.get("error") or {}, statusCode=400)
    return result


def stop_unfinished(store: Store, created_since: float | None = None) -> int:
    """Stop every unfinished profile's profiler (created at or after ``created_since``, a POSIX
    time, when given) and its test service (reset, a test session's end); returns how many
    profilers were running."""
    stopped = 0
    for row in store.query("SELECT workspace, id, payload, process, service FROM profiles"):
        profiler, service = _records(store, row)
        if store.loads(row["payload"])["state"] not in UNFINISHED or profiler is None or (
                created_since is not None and profiler.create_time < created_since):
            continue
        if processes.is_alive(profiler):
            processes.stop(profiler)
            stopped += 1
        _settle(store, WorkspaceKey.parse(row["workspace"]), row["id"], row)
        deployment.remove(service)
    return stopped
