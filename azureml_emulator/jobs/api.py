"""Execution service routes (`azureml/_execution/_commands.py`): submitting a snapshot
run to a compute cluster, and cancelling it through the run's ``cancelUri``."""
from __future__ import annotations

from azureml_emulator.errors import BadRequest
from azureml_emulator.jobs import backend
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend as runs

EXECUTION = "/execution/v1.0{workspace}/experiments/{experiment}"


def snapshot_run(request: Request) -> Reply:
    run_id = request.query.get("runId")
    if not run_id:
        raise BadRequest("Query parameter 'runId' is missing: expected the id of the run to create")
    run = backend.submit(request.store, request.workspace, request.params["experiment"], run_id,
                         request.json_object(), request.emulator.environments)
    return Reply(200, {"runId": run["runId"], "runNumber": run["runNumber"], "status": run["status"]})


def cancel(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"], request.params["experiment"])
    backend.cancel(request.store, request.workspace, request.params["run_id"])
    return Reply(200, b"")


ROUTES = (
    Route("POST", EXECUTION + "/snapshotrun", snapshot_run),
    Route("POST", EXECUTION + "/runId/{run_id}/cancel", cancel),
)
