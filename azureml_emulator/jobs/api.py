"""Execution service routes (`azureml/_execution/_commands.py`): submitting a snapshot
run to a compute cluster, a run on the 'local' target, and cancelling a cluster run
through its ``cancelUri``."""
from __future__ import annotations

import io
import zipfile

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


# What the SDK starts after a local run's request (it unzips our answer into its copy of the
# source directory and runs azureml-setup/Invocation.sh). The emulator has started the job
# already, so the script only says so.
INVOCATION = """#!/bin/bash
# azureml_emulator started this run's job ({run_id}) when the run was submitted.
# Its log is the run's user_logs/std_log.txt; run.cancel() or azureml-setup/killfile stops it.
exit 0
"""


def local_run(request: Request) -> Reply:
    run_id = request.query.get("runId")
    if not run_id:
        raise BadRequest("Query parameter 'runId' is missing: expected the id of the run to create")
    backend.submit_local(request.store, request.workspace, request.params["experiment"], run_id,
                         request.json_file("definition.json"), request.emulator.environments)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as invocation:
        invocation.writestr("azureml-setup/Invocation.sh", INVOCATION.format(run_id=run_id))
    return Reply(200, archive.getvalue(), {"Content-Type": "application/zip"})


def cancel(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"], request.params["experiment"])
    backend.cancel(request.store, request.workspace, request.params["run_id"])
    return Reply(200, b"")


ROUTES = (
    Route("POST", EXECUTION + "/snapshotrun", snapshot_run),
    Route("POST", EXECUTION + "/localrun", local_run),
    Route("POST", EXECUTION + "/runId/{run_id}/cancel", cancel),
)
