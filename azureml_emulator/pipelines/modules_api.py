"""The pipeline service's Azure ML module routes (``/pipelines/v1.0/.../AzureMLModules`` and
``AzureMLModuleVersions``; the SDK's `Module` and `ModuleVersion` through `_aeva_provider`'s
`_AevaMlModuleProvider` and `_AevaMlModuleVersionProvider`): create, get by id or name and
update a module; create, get and update a version. The behaviour is `pipelines.modules`'."""
from __future__ import annotations

from azureml_emulator.pipelines import entities, modules
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

PIPELINES = "/pipelines/v1.0{workspace}"


def create(request: Request) -> Reply:
    return Reply(200, entities.public(modules.create(request.store, request.workspace, request.json_object())))


def get(request: Request) -> Reply:
    return Reply(200, entities.public(modules.get(request.store, request.workspace, request.params["id"])))


def get_by_name(request: Request) -> Reply:
    return Reply(200, entities.public(modules.get_by_name(request.store, request.workspace,
                                                         request.query.get("name") or "")))


def update(request: Request) -> Reply:
    return Reply(200, entities.public(modules.update(request.store, request.workspace, request.params["id"],
                                                    request.json_object())))


def create_version(request: Request) -> Reply:
    return Reply(200, modules.create_version(request.store, request.workspace, request.json_object()))


def get_version(request: Request) -> Reply:
    return Reply(200, modules.get_version(request.store, request.workspace, request.params["id"]))


def update_version(request: Request) -> Reply:
    return Reply(200, modules.update_version(request.store, request.workspace, request.params["id"],
                                             request.json_object()))


ROUTES = (
    Route("POST", PIPELINES + "/AzureMLModules", create),
    Route("GET", PIPELINES + "/AzureMLModules/Name", get_by_name),
    Route("GET", PIPELINES + "/AzureMLModules/{id}", get),
    Route("PUT", PIPELINES + "/AzureMLModules/{id}", update),
    Route("POST", PIPELINES + "/AzureMLModuleVersions", create_version),
    Route("GET", PIPELINES + "/AzureMLModuleVersions/{id}", get_version),
    Route("PUT", PIPELINES + "/AzureMLModuleVersions/{id}", update_version),
)
