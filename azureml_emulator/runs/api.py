"""Run history routes (`_restclient/operations/{experiment,run,events}_operations.py`):
experiments, runs (by experiment name, experiment id or workspace), their details with
the log files `wait_for_completion` streams, and status events."""
from __future__ import annotations

from azureml_emulator.addresses import EMULATOR_BASE_URL
from azureml_emulator.artifacts import backend as artifacts
from azureml_emulator.errors import BadRequest, EmulatorError, NotEmulated, found
from azureml_emulator.fields import check_fields
from azureml_emulator.ids import ArtifactId
from azureml_emulator.rest import odata, paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend

HISTORY = "/history/v1.0{workspace}"
# The JSON types of the fields of a run a client may send (RunDto).
RUN_FIELDS_SENT = {"properties": "object", "tags": "object", "status": "string", "name": "string",
                   "displayName": "string", "description": "string", "hidden": "boolean", "parentRunId": "string",
                   "rootRunId": "string", "target": "string", "runType": "string", "runTypeV2": "object"}
EVENT_FIELDS = {"name": "string", "data": "object"}   # a run event (BaseEvent)
LOG_FOLDERS = ("azureml-logs", "user_logs", "system_logs", "logs")


def run_dto(request: Request, run: dict) -> dict:
    dto = {k: v for k, v in run.items() if k not in ("runDefinition", "experimentName")}
    if run.get("target") and run.get("runType") == "azureml.scriptrun":
        dto["cancelUri"] = "{}/execution/v1.0{}/experiments/{}/runId/{}/cancel".format(
            EMULATOR_BASE_URL, request.workspace.scope, run["experimentName"], run["runId"])
    return dto


def log_files(request: Request, run: dict) -> dict[str, str]:
    container = ArtifactId("ExperimentRun", run["dataContainerId"])
    found = {}
    for folder in LOG_FOLDERS:
        for artifact in artifacts.files_under(request.store.home, container.child(folder)):
            found[artifact.path] = artifacts.content_url(artifact)
    return found


def _experiment_name(request: Request) -> str | None:
    if "experiment" in request.params:
        return request.params["experiment"]
    if "experiment_id" in request.params:
        experiment_id = request.params["experiment_id"]
        return found(backend.experiment_by_id(request.store, request.workspace, experiment_id),
                     "Experiment " + experiment_id, "ExperimentNotFound")["name"]
    return None


def _run(request: Request) -> dict:
    run = backend.require(request.store, request.workspace, request.params["run_id"], _experiment_name(request))
    return backend.refresh(request.store, request.workspace, run)


def get_experiment(request: Request) -> Reply:
    name = request.params["experiment"]
    return Reply(200, found(backend.get_experiment(request.store, request.workspace, name),
                            "Experiment " + name, "ExperimentNotFound"))


def get_experiment_by_id(request: Request) -> Reply:
    return Reply(200, found(backend.experiment_by_id(request.store, request.workspace, request.params["experiment_id"]),
                            "Experiment " + request.params["experiment_id"], "ExperimentNotFound"))


def create_experiment(request: Request) -> Reply:
    return Reply(200, backend.create_experiment(request.store, request.workspace, request.params["experiment"]))


def query_experiments(request: Request) -> Reply:
    """A page of the workspace's experiments, oldest first: the query's ``top`` (Experiment.list
    asks none) and the ``continuationToken`` the SDK puts back in the query."""
    query = request.json_object()
    page = paging.paginate(backend.list_experiments(request.store, request.workspace), backend.experiment_key,
                           paging.page_size(query.get("top"), paging.RUN_HISTORY_PAGE),
                           query.get("continuationToken"))
    return Reply(200, paging.continuation_body(page))


def get_run(request: Request) -> Reply:
    return Reply(200, run_dto(request, _run(request)))


def patch_run(request: Request) -> Reply:
    experiment = _experiment_name(request)
    change = check_fields(request.json_object(), RUN_FIELDS_SENT, "Run " + request.params["run_id"])
    # PATCH is routed only under an experiment (by name or id), so its name is known.
    run = backend.patch(request.store, request.workspace, experiment, request.params["run_id"],  # type: ignore[arg-type]
                        change)
    return Reply(200, run_dto(request, run))


def batch_runs(request: Request) -> Reply:
    """Create or change several runs at once (``run.create_children(count=N)`` sends its children here)."""
    experiment = request.params["experiment"]
    changed, errors = {}, {}
    batch = request.json_object().get("runs") or []
    if not isinstance(batch, list) or not all(isinstance(dto, dict) for dto in batch):
        raise BadRequest("'runs' must be a list of run objects, each with a 'runId'")
    for dto in batch:
        run_id = dto.get("runId")
        if not isinstance(run_id, str) or not run_id:
            raise BadRequest("Each run of a batch needs a 'runId'")
        check_fields(dto, RUN_FIELDS_SENT, "Run " + run_id)
        try:
            changed[run_id] = run_dto(request, backend.patch(request.store, request.workspace, experiment, run_id, dto))
        except EmulatorError as error:
            errors[run_id] = {"error": {"code": error.code, "message": error.message}}
    return Reply(200, {"runs": changed, "errors": errors})


def batch_events(request: Request) -> Reply:
    """Post several runs' events at once (the children's start events); each names its run in ``data.RunId``."""
    errors = []
    events = request.json_object().get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) and isinstance(e.get("data") or {}, dict)
                                               for e in events):
        raise BadRequest("'events' must be a list of event objects, each with a 'data' object naming its RunId")
    for event in events:
        check_fields(event, EVENT_FIELDS, "A run event")
        run_id = (event.get("data") or {}).get("RunId")
        try:
            backend.post_event(request.store, request.workspace, str(run_id), event)
        except EmulatorError as error:
            errors.append({"key": event, "value": {"error": {"code": error.code, "message": error.message}}})
    return Reply(200, {"errors": errors})


def run_details(request: Request) -> Reply:
    run = _run(request)
    details = {key: run.get(key) for key in ("runId", "target", "status", "parentRunId", "startTimeUtc",
                                              "endTimeUtc", "error", "warnings", "properties", "runDefinition")}
    details.update(logFiles=log_files(request, run), inputDatasets=run.get("inputDatasets") or [],
                   submittedBy=run["createdBy"]["userName"])
    return Reply(200, details)


def post_event(request: Request) -> Reply:
    _run(request)
    event = check_fields(request.json_object(), EVENT_FIELDS, "The run event")
    return Reply(200, run_dto(request, backend.post_event(request.store, request.workspace, request.params["run_id"],
                                                          event)))


# What the SDK's run filters name (`_restclient/_odata/constants.py`), in the stored run.
RUN_FIELDS = {"RunId": "runId", "Status": "status", "RunType": "runType", "ParentRunId": "parentRunId",
              "CreatedUtc": "createdUtc", "Target": "target", "Name": "name", "DisplayName": "displayName"}


def run_field(run: dict) -> odata.Field:
    def value(path: str) -> object:
        head, _, key = path.partition("/")
        if head in ("Tags", "Properties") and key:
            return run[head.lower()].get(key, odata.MISSING)
        if head in RUN_FIELDS and not key:
            return run.get(RUN_FIELDS[head])
        if head == "RunTypeV2" and key:
            v2 = run.get("runTypeV2") or {}
            if key == "Orchestrator":
                return v2.get("orchestrator")
            if key.startswith("Traits/"):   # a trait is there or not; the SDK asks `ne null or eq null`
                return key[len("Traits/"):] if key[len("Traits/"):] in (v2.get("traits") or []) else odata.MISSING
        raise NotEmulated("filtering runs by {!r}".format(path))
    return value


def query_runs(request: Request) -> Reply:
    """A page of an experiment's runs, newest first, that match the query's OData filter (tags,
    properties, type, status, children...): the query's ``top`` (the SDK asks 500) and the
    ``continuationToken`` it puts back in the query."""
    query = request.json_object()
    runs = [backend.refresh(request.store, request.workspace, run)
            for run in backend.list_runs(request.store, request.workspace, _experiment_name(request))]
    runs = [run for run in runs if odata.matches(query.get("filter"), run_field(run))]
    page = paging.paginate(runs, backend.run_key, paging.page_size(query.get("top"), paging.RUN_HISTORY_PAGE),
                           query.get("continuationToken"), descending=True)
    return Reply(200, paging.continuation_body(page, lambda run: run_dto(request, run)))


def children(request: Request) -> Reply:
    """A page of a run's children, oldest first: ``$top`` of them (the SDK asks 500) and the
    ``continuationToken`` it sends back as ``$continuationToken``."""
    parent = _run(request)["runId"]
    kids = [run for run in backend.list_runs(request.store, request.workspace) if run.get("parentRunId") == parent]
    page = paging.paginate(kids, backend.run_key, paging.page_size(request.query.get("$top"), paging.RUN_HISTORY_PAGE),
                           request.query.get("$continuationToken"))
    return Reply(200, paging.continuation_body(page, lambda run: run_dto(request, run)))


def delete_tags(request: Request) -> Reply:
    _run(request)
    names = request.json_list()
    if not all(isinstance(name, str) for name in names):
        raise BadRequest("The body must be a list of tag names")
    return Reply(200, run_dto(request, backend.delete_tags(request.store, request.workspace,
                                                           request.params["run_id"], names)))


def ingest_wait(request: Request) -> Reply:
    _run(request)
    return Reply(200, b"")   # metrics are stored as they arrive: nothing is ever pending


RUN_ROUTES = (
    ("GET", "", get_run), ("PATCH", "", patch_run), ("GET", "/details", run_details),
    ("POST", "/events", post_event), ("GET", "/children", children), ("GET", "/metricsingest/wait", ingest_wait),
    ("DELETE", "/tags", delete_tags),
)

ROUTES = (
    Route("POST", HISTORY + "/experiments:query", query_experiments),
    Route("GET", HISTORY + "/experiments/{experiment}", get_experiment),
    Route("POST", HISTORY + "/experiments/{experiment}", create_experiment),
    Route("GET", HISTORY + "/experimentids/{experiment_id}", get_experiment_by_id),
    Route("POST", HISTORY + "/experiments/{experiment}/runs:query", query_runs),
    Route("GET", HISTORY + "/runs/{run_id}", get_run),
    Route("PATCH", HISTORY + "/experiments/{experiment}/batch/runs", batch_runs),
    Route("POST", HISTORY + "/experiments/{experiment}/batch/events", batch_events),
) + tuple(Route(method, HISTORY + scope + "/runs/{run_id}" + suffix, handler)
          for scope in ("/experiments/{experiment}", "/experimentids/{experiment_id}")
          for method, suffix, handler in RUN_ROUTES)
