"""Pipeline schedules (`Schedule.create`, ``Schedules/...`` and ``PipelineRuns/Schedule/...``): a
published pipeline or pipeline endpoint submitted on a recurrence, or when blobs are added or
changed under a path of a blob datastore; their runs; and what the scheduler process
(`execution.scheduler`) does on each of its ticks (`tick`).

A schedule is Active or Disabled (its ``EntityStatus``); only an Active one fires. It keeps, in
``_`` keys the service does not show, what the scheduler needs: when it fires next (``_next``,
on the scheduler's clock) and from when its recurrence counts without a start time
(``_anchor``); for a datastore schedule, when it polls next (``_next_poll``) and the time up to
which it has seen the datastore's changes (``_checked``, the machine's clock, as blobs' times are).
"""
from __future__ import annotations

import time
from typing import Callable

from azureml_emulator.azure_storage import backend as blobs
from azureml_emulator.datastores import backend as datastores
from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey, safe_name
from azureml_emulator.pipelines import backend, data_paths, endpoints, entities, published, recurrence
from azureml_emulator.pipelines.entities import PIPELINE_RUN, SCHEDULE
from azureml_emulator.store import Store

TYPES = ("Recurrence", "DataStore")          # ScheduleType, by its enum code "0" and "1"
STATUSES = ("Active", "Deprecated", "Disabled")  # EntityStatus, by its enum code "0", "1" and "2"
DEFAULT_POLLING_MINUTES = 5
RUN_SOURCE, RUN_TYPE = "Unavailable", "Schedule"


def _submission(store: Store, workspace: WorkspaceKey, info: object, pipeline_id: str) -> dict:
    """The PipelineSubmissionInfo a schedule submits with: the experiment must be a valid name and
    the parameters the published pipeline's own."""
    if not isinstance(info, dict):
        raise BadRequest("PipelineSubmissionInfo is missing: a schedule needs the experiment to submit its runs in")
    safe_name(info.get("ExperimentName") or "", "ExperimentName")
    for key in ("ParameterAssignments", "DataPathAssignments", "DataSetDefinitionValueAssignments"):
        if not isinstance(info.get(key) or {}, dict):
            raise BadRequest("PipelineSubmissionInfo.{} is {!r}: expected an object of names and values".format(
                key, info[key]))
    graph = _graph(store, workspace, pipeline_id)
    backend.parameter_values(graph, info.get("ParameterAssignments"))
    data_paths.values(graph, info.get("DataPathAssignments"))
    return dict(info)


def _graph(store: Store, workspace: WorkspaceKey, pipeline_id: str) -> dict:
    return backend.get_graph(store, workspace, published.get(store, workspace, pipeline_id)["GraphId"])


def _target_pipeline(store: Store, workspace: WorkspaceKey, schedule: dict) -> str:
    """The published pipeline a run of the schedule runs now (an endpoint's default version)."""
    if schedule.get("PipelineEndpointId"):
        return endpoints.pipeline_of(endpoints.get(store, workspace, schedule["PipelineEndpointId"]), None)
    return str(schedule["PipelineId"])


def _trigger(store: Store, workspace: WorkspaceKey, info: object) -> dict:
    if not isinstance(info, dict) or not info.get("DataStoreName"):
        raise BadRequest("A DataStore schedule needs DataStoreTriggerInfo with the DataStoreName to watch")
    datastore = datastores.get(store, workspace, str(info["DataStoreName"]))
    if datastore["dataStoreType"] != datastores.BLOB:
        raise BadRequest("Datastore {} is of type {}: a schedule watches an Azure Blob datastore".format(
            info["DataStoreName"], datastore["dataStoreType"]))
    interval = info.get("PollingInterval")
    interval = DEFAULT_POLLING_MINUTES if interval is None else interval
    if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
        raise BadRequest("PollingInterval {!r} must be a whole number of minutes, at least 1".format(interval))
    path = str(info.get("PathOnDataStore") or "").strip("/")
    return {"DataStoreName": datastore["name"], "PollingInterval": interval,
            "DataPathParameterName": info.get("DataPathParameterName"), "PathOnDataStore": path or None}


def create(store: Store, workspace: WorkspaceKey, info: dict, environments: str) -> dict:
    """A schedule from the SDK's ScheduleCreationInfo, Active at once (``environments``: how the runs
    it submits get their environments, that of the emulator that created it)."""
    if not info.get("Name"):
        raise BadRequest("ScheduleCreationInfo.Name is missing: a schedule needs a name")
    if bool(info.get("PipelineId")) == bool(info.get("PipelineEndpointId")):
        raise BadRequest("A schedule submits either a published pipeline (PipelineId) or a pipeline endpoint "
                         "(PipelineEndpointId): give one of them")
    schedule_id = entities.new_id()
    schedule: dict = {"Name": info["Name"], "PipelineId": info.get("PipelineId"),
                      "PipelineEndpointId": info.get("PipelineEndpointId"), "ProvisioningStatus": "Completed",
                      "Recurrence": None, "DataStoreTriggerInfo": None, "EntityStatus": "Active",
                      "_environments": environments}
    target = _target_pipeline(store, workspace, schedule)
    schedule["PipelineSubmissionInfo"] = dict(_submission(store, workspace, info.get("PipelineSubmissionInfo"),
                                                          target), ScheduleId=schedule_id)
    kind = recurrence.named(info.get("ScheduleType") or ("0" if info.get("Recurrence") else "1"), TYPES, "ScheduleType")
    schedule["ScheduleType"] = kind
    if kind == "Recurrence":
        schedule["Recurrence"] = recurrence.checked(info.get("Recurrence"))
    else:
        schedule["DataStoreTriggerInfo"] = _trigger(store, workspace, info.get("DataStoreTriggerInfo"))
        parameter = schedule["DataStoreTriggerInfo"]["DataPathParameterName"]
        if parameter:
            data_paths.require(_graph(store, workspace, target), parameter)
        schedule["_checked"] = time.time()
    return entities.save(store, workspace, SCHEDULE, entities.stamped(schedule, schedule_id))


def get(store: Store, workspace: WorkspaceKey, schedule_id: str) -> dict:
    return entities.require(store, workspace, SCHEDULE, schedule_id)


def list_all(store: Store, workspace: WorkspaceKey, active_only: bool) -> list[dict]:
    found = entities.all_of(store, workspace, SCHEDULE)
    return [s for s in found if s["EntityStatus"] == "Active"] if active_only else found


def of_pipeline(store: Store, workspace: WorkspaceKey, pipeline_id: str) -> list[dict]:
    published.get(store, workspace, pipeline_id)
    return [s for s in list_all(store, workspace, False) if s.get("PipelineId") == pipeline_id]


def of_endpoint(store: Store, workspace: WorkspaceKey, endpoint_id: str) -> list[dict]:
    endpoints.get(store, workspace, endpoint_id)
    return [s for s in list_all(store, workspace, False) if s.get("PipelineEndpointId") == endpoint_id]


def update(store: Store, workspace: WorkspaceKey, schedule_id: str, updated: dict) -> dict:
    """The SDK sends the whole schedule back with its changes (name, status, recurrence, datastore,
    parameters). A changed recurrence counts from now; a schedule enabled again fires at its next
    time, and a datastore schedule sees the changes made from then on."""
    existing = get(store, workspace, schedule_id)
    status = recurrence.named(updated.get("EntityStatus") or existing["EntityStatus"], STATUSES, "EntityStatus")
    name = updated.get("Name") or existing["Name"]
    submission = dict(_submission(store, workspace, updated.get("PipelineSubmissionInfo")
                                  or existing["PipelineSubmissionInfo"], _target_pipeline(store, workspace, existing)),
                      ScheduleId=schedule_id)
    new_recurrence = new_trigger = None
    if existing["ScheduleType"] == "Recurrence":
        new_recurrence = recurrence.checked(updated.get("Recurrence") or existing["Recurrence"])
    else:
        new_trigger = _trigger(store, workspace,
                               updated.get("DataStoreTriggerInfo") or existing["DataStoreTriggerInfo"])
        if new_trigger["DataPathParameterName"]:
            data_paths.require(_graph(store, workspace, _target_pipeline(store, workspace, existing)),
                               new_trigger["DataPathParameterName"])
    enabled = status == "Active" and existing["EntityStatus"] != "Active"

    def change(schedule: dict) -> None:
        if new_recurrence != schedule.get("Recurrence"):
            schedule.update(_anchor=None, _next=None)
        if new_trigger != schedule.get("DataStoreTriggerInfo"):
            schedule["_next_poll"] = None
        if enabled:
            schedule.update(_next=None, _next_poll=None, _checked=time.time())
        schedule.update(Name=name, EntityStatus=status, PipelineSubmissionInfo=submission, Recurrence=new_recurrence,
                        DataStoreTriggerInfo=new_trigger)
    return entities.update(store, workspace, SCHEDULE, schedule_id, change)


def runs(store: Store, workspace: WorkspaceKey, schedule_id: str) -> list[dict]:
    """The pipeline runs the schedule submitted, oldest first."""
    get(store, workspace, schedule_id)
    return [backend.get_pipeline_run(store, workspace, run["Id"])
            for run in entities.all_of(store, workspace, PIPELINE_RUN)
            if run.get("ScheduleId") == schedule_id and run.get("IsSubmitted")]


def last_run(store: Store, workspace: WorkspaceKey, schedule_id: str) -> dict | None:
    found = runs(store, workspace, schedule_id)
    return found[-1] if found else None


def everywhere(store: Store) -> list[tuple[WorkspaceKey, dict]]:
    """Every schedule of the home, in every workspace."""
    return entities.everywhere(store, SCHEDULE)


def active(store: Store) -> list[tuple[WorkspaceKey, dict]]:
    """Every Active schedule of the home, in every workspace."""
    return [(w, s) for w, s in entities.everywhere(store, SCHEDULE) if s["EntityStatus"] == "Active"]


# --- what the scheduler does --------------------------------------------------------------

def fire(store: Store, workspace: WorkspaceKey, schedule: dict, blob: str | None = None) -> dict:
    """Submit a run of the schedule's pipeline (an endpoint's default version), as the schedule's; a
    datastore schedule's changed ``blob`` is the value of its DataPath parameter, if it names one."""
    info = dict(schedule["PipelineSubmissionInfo"], ScheduleId=schedule["Id"], RunSource=RUN_SOURCE,
                RunType=RUN_TYPE)
    trigger = schedule.get("DataStoreTriggerInfo") or {}
    if blob is not None and trigger.get("DataPathParameterName"):
        info["DataPathAssignments"] = dict(info.get("DataPathAssignments") or {}, **{
            trigger["DataPathParameterName"]: {"DataStoreName": trigger["DataStoreName"], "RelativePath": blob}})
    mode = schedule.get("_environments") or "build"
    if schedule.get("PipelineEndpointId"):
        return endpoints.submit(store, workspace, schedule["PipelineEndpointId"], info, mode, None)
    return published.submit(store, workspace, schedule["PipelineId"], info, mode)


def _claim(store: Store, workspace: WorkspaceKey, schedule: dict, key: str,
           changes: Callable[[dict], dict]) -> bool:
    """Record the scheduler's next state if the schedule is still Active and nobody moved ``key``
    meanwhile (one transaction): a schedule disabled a moment ago does not fire."""
    claimed = []

    def change(entity: dict) -> None:
        if entity["EntityStatus"] == "Active" and entity.get(key) == schedule.get(key):
            entity.update(changes(entity))
            claimed.append(True)
    entities.update(store, workspace, SCHEDULE, schedule["Id"], change)
    return bool(claimed)


def _tick_recurrence(store: Store, workspace: WorkspaceKey, schedule: dict, now: float) -> list[dict]:
    rule = schedule["Recurrence"]
    anchor = schedule.get("_anchor") or now
    due = schedule.get("_next")
    if due is None:
        start = recurrence.start_of(rule)
        if start is None and not schedule.get("_fired"):
            due = now   # without a start time, the first run is at once (ScheduleRecurrence's start_time)
        elif start is not None and rule.get("Schedule"):
            # a start time that matches the hours and week days is not itself a firing
            due = recurrence.next_fire(rule, anchor, max(now, start.timestamp()))
        else:
            due = recurrence.next_fire(rule, anchor, now)
    if now < due:
        if schedule.get("_next") is None:
            _claim(store, workspace, schedule, "_next", lambda _e: {"_anchor": anchor, "_next": due})
        return []
    following = recurrence.next_fire(rule, anchor, now)   # missed firings are not caught up
    if not _claim(store, workspace, schedule, "_next", lambda _e: {"_anchor": anchor, "_next": following,
                                                                    "_fired": True}):
        return []
    return [fire(store, workspace, schedule)]


def changed_blobs(store: Store, workspace: WorkspaceKey, trigger: dict, since: float) -> list[str]:
    """The blobs directly under the trigger's path (not in its sub-folders) added or changed after ``since``."""
    datastore = datastores.get(store, workspace, trigger["DataStoreName"])
    section = datastore["azureStorageSection"]
    prefix = trigger["PathOnDataStore"] + "/" if trigger.get("PathOnDataStore") else ""
    return [name for name, path in blobs.list_blobs(store.home, section["accountName"], section["containerName"],
                                                    prefix)
            if "/" not in name[len(prefix):] and path.stat().st_mtime > since]


def _tick_datastore(store: Store, workspace: WorkspaceKey, schedule: dict, now: float, clock: float) -> list[dict]:
    trigger = schedule["DataStoreTriggerInfo"]
    period = trigger["PollingInterval"] * 60.0
    if schedule.get("_next_poll") is None:
        _claim(store, workspace, schedule, "_next_poll", lambda _e: {"_next_poll": now + period})
        return []
    if now < schedule["_next_poll"]:
        return []
    since = schedule.get("_checked") or clock
    changed = changed_blobs(store, workspace, trigger, since)
    if not _claim(store, workspace, schedule, "_next_poll", lambda _e: {"_next_poll": now + period,
                                                                         "_checked": clock}):
        return []
    return [fire(store, workspace, schedule, blob) for blob in changed]


def tick(store: Store, workspace: WorkspaceKey, schedule: dict, now: float, clock: float | None = None) -> list[dict]:
    """Fire the schedule if it is due at ``now`` (the scheduler's clock); ``clock``: the machine's
    time, which a datastore's changes are compared with. Returns the runs it submitted."""
    if schedule["EntityStatus"] != "Active":
        return []
    if schedule["ScheduleType"] == "Recurrence":
        return _tick_recurrence(store, workspace, schedule, now)
    return _tick_datastore(store, workspace, schedule, now, time.time() if clock is None else clock)
