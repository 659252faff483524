"""Creating and cancelling a sweep: the parent run, with its configuration in the tags the
SDK's HyperDriveRun reads back, and the supervisor that runs it (`execution.sweep_supervisor`)."""
from __future__ import annotations

import json
import uuid
from typing import Any

from azureml_emulator.compute import backend as compute
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.jobs import backend as jobs
from azureml_emulator.runs import backend as runs
from azureml_emulator.snapshots import backend as snapshots
from azureml_emulator.store import Store
from azureml_emulator.sweeps import sampling
from azureml_emulator.timestamps import utc_now_iso

SUPERVISOR = "azureml_emulator.execution.sweep_supervisor"
SYSTEM_TAG = "_aml_system_"
POLICIES = ("Default", "Bandit", "MedianStopping", "TruncationSelection")
CONFIG_TAGS = ("generator_config", "primary_metric_config", "policy_config", "platform_config", "max_total_jobs",
               "max_concurrent_jobs", "max_duration_minutes")


def _whole(config: dict, key: str, minimum: int) -> int:
    try:
        value = int(config.get(key))   # type: ignore[arg-type]  # a missing value's TypeError is caught
    except (TypeError, ValueError):
        raise BadRequest("{} is {!r}: expected a whole number".format(key, config.get(key))) from None
    if value < minimum:
        raise BadRequest("{} is {}: expected at least {}".format(key, value, minimum))
    return value


def check(store: Store, workspace: WorkspaceKey, config: dict) -> dict:
    """The sweep's definition, checked: its child run's definition, sampling, metric and policy."""
    definition = (config.get("platform_config") or {}).get("Definition") or {}
    overrides = definition.get("Overrides")
    if not isinstance(overrides, dict) or not overrides.get("script"):
        raise BadRequest("platform_config.Definition.Overrides has no script: expected the child run's definition")
    if not overrides.get("target") or overrides["target"] == "local":
        raise BadRequest("HyperDrive runs its children on a compute cluster; the run configuration's target is {!r}"
                         .format(overrides.get("target")))
    compute.require_cluster(store, workspace, overrides["target"])
    if snapshots.get(store, workspace, definition.get("SnapshotId") or "") is None:
        raise BadRequest("Snapshot {!r} does not exist in this workspace".format(definition.get("SnapshotId")))
    next(iter(sampling.parameter_sets(config.get("generator_config") or {}, 1)), None)   # a bad space fails now
    metric = config.get("primary_metric_config") or {}
    if not metric.get("name") or str(metric.get("goal")).lower() not in ("maximize", "minimize"):
        raise BadRequest("primary_metric_config needs a name and a goal of maximize or minimize")
    policy = (config.get("policy_config") or {}).get("name") or "Default"
    if policy not in POLICIES:
        raise BadRequest("Unknown early termination policy {!r}: expected one of {}".format(policy, POLICIES))
    _whole(config, "max_total_jobs", 1)
    _whole(config, "max_concurrent_jobs", 1)
    return definition


def create(store: Store, workspace: WorkspaceKey, experiment: str, config: dict, mode: str,
           run_id: str | None = None, fields: dict | None = None) -> dict:
    """Record the sweep's parent run and start its supervisor; returns the ExperimentDto Azure answers.
    ``fields``: more of the run's fields (a HyperDriveStep's: its pipeline run as parent, its tags and
    properties, merged with the sweep's)."""
    check(store, workspace, config)
    run_id = safe_name(run_id or "HD_" + str(uuid.uuid4()), "run id")
    fields = dict(fields or {})
    tags = {SYSTEM_TAG + key: json.dumps(config.get(key)) if isinstance(config.get(key), (dict, list))
            else str(config.get(key)) for key in CONFIG_TAGS}
    tags.update(fields.pop("tags", None) or {})
    properties = {"primary_metric_config": json.dumps(config.get("primary_metric_config")),
                  "resume_from": "null", "runTemplate": "HyperDrive", "azureml.runsource": "hyperdrive",
                  "platform": "AML", "ContentSnapshotId": config["platform_config"]["Definition"]["SnapshotId"],
                  "user_agent": "python/emulated"}
    properties.update(fields.pop("properties", None) or {})
    runs.create_run(store, workspace, experiment, run_id, dict(fields, runType="hyperdrive", tags=tags,
                                                               properties=properties))
    runs.set_status(store, workspace, run_id, "Running")
    jobs.start_job(store, workspace, run_id, mode, config=config, module=SUPERVISOR)
    now = utc_now_iso()
    platform_config = dict(config["platform_config"], ParentRunId=run_id)
    dto: dict[str, Any] = {key: config.get(key) for key in ("generator_config", "policy_config", "primary_metric_config",
                                                             "max_total_jobs", "max_concurrent_jobs",
                                                             "max_duration_minutes", "description", "platform")}
    dto.update(name=experiment, platform_config=platform_config, all_jobs_generated=False,
               cancellation_requested=False, created=now, modified=now, created_by_user_id=0,
               experiment_id=run_id, status="Running", hyperdrive_run_id=run_id, platform=config.get("platform") or "AML")
    return dto


def cancel(store: Store, workspace: WorkspaceKey, run_id: str) -> None:
    """Ask the sweep to stop; its supervisor cancels the children and ends the parent Canceled."""
    run = runs.require(store, workspace, run_id)
    if run.get("runType") != "hyperdrive":
        raise BadRequest("Run {} is not a HyperDrive run".format(run_id))
    runs.set_status(store, workspace, run_id, "CancelRequested")
