"""MLflow's experiments and runs as Azure ML's: an MLflow experiment id is the experiment's
id, an MLflow run id is the run's id, metrics are the run's metrics, parameters are kept on the
run (``mlflowParams``) and MLflow tags are the run's tags.
"""
from __future__ import annotations

import time
import uuid
from typing import Any

from azureml_emulator.addresses import EMULATOR_HOST
from azureml_emulator.errors import EmulatorError
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.metrics import backend as metrics
from azureml_emulator.runs import backend as runs
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso, posix

# MLflow's run states and Azure ML's.
TO_AZURE = {"RUNNING": "Running", "SCHEDULED": "NotStarted", "FINISHED": "Completed", "FAILED": "Failed",
            "KILLED": "Canceled"}
TO_MLFLOW = {"NotStarted": "SCHEDULED", "Queued": "SCHEDULED", "Preparing": "SCHEDULED", "Starting": "SCHEDULED",
             "Running": "RUNNING", "Finalizing": "RUNNING", "CancelRequested": "RUNNING", "Completed": "FINISHED",
             "Failed": "FAILED", "Canceled": "KILLED"}


class MlflowError(EmulatorError):
    """An MLflow REST error: ``{"error_code": ..., "message": ...}`` with the HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


def _not_found(what: str) -> MlflowError:
    return MlflowError(404, "RESOURCE_DOES_NOT_EXIST", "{} does not exist.".format(what))


def _millis(timestamp: str | None) -> int | None:
    return int(posix(timestamp) * 1000) if timestamp else None


def tracking_uri(workspace: WorkspaceKey) -> str:
    """The workspace's MLflow tracking URI (azureml-mlflow's scheme, MLflow 3's v2.0 API)."""
    return "azureml://{}/mlflow/v2.0{}".format(EMULATOR_HOST, workspace.scope)


def experiment_dto(experiment: dict) -> dict:
    return {"experiment_id": experiment["experimentId"], "name": experiment["name"], "lifecycle_stage": "active",
            "artifact_location": "", "tags": [{"key": k, "value": v} for k, v in (experiment.get("tags") or {}).items()]}


def experiment(store: Store, workspace: WorkspaceKey, experiment_id: str | None = None,
               name: str | None = None) -> dict:
    found = (runs.experiment_by_id(store, workspace, experiment_id) if experiment_id
             else runs.get_experiment(store, workspace, name or ""))
    if found is None:
        raise _not_found("Experiment '{}'".format(experiment_id or name))
    return found


def create_experiment(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    if runs.get_experiment(store, workspace, name) is not None:
        raise MlflowError(400, "RESOURCE_ALREADY_EXISTS", "Experiment '{}' already exists.".format(name))
    return runs.create_experiment(store, workspace, name)


def run_dto(store: Store, workspace: WorkspaceKey, run: dict) -> dict:
    params = run.get("mlflowParams") or {}
    latest: dict[str, Any] = {}
    for entry in metrics.names(store, workspace, run["runId"]):
        name = entry["metricKey"]["name"]
        full = metrics.full(store, workspace, run["runId"], name) or {"value": []}
        for row in full["value"]:
            value = row.get("data", {}).get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                latest[name] = {"key": name, "value": value, "step": row.get("step") or 0,
                                "timestamp": _millis(row.get("createdUtc")) or 0}
    info = {"run_id": run["runId"], "run_uuid": run["runId"], "run_name": run.get("displayName") or run["runId"],
            "experiment_id": run["experimentId"], "user_id": (run.get("createdBy") or {}).get("userName", ""),
            "status": TO_MLFLOW.get(run["status"], "RUNNING"), "start_time": _millis(run.get("startTimeUtc")),
            "end_time": _millis(run.get("endTimeUtc")), "lifecycle_stage": "active",
            "artifact_uri": "{}/experiments/{}/runs/{}/artifacts".format(
                tracking_uri(workspace), run["experimentName"], run["runId"])}
    return {"info": info, "data": {"metrics": list(latest.values()),
                                   "params": [{"key": k, "value": v} for k, v in params.items()],
                                   "tags": [{"key": k, "value": v} for k, v in (run.get("tags") or {}).items()]},
            "inputs": {}}


def require_run(store: Store, workspace: WorkspaceKey, run_id: str) -> dict:
    run = runs.get(store, workspace, run_id or "")
    if run is None:
        raise _not_found("Run '{}'".format(run_id))
    return run


def create_run(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    exp = experiment(store, workspace, experiment_id=str(body.get("experiment_id") or ""))
    tags = {t["key"]: t["value"] for t in body.get("tags") or [] if isinstance(t, dict) and "key" in t}
    run_id = str(uuid.uuid4())
    name = body.get("run_name") or tags.get("mlflow.runName")
    runs.create_run(store, workspace, exp["name"], run_id, {"tags": tags, "displayName": name or run_id,
                                                            "properties": {"azureml.runsource": "mlflow"}})
    runs.set_status(store, workspace, run_id, "Running")
    return runs.require(store, workspace, run_id)


def update_run(store: Store, workspace: WorkspaceKey, body: dict) -> dict:
    run = require_run(store, workspace, str(body.get("run_id") or body.get("run_uuid") or ""))
    if body.get("run_name"):
        runs.update(store, workspace, run["runId"], lambda r: r.update(displayName=body["run_name"]))
    status = TO_AZURE.get(str(body.get("status") or ""))
    # A submitted script run's status is its job's: MLflow's end_run() inside the job does not end it.
    if status and run.get("runType") != "azureml.scriptrun":
        runs.set_status(store, workspace, run["runId"], status)
    return runs.require(store, workspace, run["runId"])


def _number(value: Any, what: str, kind: type = float) -> Any:
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "{} is {!r}: expected a number".format(what, value)) from None


def _pairs(entries: Any, what: str) -> dict[str, str]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "key" in e and e.get("value") is not None
                                                for e in entries):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Each {} needs a key and a value".format(what))
    return {str(e["key"]): str(e["value"]) for e in entries}


def log_batch(store: Store, workspace: WorkspaceKey, run_id: str, metric_list: list, params: list, tags: list) -> None:
    """Metrics, parameters and tags of one run, all or none; a parameter, once set, cannot
    change (MLflow's rule, checked in the same transaction that writes it)."""
    require_run(store, workspace, run_id)
    new_params, new_tags = _pairs(params, "param"), _pairs(tags, "tag")
    if not isinstance(metric_list, list):
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "metrics must be a list")
    batch = []
    for metric in metric_list:
        if not isinstance(metric, dict) or "key" not in metric:
            raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Each metric needs a key and a value; got {!r}"
                              .format(metric))
        value = _number(metric.get("value"), "metric {} value".format(metric["key"]))
        timestamp = _number(metric.get("timestamp") or time.time() * 1000, "timestamp")
        step = _number(metric.get("step") or 0, "step", int)
        batch.append({"name": metric["key"], "columns": {metric["key"]: "double"},
                      "properties": {"uxMetricType": "azureml.v1.scalar"},
                      "value": [{"data": {metric["key"]: value}, "step": step, "createdUtc": iso(timestamp / 1000),
                                 "metricId": str(uuid.uuid4())}]})

    def change(stored: dict) -> None:
        for key, value in new_params.items():
            old = (stored.get("mlflowParams") or {}).get(key)
            if old is not None and old != value:
                raise MlflowError(400, "INVALID_PARAMETER_VALUE", "Changing param values is not allowed. Param with "
                                  "key='{}' was already logged with value='{}' for run ID='{}'. Attempted logging new "
                                  "value '{}'.".format(key, old, run_id, value))
        stored.setdefault("mlflowParams", {}).update(new_params)
        stored["tags"].update(new_tags)
    if new_params or new_tags:
        runs.update(store, workspace, run_id, change)
    if batch:
        metrics.add(store, workspace, run_id, batch)


def metric_history(store: Store, workspace: WorkspaceKey, run_id: str, key: str) -> list[dict]:
    require_run(store, workspace, run_id)
    full = metrics.full(store, workspace, run_id, key) or {"value": []}
    return [{"key": key, "value": row["data"][key], "step": row.get("step") or 0,
             "timestamp": _millis(row.get("createdUtc")) or 0} for row in full["value"] if key in row.get("data", {})]
