"""The datastore service (`_restclient/operations/data_stores_operations.py`): get, list,
register, overwrite, unregister and the workspace's default. Every datastore is answered
with the emulator's storage endpoint, so the SDK's storage client transfers its blobs to
the emulated Blob service, whatever endpoint it was registered with."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_HOST
from azureml_emulator.datastores import backend
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

DATASTORES = "/datastore/v1.0{workspace}"


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
    """A page of the datastores by name: ``count`` of them (the SDK asks 100), and the
    ``continuationToken`` it sends back as a query parameter."""
    size = paging.page_size(request.query.get("count"), paging.DEFAULT_PAGE)
    page = paging.paginate(backend.list_all(request.store, request.workspace), lambda record: (record["name"],),
                           size, request.query.get("continuationToken"))
    return Reply(200, {**paging.continuation_body(page, datastore_dto), "nextLink": None})


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
