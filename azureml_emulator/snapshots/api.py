"""The content service routes the SDK's snapshot client calls (`_restclient/snapshots_client.py`)."""
from __future__ import annotations

from azureml_emulator.errors import BadRequest
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.snapshots import backend


def latest_metadata(request: Request) -> Reply:
    snapshot = backend.latest(request.store, request.workspace)
    return Reply(200, {"id": snapshot["id"], "root": snapshot["root"]} if snapshot else {"id": None, "root": {}})


def get_blob_urls(request: Request) -> Reply:
    names = request.json_object().get("FileNames")
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise BadRequest("FileNames must be a list of relative file paths")
    return Reply(200, {"fileNodes": backend.upload_urls(names)})


def create_snapshot(request: Request) -> Reply:
    backend.create(request.store, request.workspace, request.params["snapshot_id"], request.json_object())
    return Reply(200, {"id": request.params["snapshot_id"]})


def snapshot_zip(request: Request) -> Reply:
    return Reply(200, {"zipSasUri": backend.zip_url(request.store, request.workspace, request.params["snapshot_id"])})


ROUTES = (
    Route("GET", "/content/v1.0{workspace}/snapshots/latest/metadata", latest_metadata),
    Route("POST", "/content/v2.0{workspace}/snapshots/getblob", get_blob_urls),
    Route("POST", "/content/v2.0{workspace}/snapshots/{snapshot_id}", create_snapshot),
    Route("POST", "/content/v2.0{workspace}/snapshots/{snapshot_id}/zip", snapshot_zip),
)
