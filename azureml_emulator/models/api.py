"""Model Management endpoints for assets and registered models.

The SDK's own ModelsClient and AssetsClient (msrest) call these over HTTP, so their
request building, paging and error handling are the real SDK's.
"""
from __future__ import annotations

from azureml_emulator.errors import EmulatorError
from azureml_emulator.models import backend
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.webservices import repository

MMS = "/modelmanagement/v1.0{workspace}"


class ModelInUse(EmulatorError):
    """Model Management's refusal to delete a model something still uses: 412 with a
    DeletionRequired detail, which the SDK's Model.delete turns into its own message."""

    status = 412
    code = "PreconditionFailed"


def create_asset(request: Request) -> Reply:
    return Reply(200, backend.create_asset(request.store, request.workspace, request.json_object()))


def get_asset(request: Request) -> Reply:
    return Reply(200, backend.get_asset(request.store, request.workspace, request.params["asset_id"]))


def register_model(request: Request) -> Reply:
    return Reply(200, backend.register(request.store, request.workspace, request.json_object()).payload)


def get_model(request: Request) -> Reply:
    return Reply(200, backend.get(request.store, request.workspace, request.params["model_id"]).payload)


def delete_model(request: Request) -> Reply:
    """Delete a model version, unless a web service serves it (Azure refuses that too)."""
    model = backend.get(request.store, request.workspace, request.params["model_id"])
    users = repository.services_using(request.store, request.workspace, str(model.id))
    if users:
        refusal = ModelInUse("Model {} is used by the web service(s) {}: delete them, or update them to other "
                             "models, before deleting it".format(model.id, ", ".join(users)))
        refusal.details = [{"code": "DeletionRequired", "message": refusal.message}]
        raise refusal
    backend.delete(request.store, request.workspace, request.params["model_id"])
    return Reply(200)


def patch_model(request: Request) -> Reply:
    model = backend.patch(request.store, request.workspace, request.params["model_id"], request.json_list())
    return Reply(200, model.payload)


def query_models(request: Request) -> Reply:
    """One page of the models the filters select, newest first: ``count`` of them (Model.list asks
    255, Model Management's most), and ``nextLink`` to the next page, with its ``$skipToken``."""
    size = paging.page_size(request.int_query("count"), paging.MMS_MAX_PAGE, paging.MMS_MAX_PAGE)
    page = paging.paginate(backend.query(request.store, request.workspace, request.query), backend.listing_key,
                           size, request.query.get("$skipToken"), descending=True)
    return Reply(200, {"value": page.items, "continuationToken": page.token,
                       "nextLink": paging.next_link(request.path, request.query, page.token)})


ROUTES = (
    Route("POST", MMS + "/assets", create_asset),
    Route("GET", MMS + "/assets/{asset_id}", get_asset),
    Route("POST", MMS + "/models", register_model),
    Route("GET", MMS + "/models", query_models),
    Route("GET", MMS + "/models/{model_id}", get_model),
    Route("PATCH", MMS + "/models/{model_id}", patch_model),
    Route("DELETE", MMS + "/models/{model_id}", delete_model),
)
