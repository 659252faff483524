"""The datastore service (`_restclient/operations/data_stores_operations.py`): get, list,
register, overwrite, unregister and the workspace's default. Every datastore is answered
with the emulator's storage endpoint, so the SDK's storage client transfers its blobs to
the emulated Blob service, whatever endpoint it was registered with."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_HOST
from azureml_emulator.datastores import backend
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

DATASTORES = "/datastore/v1.0{workspace}"
PAGE = 100


def datastore_dto(record: dict) -> dict:
    section = record["azureStorageSection"]
    credential = "AccountKey" if section.get("accountKey") else "Sas" if section.get("sasToken") else "None"
    return {"name": record["name"], "dataStoreType": record["dataStoreType"], "hasBeenValidated": True, "tags": {},
            "azureStorageSection": {**section, "endpoint": EMULATOR_HOST, "credentialType": credential,
                                    "isSas": credential == "Sas", "subscriptionId": None, "resourceGroup": None,
                                    "serviceDataAccessAuthIdentity": "None"}}


def get(request: Request) -> Reply:
    return Reply(200, datastore_dto(backend.get(request.store, request.workspace, request.params["name"])))


def get_default(request: Request) -> Reply:
    return Reply(200, datastore_dto(backend.default(request.store, request.workspace)))


def set_default(request: Request) -> Reply:
    backend.set_default(request.store, request.workspace, request.params["name"])
    return Reply(200, b"")


def list_datastores(request: Request) -> Reply:
    records = backend.list_all(request.store, request.workspace)
    try:
        start = int(request.query.get("continuationToken") or 0)
        count = int(request.query.get("count") or PAGE)
    except ValueError:
        start, count = 0, PAGE
    page = records[start:start + max(count, 1)]
    more = start + len(page) < len(records)
    return Reply(200, {"value": [datastore_dto(r) for r in page],
                       "continuationToken": str(start + len(page)) if more else None, "nextLink": None})


def register(request: Request) -> Reply:
    backend.register(request.store, request.workspace, request.json_object(), overwrite=False)
    return Reply(200, b"")


def overwrite(request: Request) -> Reply:
    body = {**request.json_object(), "name": request.params["name"]}
    backend.register(request.store, request.workspace, body, overwrite=True)
    return Reply(200, b"")


def unregister(request: Request) -> Reply:
    backend.unregister(request.store, request.workspace, request.params["name"])
    return Reply(200, b"")


ROUTES = (
    Route("GET", DATASTORES + "/default", get_default),
    Route("PUT", DATASTORES + "/default/{name}", set_default),
    Route("GET", DATASTORES + "/datastores", list_datastores),
    Route("POST", DATASTORES + "/datastores", register),
    Route("GET", DATASTORES + "/datastores/{name}", get),
    Route("PUT", DATASTORES + "/datastores/{name}", overwrite),
    Route("DELETE", DATASTORES + "/datastores/{name}", unregister),
)
