"""The pipeline service (``/pipelines/v1.0``; the SDK's client is
`azureml/pipeline/core/_restclients/aeva/aml_pipelines_api10.py`, its host from service
discovery): data types, modules and data sources the SDK creates while it builds a pipeline,
pipeline runs (create, submit, status, each step's status, outputs and logs, cancel),
published pipelines (publish, get, list, enable and disable, submit through their REST endpoint)
and pipeline endpoints (create, get by id or name, list, versions and the default, submit).

Schedules are `schedules_api`'s, drafts `drafts_api`'s, Azure ML modules (`Module`/`ModuleVersion`)
`modules_api`'s. Templates and pipeline views are not emulated: the router answers them with its
"not emulated" error naming the operation (`rest.catalogue`).
"""
from __future__ import annotations

from azureml_emulator.errors import BadRequest, NotEmulated, Unauthorized
from azureml_emulator.pipelines import backend, catalog, endpoints, entities, published
from azureml_emulator.rest import catalogue
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Handler, Route

PIPELINES = "/pipelines/v1.0{workspace}"


def list_data_types(request: Request) -> Reply:
    return Reply(200, catalog.data_types(request.store, request.workspace))


def create_data_type(request: Request) -> Reply:
    return Reply(200, catalog.create_data_type(request.store, request.workspace, request.json_object()))


def update_data_type(request: Request) -> Reply:
    return Reply(200, catalog.update_data_type(request.store, request.workspace, request.params["id"],
                                               request.json_object()))


def create_module(request: Request) -> Reply:
    return Reply(200, catalog.create_module(request.store, request.workspace, request.json_object()))


def get_module(request: Request) -> Reply:
    module = entities.public(catalog.get_module(request.store, request.workspace, request.params["id"]))
    return Reply(200, catalog.module_info(module))


def module_by_hash(request: Request) -> Reply:
    return Reply(200, catalog.module_info(catalog.module_by_hash(request.store, request.workspace,
                                                                 request.params["hash"])))


def create_data_source(request: Request) -> Reply:
    return Reply(200, catalog.create_data_source(request.store, request.workspace, request.json_object()))


def get_data_source(request: Request) -> Reply:
    return Reply(200, catalog.get_data_source(request.store, request.workspace, request.params["id"]))


def data_source_by_hash(request: Request) -> Reply:
    return Reply(200, catalog.data_source_by_hash(request.store, request.workspace, request.params["hash"]))


def get_graph(request: Request) -> Reply:
    return Reply(200, entities.public(backend.get_graph(request.store, request.workspace, request.params["graph_id"])))


def get_graph_interface(request: Request) -> Reply:
    graph = backend.get_graph(request.store, request.workspace, request.params["graph_id"])
    return Reply(200, graph.get("_interface") or {})


def create_unsubmitted(request: Request) -> Reply:
    experiment = request.query.get("experimentName")
    if not experiment:
        raise BadRequest("Query parameter 'experimentName' is missing: expected the experiment of the pipeline run")
    run = backend.create_unsubmitted(request.store, request.workspace, experiment, request.json_object())
    return Reply(200, entities.public(run))


def submit(request: Request) -> Reply:
    backend.submit(request.store, request.workspace, request.params["run_id"], request.emulator.environments,
                   parent_run_id=request.query.get("parentRunId"))
    return Reply(200, b"")


def get_pipeline_run(request: Request) -> Reply:
    run = backend.get_pipeline_run(request.store, request.workspace, request.params["run_id"])
    return Reply(200, entities.public(run))


def cancel(request: Request) -> Reply:
    backend.cancel(request.store, request.workspace, request.params["run_id"])
    return Reply(200, b"")


def _node_id(request: Request) -> str:
    path = request.json_list()
    if len(path) != 1 or not isinstance(path[0], str):
        raise BadRequest("The body is {!r}: expected the node's path, a list of one node id".format(path))
    return path[0]


def node_status_code(request: Request) -> Reply:
    status = backend.node_status(request.store, request.workspace, request.params["run_id"], _node_id(request))
    return Reply(200, status["StatusCode"])


def node_status(request: Request) -> Reply:
    return Reply(200, backend.node_status(request.store, request.workspace, request.params["run_id"],
                                          _node_id(request)))


def all_node_statuses(request: Request) -> Reply:
    return Reply(200, backend.node_statuses(request.store, request.workspace, request.params["run_id"]))


def all_node_status_codes(request: Request) -> Reply:
    statuses = backend.node_statuses(request.store, request.workspace, request.params["run_id"])
    return Reply(200, {node: status["StatusCode"] for node, status in statuses.items()})


def node_outputs(request: Request) -> Reply:
    return Reply(200, backend.node_outputs(request.store, request.workspace, request.params["run_id"],
                                           _node_id(request)))


def _log(kind: str) -> Handler:
    def handler(request: Request) -> Reply:
        text = backend.node_log(request.store, request.workspace, request.params["run_id"], _node_id(request), kind)
        return Reply(200, text.encode("utf-8"), {"Content-Type": "text/plain; charset=utf-8"})
    return handler


def publish(request: Request) -> Reply:
    return Reply(200, published.create(request.store, request.workspace, request.json_object()))


def get_published(request: Request) -> Reply:
    if request.params["pipeline_id"] == "View":   # Pipelines/View, a listing the emulator does not answer
        raise NotEmulated(catalogue.describe(request.method, request.path))
    return Reply(200, published.get(request.store, request.workspace, request.params["pipeline_id"]))


def list_published(request: Request) -> Reply:
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    return Reply(200, published.list_all(request.store, request.workspace, active_only))


def set_published_status(request: Request) -> Reply:
    published.set_status(request.store, request.workspace, request.params["pipeline_id"], request.json())
    return Reply(200, b"")


def _require_token(request: Request) -> None:
    """A REST endpoint of a published pipeline or pipeline endpoint answers only a caller with a bearer token."""
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        raise Unauthorized("The request has no bearer token: send an Authorization header with an Azure AD token "
                           "(ws._auth_object.get_authentication_header())")


def submit_published(request: Request) -> Reply:
    """``published.submit`` and the published pipeline's REST endpoint."""
    _require_token(request)
    run = published.submit(request.store, request.workspace, request.params["pipeline_id"], request.json_object(),
                           request.emulator.environments, parent_run_id=request.query.get("parentRunId"))
    return Reply(200, entities.public(run))


def runs_of_published(request: Request) -> Reply:
    return Reply(200, [entities.public(run) for run in published.runs_of(request.store, request.workspace,
                                                                 request.params["pipeline_id"])])


def create_endpoint(request: Request) -> Reply:
    return Reply(200, endpoints.create(request.store, request.workspace, request.json_object()))


def get_endpoint(request: Request) -> Reply:
    return Reply(200, endpoints.get(request.store, request.workspace, request.params["endpoint_id"]))


def get_endpoint_by_name(request: Request) -> Reply:
    return Reply(200, endpoints.get_by_name(request.store, request.workspace, request.query.get("Name") or ""))


def list_endpoints(request: Request) -> Reply:
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    return Reply(200, endpoints.list_all(request.store, request.workspace, active_only))


def update_endpoint(request: Request) -> Reply:
    return Reply(200, endpoints.update(request.store, request.workspace, request.params["endpoint_id"],
                                       request.json_object()))


def submit_endpoint(request: Request) -> Reply:
    """``endpoint.submit`` and the pipeline endpoint's REST URL: a version is picked by
    ``?pipelineVersion=`` or, as the SDK's client also sends it, a last path segment."""
    _require_token(request)
    version = request.query.get("pipelineVersion") or request.params.get("pipeline_version")
    run = endpoints.submit(request.store, request.workspace, request.params["endpoint_id"], request.json_object(),
                           request.emulator.environments, version, parent_run_id=request.query.get("parentRunId"))
    return Reply(200, entities.public(run))


def submit_endpoint_by_name(request: Request) -> Reply:
    """The endpoint's REST URL by name, ``.../PipelineEndpointSubmit/Name?name=<name>&pipelineVersion=<v>``,
    which Microsoft's versioned-endpoint sample posts to (the SDK's client has no operation for it)."""
    _require_token(request)
    endpoint = endpoints.get_by_name(request.store, request.workspace, request.query.get("name") or "")
    run = endpoints.submit(request.store, request.workspace, endpoint["Id"], request.json_object(),
                           request.emulator.environments, request.query.get("pipelineVersion"),
                           parent_run_id=request.query.get("parentRunId"))
    return Reply(200, entities.public(run))


def endpoint_pipelines(request: Request) -> Reply:
    active_only = request.query.get("activeOnly", "true").lower() != "false"
    return Reply(200, endpoints.pipelines(request.store, request.workspace, request.params["endpoint_id"],
                                          active_only))


def _both(method: str, path: str, handler: Handler) -> tuple[Route, Route]:
    """A pipeline-run operation the service answers under both ``PipelineRuns`` and its older name ``Experiments``."""
    return (Route(method, PIPELINES + "/PipelineRuns" + path, handler),
            Route(method, PIPELINES + "/Experiments" + path, handler))


ROUTES = (
    Route("GET", PIPELINES + "/DataTypes", list_data_types),
    Route("POST", PIPELINES + "/DataTypes", create_data_type),
    Route("PUT", PIPELINES + "/DataTypes/{id}", update_data_type),
    Route("POST", PIPELINES + "/Modules", create_module),
    Route("GET", PIPELINES + "/Modules/Hash/{hash}", module_by_hash),
    Route("GET", PIPELINES + "/Modules/{id}", get_module),
    Route("POST", PIPELINES + "/DataSources", create_data_source),
    Route("GET", PIPELINES + "/DataSources/Hash/{hash}", data_source_by_hash),
    Route("GET", PIPELINES + "/DataSources/{id}", get_data_source),
    Route("GET", PIPELINES + "/Graphs/{graph_id}", get_graph),
    Route("GET", PIPELINES + "/Graphs/{graph_id}/Interface", get_graph_interface),
    Route("POST", PIPELINES + "/Pipelines/Create", publish),
    Route("GET", PIPELINES + "/Pipelines", list_published),
    Route("GET", PIPELINES + "/Pipelines/{pipeline_id}", get_published),
    Route("PUT", PIPELINES + "/Pipelines/{pipeline_id}/status", set_published_status),
    Route("POST", PIPELINES + "/PipelineRuns/PipelineSubmit/{pipeline_id}", submit_published),
    Route("GET", PIPELINES + "/PipelineRuns/Pipeline/{pipeline_id}", runs_of_published),
    Route("POST", PIPELINES + "/PipelineEndpoints/Create", create_endpoint),
    Route("GET", PIPELINES + "/PipelineEndpoints/Id/{endpoint_id}", get_endpoint),
    Route("GET", PIPELINES + "/PipelineEndpoints/Name", get_endpoint_by_name),
    Route("GET", PIPELINES + "/PipelineEndpoints", list_endpoints),
    Route("PUT", PIPELINES + "/PipelineEndpoints/{endpoint_id}", update_endpoint),
    Route("GET", PIPELINES + "/PipelineEndpoints/{endpoint_id}/pipelines", endpoint_pipelines),
    Route("POST", PIPELINES + "/PipelineRuns/PipelineEndpointSubmit/Id/{endpoint_id}", submit_endpoint),
    Route("POST", PIPELINES + "/PipelineRuns/PipelineEndpointSubmit/Id/{endpoint_id}/{pipeline_version}",
          submit_endpoint),
    Route("POST", PIPELINES + "/PipelineRuns/PipelineEndpointSubmit/Name", submit_endpoint_by_name),
    *_both("POST", "/Unsubmitted/CreationInfoWithGraph", create_unsubmitted),
    *_both("POST", "/Submit/{run_id}", submit),
    *_both("GET", "/{run_id}", get_pipeline_run),
    *_both("DELETE", "/{run_id}/Execution", cancel),
    *_both("POST", "/{run_id}/Graph/Node/StatusCode", node_status_code),
    *_both("POST", "/{run_id}/Graph/Node/Status", node_status),
    *_both("POST", "/{run_id}/Graph/AllNodes/Status", all_node_statuses),
    *_both("POST", "/{run_id}/Graph/AllNodes/StatusCode", all_node_status_codes),
    *_both("POST", "/{run_id}/Outputs", node_outputs),
    *_both("POST", "/{run_id}/Graph/Shareable/STDOUT", _log("stdout")),
    *_both("POST", "/{run_id}/Graph/Shareable/STDERR", _log("stderr")),
    *_both("POST", "/{run_id}/Graph/Shareable/JobLog", _log("joblog")),
)
