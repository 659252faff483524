"""Experiments and runs as Azure's run history keeps them.

A run's states: NotStarted (submitted) -> Queued (waiting for a node of its cluster) ->
Preparing (its Environment is built) -> Running -> Finalizing (outputs uploaded) ->
Completed, or Failed / Canceled. Run ids are unique in a workspace; run numbers count up
per workspace. Every change is one transaction, so a job process and kernels can update
the same run safely.
"""
from __future__ import annotations

import getpass
import time
import uuid
from typing import Any, Callable

from azureml_emulator import processes
from azureml_emulator.errors import BadRequest, Conflict, NotFound
from azureml_emulator.ids import WorkspaceKey, data_container_id
from azureml_emulator.processes import ProcessRecord
from azureml_emulator.store import Store
from azureml_emulator.timestamps import iso, posix

ACTIVE = ("Preparing", "Running", "Finalizing")
WAITING = ("NotStarted", "Queued")
ERROR_EVENT = "Microsoft.MachineLearning.Run.Error"
TERMINAL = ("Completed", "Failed", "Canceled")
# The events the SDK posts (`_restclient/contracts/events.py`) and the state each one sets.
EVENT_STATES = {"Microsoft.MachineLearning.Run.Start": "Running",
                "Microsoft.MachineLearning.Run.Completed": "Completed",
                "Microsoft.MachineLearning.Run.Failed": "Failed",
                "Microsoft.MachineLearning.Run.Canceled": "Canceled",
                "Microsoft.MachineLearning.Run.CancelRequested": "CancelRequested"}


def user() -> dict[str, str | None]:
    name = getpass.getuser()
    return {"userObjectId": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)), "userName": name, "userIdp": None,
            "userTenantId": None}


# --- experiments -----------------------------------------------------------------------

def get_experiment(store: Store, workspace: WorkspaceKey, name: str) -> dict | None:
    rows = store.query("SELECT payload FROM experiments WHERE workspace=? AND name=?", (str(workspace), name))
    return store.loads(rows[0]["payload"]) if rows else None


def experiment_by_id(store: Store, workspace: WorkspaceKey, experiment_id: str) -> dict | None:
    for row in store.query("SELECT payload FROM experiments WHERE workspace=? AND id=?", (str(workspace), experiment_id)):
        return store.loads(row["payload"])
    return None


def create_experiment(store: Store, workspace: WorkspaceKey, name: str) -> dict:
    """The experiment named ``name``, created if it does not exist yet."""
    if not name or len(name) > 255 or not all(c.isalnum() or c in "-_" for c in name):
        raise BadRequest("Experiment name {!r} is invalid: it must be 1-255 letters, digits, dashes or underscores"
                         .format(name), code="ValidationError")
    now = time.time()
    payload: dict[str, Any] = {
        "experimentId": str(uuid.uuid4()), "name": name, "description": None, "createdUtc": iso(now),
        "lastModifiedUtc": iso(now), "tags": {}, "archivedTime": None, "latestCreatedRunCreatedUtc": None}
    with store.transaction() as db:
        row = db.execute("SELECT payload FROM experiments WHERE workspace=? AND name=?", (str(workspace), name)).fetchone()
        if row:
            return store.loads(row["payload"])
        db.execute("INSERT INTO experiments (workspace, name, id, created, payload) VALUES (?, ?, ?, ?, ?)",
                   (str(workspace), name, payload["experimentId"], now, store.dumps(payload)))
    return payload


def experiment_key(experiment: dict) -> tuple:
    """The order of experiment listings: creation time, then id."""
    return (posix(experiment["createdUtc"]), experiment["experimentId"])


def run_key(run: dict) -> tuple:
    """The order of run listings (newest first, when reversed): run number, then id."""
    return (int(run.get("runNumber") or 0), run["runId"])


def list_experiments(store: Store, workspace: WorkspaceKey) -> list[dict]:
    return [store.loads(r["payload"]) for r in store.query(
        "SELECT payload FROM experiments WHERE workspace=? ORDER BY created", (str(workspace),))]


# --- runs ------------------------------------------------------------------------------

def _next_number(db: Any, workspace: WorkspaceKey) -> int:
    row = db.execute("SELECT MAX(number) AS n FROM runs WHERE workspace=?", (str(workspace),)).fetchone()
    return (row["n"] or 0) + 1


def create_run(store: Store, workspace: WorkspaceKey, experiment: str, run_id: str, fields: dict) -> dict:
    """A new run (status NotStarted unless ``fields`` says otherwise) in ``experiment``."""
    exp = create_experiment(store, workspace, experiment)
    now = time.time()
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM runs WHERE workspace=? AND run_id=?", (str(workspace), run_id)).fetchone():
            raise Conflict("Run {} already exists in this workspace".format(run_id), code="RunIdAlreadyExists")
        number = _next_number(db, workspace)
        run = {"runId": run_id, "rootRunId": fields.get("rootRunId") or run_id, "parentRunId": fields.get("parentRunId"),
               "runNumber": number, "experimentId": exp["experimentId"], "experimentName": experiment,
               "status": "NotStarted", "dataContainerId": data_container_id(run_id), "createdUtc": iso(now),
               "startTimeUtc": None, "endTimeUtc": None, "createdBy": user(), "properties": {}, "tags": {},
               "name": None, "displayName": run_id, "description": None, "hidden": False, "heartbeatEnabled": False,
               "runType": None, "runTypeV2": None, "target": None, "error": None, "warnings": None, "runDefinition": None}
        run.update({k: v for k, v in fields.items() if v is not None and k not in ("runNumber", "createdUtc")})
        db.execute("INSERT INTO runs (workspace, run_id, experiment, number, status, target, created, payload)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (str(workspace), run_id, experiment, number, run["status"],
                                                         run.get("target"), now, store.dumps(run)))
    return run


def get(store: Store, workspace: WorkspaceKey, run_id: str) -> dict | None:
    rows = store.query("SELECT payload FROM runs WHERE workspace=? AND run_id=?", (str(workspace), run_id))
    return store.loads(rows[0]["payload"]) if rows else None


def require(store: Store, workspace: WorkspaceKey, run_id: str, experiment: str | None = None) -> dict:
    run = get(store, workspace, run_id)
    if run is None or (experiment is not None and run["experimentName"] != experiment):
        raise NotFound("Run {} was not found{}".format(
            run_id, " in experiment {}".format(experiment) if experiment else ""), code="RunNotFound")
    return run


def update(store: Store, workspace: WorkspaceKey, run_id: str, change: Callable[[dict], None]) -> dict:
    """Apply ``change`` to the stored run in one transaction; returns the new run."""
    with store.transaction() as db:
        row = db.execute("SELECT payload FROM runs WHERE workspace=? AND run_id=?", (str(workspace), run_id)).fetchone()
        if row is None:
            raise NotFound("Run {} was not found".format(run_id), code="RunNotFound")
        run = store.loads(row["payload"])
        change(run)
        db.execute("UPDATE runs SET payload=?, status=?, target=? WHERE workspace=? AND run_id=?",
                   (store.dumps(run), run["status"], run.get("target"), str(workspace), run_id))
    return run


def _merge_properties(run: dict, properties: dict) -> None:
    for key, value in properties.items():
        if key in run["properties"] and run["properties"][key] != value:
            raise Conflict("Property {} already exists on run {} with the value {!r}; a run's properties cannot be "
                           "changed once set.".format(key, run["runId"], run["properties"][key]),
                           code="PropertyAlreadyExists")
    run["properties"].update({k: str(v) if v is not None else None for k, v in properties.items()})


def patch(store: Store, workspace: WorkspaceKey, experiment: str, run_id: str, body: dict) -> dict:
    """The run-history PATCH: creates the run when it does not exist, else merges the change."""
    if get(store, workspace, run_id) is None:
        create_run(store, workspace, experiment, run_id, {
            "status": body.get("status"), "parentRunId": body.get("parentRunId"),
            "rootRunId": body.get("rootRunId"), "target": body.get("target"), "runType": body.get("runType"),
            "runTypeV2": body.get("runTypeV2"), "name": body.get("name"), "description": body.get("description")})

    def change(run: dict) -> None:
        _merge_properties(run, body.get("properties") or {})
        run["tags"].update(body.get("tags") or {})
        for key in ("description", "displayName", "name", "hidden"):
            if body.get(key) is not None:
                run[key] = body[key]
        if body.get("status") and body["status"] != run["status"]:
            _client_may_set_status(run)
            if run["status"] not in TERMINAL:
                set_status_fields(run, body["status"])
    return update(store, workspace, run_id, change)


SYSTEM_MANAGED = "client is not permitted to update status for run. Status for this run is system managed"


def _client_may_set_status(run: dict) -> None:
    """A script run's status on a cluster belongs to its job (Azure refuses clients that set
    it); a local run's is posted from the user's machine (run.cancel() posts Canceled)."""
    if run.get("runType") == "azureml.scriptrun" and run.get("target") != "local":
        raise BadRequest(SYSTEM_MANAGED, code="UserError")


def set_status_fields(run: dict, status: str, error: dict | None = None) -> None:
    now = iso(time.time())
    if status == "Running" and not run.get("startTimeUtc"):
        run["startTimeUtc"] = now
    if status in TERMINAL:
        run["startTimeUtc"] = run.get("startTimeUtc") or now
        run["endTimeUtc"] = now
    if error is not None:
        run["error"] = error
    run["status"] = status


def set_status(store: Store, workspace: WorkspaceKey, run_id: str, status: str, error: dict | None = None,
               unless_terminal: bool = True) -> dict:
    def change(run: dict) -> None:
        if unless_terminal and (run["status"] in TERMINAL or run["status"] == "CancelRequested"
                                and status not in TERMINAL):
            return   # a finished run stays finished; one asked to stop only moves to an end
        set_status_fields(run, status, error)
    return update(store, workspace, run_id, change)


def post_event(store: Store, workspace: WorkspaceKey, run_id: str, event: dict) -> dict:
    """A client's run event: a status change (start, complete, fail, cancel), or an error
    (``run.fail(error_details=...)`` posts one before failing the run)."""
    name = event.get("name")
    data = event.get("data")
    data = data if isinstance(data, dict) else {}
    if name == ERROR_EVENT and isinstance(data.get("ErrorResponse"), dict):
        def record(run: dict) -> None:
            run["error"] = data["ErrorResponse"]
        return update(store, workspace, run_id, record)
    if name not in EVENT_STATES:
        return require(store, workspace, run_id)   # heartbeats, warnings: nothing to change
    _client_may_set_status(require(store, workspace, run_id))
    return set_status(store, workspace, run_id, EVENT_STATES[name])


def delete_tags(store: Store, workspace: WorkspaceKey, run_id: str, names: list[str]) -> dict:
    def change(run: dict) -> None:
        for name in names:
            run["tags"].pop(name, None)
    return update(store, workspace, run_id, change)


def list_runs(store: Store, workspace: WorkspaceKey, experiment: str | None = None) -> list[dict]:
    """Newest first."""
    if experiment is None:
        rows = store.query("SELECT payload FROM runs WHERE workspace=? ORDER BY number DESC", (str(workspace),))
    else:
        rows = store.query("SELECT payload FROM runs WHERE workspace=? AND experiment=? ORDER BY number DESC",
                           (str(workspace), experiment))
    return [store.loads(r["payload"]) for r in rows]


def active_on_target(store: Store, workspace: WorkspaceKey, target: str) -> int:
    row = store.query("SELECT COUNT(*) AS n FROM runs WHERE workspace=? AND target=? AND status IN (?, ?, ?)",
                      (str(workspace), target, *ACTIVE))
    return row[0]["n"]


def running_on_target(store: Store, workspace: WorkspaceKey, target: str) -> list[str]:
    """The ids of the runs that hold a node of ``target`` now, oldest first."""
    return [row["run_id"] for row in store.query(
        "SELECT run_id FROM runs WHERE workspace=? AND target=? AND status IN (?, ?, ?) ORDER BY number",
        (str(workspace), target, *ACTIVE))]


def claim_node(store: Store, workspace: WorkspaceKey, run_id: str, max_nodes: int) -> str:
    """Move a waiting run to Preparing when its cluster has a free node, else leave it Queued.
    Older runs go first; runs whose job died first turn Failed, so they hold no node and
    block no queue. Returns the run's status afterwards."""
    target = require(store, workspace, run_id).get("target")
    for row in store.query("SELECT payload FROM runs WHERE workspace=? AND target=? AND status NOT IN (?, ?, ?) "
                           "AND run_id != ?", (str(workspace), target, *TERMINAL, run_id)):
        refresh(store, workspace, store.loads(row["payload"]))
    with store.transaction() as db:
        row = db.execute("SELECT payload, target, number FROM runs WHERE workspace=? AND run_id=?",
                         (str(workspace), run_id)).fetchone()
        run = store.loads(row["payload"])
        if run["status"] not in WAITING:
            return run["status"]
        busy = db.execute("SELECT COUNT(*) AS n FROM runs WHERE workspace=? AND target=? AND status IN (?, ?, ?)",
                          (str(workspace), row["target"], *ACTIVE)).fetchone()["n"]
        older = db.execute("SELECT COUNT(*) AS n FROM runs WHERE workspace=? AND target=? AND status IN (?, ?) "
                           "AND number < ?", (str(workspace), row["target"], *WAITING, row["number"])).fetchone()["n"]
        set_status_fields(run, "Preparing" if busy + older < max_nodes else "Queued")
        db.execute("UPDATE runs SET payload=?, status=? WHERE workspace=? AND run_id=?",
                   (store.dumps(run), run["status"], str(workspace), run_id))
        return run["status"]


def save_process(store: Store, workspace: WorkspaceKey, run_id: str, process: dict) -> None:
    with store.transaction() as db:
        db.execute("UPDATE runs SET process=? WHERE workspace=? AND run_id=?",
                   (store.dumps(process), str(workspace), run_id))


def run_error(code: str, message: str) -> dict:
    """A run's ``error``: Azure's ErrorResponse, which wait_for_completion raises as
    ActivityFailedException and the run widget shows."""
    return {"error": {"code": code, "message": message, "messageParameters": {}, "details": []},
            "time": iso(time.time())}


def refresh(store: Store, workspace: WorkspaceKey, run: dict) -> dict:
    """A run whose job process is gone without ending it has lost its node: it is Failed."""
    if run["status"] in TERMINAL:
        return run
    record = ProcessRecord.from_json(process_of(store, workspace, run["runId"]))
    if record is None or processes.is_alive(record):
        return run
    if run["status"] == "CancelRequested":   # asked to stop, and stopped
        return set_status(store, workspace, run["runId"], "Canceled")
    return set_status(store, workspace, run["runId"], "Failed", run_error(
        "ServiceError", "The run's job ended without finishing the run: its process (PID {}) is gone. See {} for "
        "what it printed.".format(record.pid, record.log)))


def stop_jobs(store: Store, workspace_runs: list[tuple[WorkspaceKey, dict]]) -> int:
    """Stop the jobs of these runs (their process group) and mark the unfinished ones Canceled;
    returns how many were stopped."""
    stopped = 0
    for workspace, run in workspace_runs:
        record = ProcessRecord.from_json(process_of(store, workspace, run["runId"]))
        if record is None or (run["status"] in TERMINAL and not processes.is_alive(record)):
            continue
        processes.stop(record)   # an ended run's job still running (its end was recorded first) ends too
        if run["status"] not in TERMINAL:
            set_status(store, workspace, run["runId"], "Canceled")
        stopped += 1
    return stopped


def all_runs(store: Store) -> list[tuple[WorkspaceKey, dict]]:
    return [(WorkspaceKey.parse(r["workspace"]), store.loads(r["payload"]))
            for r in store.query("SELECT workspace, payload FROM runs ORDER BY created")]


def process_of(store: Store, workspace: WorkspaceKey, run_id: str) -> dict | None:
    rows = store.query("SELECT process FROM runs WHERE workspace=? AND run_id=?", (str(workspace), run_id))
    return store.loads(rows[0]["process"]) if rows else None
