"""Environment registry endpoints: the REST calls of the SDK's EnvironmentClient."""
from __future__ import annotations

from azureml_emulator.environments import backend
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route

ENVS = "/environment/v1.0{workspace}/environments"


def register_environment(request: Request) -> Reply:
    definition = backend.register(request.store, request.workspace, request.params["name"],
                                  request.json_object(), request.params.get("version"))
    return Reply(200, definition)


def get_environment(request: Request) -> Reply:
    definition = backend.get(request.store, request.workspace, request.params["name"], request.params.get("version"))
    return Reply(200, definition)


def list_environments(request: Request) -> Reply:
    """A page of the environments (latest versions, curated ones too) by name, and the
    ``continuationToken`` that Environment.list sends back as the ``continuation`` parameter."""
    page = paging.paginate(backend.list_latest(request.store, request.workspace),
                           lambda definition: (definition["name"], str(definition.get("version"))),
                           paging.DEFAULT_PAGE, request.query.get("continuation"))
    return Reply(200, paging.continuation_body(page))


ROUTES = (
    Route("GET", ENVS, list_environments),
    Route("PUT", ENVS + "/{name}", register_environment),
    Route("GET", ENVS + "/{name}", get_environment),
    Route("PUT", ENVS + "/{name}/versions/{version}", register_environment),
    Route("GET", ENVS + "/{name}/versions/{version}", get_environment),
)
