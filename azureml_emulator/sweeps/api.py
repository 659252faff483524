"""The HyperDrive service (`azureml/train/restclients/hyperdrive/rest_client.py`): create a
sweep from the SDK's multipart config.json, and cancel one. The experiment's ARM scope is one
URL-quoted path segment (``subscriptions%2F...%2Fexperiments%2F<name>``)."""
from __future__ import annotations

from urllib.parse import unquote

from azureml_emulator.errors import BadRequest
from azureml_emulator.ids import WorkspaceKey
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.sweeps import backend

HYPERDRIVE = "/hyperdrive/v1.0/{scope}"


def _scope(request: Request) -> tuple[WorkspaceKey, str]:
    parts = unquote(request.params["scope"]).strip("/").split("/")
    if len(parts) != 10 or [parts[i] for i in (0, 2, 4, 5, 6, 8)] != [
            "subscriptions", "resourceGroups", "providers", "Microsoft.MachineLearningServices", "workspaces",
            "experiments"]:
        raise BadRequest("HyperDrive scope {!r} is not subscriptions/<id>/resourceGroups/<rg>/providers/"
                         "Microsoft.MachineLearningServices/workspaces/<ws>/experiments/<name>"
                         .format(unquote(request.params["scope"])))
    return WorkspaceKey(parts[1], parts[3], parts[7]), parts[9]


def create(request: Request) -> Reply:
    workspace, experiment = _scope(request)
    dto = backend.create(request.store, workspace, experiment, request.json_file("config.json"),
                         request.emulator.environments, run_id=request.params.get("run_id"))
    return Reply(201, {"code": 201, "result": dto})


def cancel(request: Request) -> Reply:
    workspace, _experiment = _scope(request)
    backend.cancel(request.store, workspace, request.params["run_id"])
    return Reply(200, {"code": 200, "result": "Cancellation requested for run {}".format(request.params["run_id"])})


ROUTES = (
    Route("POST", HYPERDRIVE + "/runs", create),
    Route("POST", HYPERDRIVE + "/hdruns/{run_id}", create),
    Route("POST", HYPERDRIVE + "/runs/{run_id}/cancel", cancel),
)
