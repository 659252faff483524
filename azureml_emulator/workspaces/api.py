"""Service discovery: where a workspace's Azure ML services live. Every one of them is
at the emulator's host, so the SDK's clients that look their endpoint up themselves
(datastores, datasets) reach the emulator, and get its answer or its clear
"not emulated" error. And the workspaces as Resource Manager lists and describes them."""
from __future__ import annotations

from azureml_emulator.addresses import ARM
from azureml_emulator.errors import NotEmulated, found
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.workspaces import backend


def discovery(request: Request) -> Reply:
    return Reply(200, backend.service_endpoints())


def get_workspace(request: Request) -> Reply:
    key = request.workspace
    return Reply(200, found(backend.find(request.store, key.subscription_id, key.resource_group, key.name),
                            "The Resource '{}/{}' under resource group '{}'".format(
                                backend.PROVIDER, key.name, key.resource_group), "ResourceNotFound"))


def list_in_resource_group(request: Request) -> Reply:
    return Reply(200, {"value": backend.list_arm(request.store, request.params["subscription"],
                                                 request.params["resource_group"]), "nextLink": None})


def list_resources(request: Request) -> Reply:
    """The subscription's resources of one type; only workspaces are emulated."""
    wanted = "resourceType eq '{}'".format(backend.PROVIDER)
    if request.query.get("$filter", "").strip() != wanted:
        raise NotEmulated("listing a subscription's resources other than workspaces (filter {!r})"
                          .format(request.query.get("$filter")))
    return Reply(200, {"value": [{key: resource[key] for key in ("id", "name", "type", "location", "tags")}
                                 for resource in backend.list_arm(request.store, request.params["subscription"])],
                       "nextLink": None})


ROUTES = (
    Route("GET", "/discovery", discovery),
    Route("GET", "{workspace}", get_workspace, host=ARM),
    Route("GET", "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/"
                 "Microsoft.MachineLearningServices/workspaces", list_in_resource_group, host=ARM),
    Route("GET", "/subscriptions/{subscription}/resources", list_resources, host=ARM),
)
