"""The MLflow REST API (``/mlflow/v2.0<workspace>/api/2.0/mlflow/...``) that azureml-mlflow's
tracking store calls: experiments, runs, metrics, parameters and tags. Errors are MLflow's
``{"error_code", "message"}``, which MLflow's client reads (a missing experiment is
``RESOURCE_DOES_NOT_EXIST``, so ``set_experiment`` creates it)."""
from __future__ import annotations

from typing import Callable

from azureml_emulator.errors import EmulatorError
from azureml_emulator.rest import paging
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend as runs
from azureml_emulator.tracking import backend
from azureml_emulator.tracking.backend import MlflowError

MLFLOW = "/mlflow/v2.0{workspace}/api/2.0/mlflow"


# MLflow's error codes for the emulator's own errors (a malformed body, an id that is not one...).
MLFLOW_CODES = {400: "INVALID_PARAMETER_VALUE", 404: "RESOURCE_DOES_NOT_EXIST", 409: "RESOURCE_ALREADY_EXISTS",
                501: "NOT_IMPLEMENTED"}


def mlflow_errors(handler: Callable[[Request], Reply]) -> Callable[[Request], Reply]:
    """Errors in MLflow's shape, ``{"error_code", "message"}``, which MLflow's client reads."""
    def answer(request: Request) -> Reply:
        try:
            return handler(request)
        except MlflowError as error:
            return Reply(error.status, {"error_code": error.code, "message": error.message})
        except EmulatorError as error:
            return Reply(error.status, {"error_code": MLFLOW_CODES.get(error.status, "INTERNAL_ERROR"),
                                        "message": error.message})
    answer.__doc__ = handler.__doc__
    return answer


@mlflow_errors
def get_experiment_by_name(request: Request) -> Reply:
    found = backend.experiment(request.store, request.workspace, name=request.query.get("experiment_name"))
    return Reply(200, {"experiment": backend.experiment_dto(found)})


@mlflow_errors
def get_experiment(request: Request) -> Reply:
    found = backend.experiment(request.store, request.workspace, experiment_id=request.query.get("experiment_id"))
    return Reply(200, {"experiment": backend.experiment_dto(found)})


@mlflow_errors
def create_experiment(request: Request) -> Reply:
    created = backend.create_experiment(request.store, request.workspace, str(request.json_object().get("name")))
    return Reply(200, {"experiment_id": created["experimentId"]})


@mlflow_errors
def search_experiments(request: Request) -> Reply:
    """A page of the experiments, oldest first: ``max_results`` of them and ``next_page_token``."""
    body = request.json_object()
    page = paging.paginate(runs.list_experiments(request.store, request.workspace), runs.experiment_key,
                           _max_results(body, paging.MLFLOW_RUNS_PAGE), body.get("page_token"))
    return Reply(200, {"experiments": [backend.experiment_dto(e) for e in page.items],
                       **({"next_page_token": page.token} if page.token else {})})


@mlflow_errors
def create_run(request: Request) -> Reply:
    run = backend.create_run(request.store, request.workspace, request.json_object())
    return Reply(200, {"run": backend.run_dto(request.store, request.workspace, run)})


@mlflow_errors
def update_run(request: Request) -> Reply:
    run = backend.update_run(request.store, request.workspace, request.json_object())
    return Reply(200, {"run_info": backend.run_dto(request.store, request.workspace, run)["info"]})


@mlflow_errors
def get_run(request: Request) -> Reply:
    run = backend.require_run(request.store, request.workspace, request.query.get("run_id") or
                              request.query.get("run_uuid") or "")
    return Reply(200, {"run": backend.run_dto(request.store, request.workspace, run)})


@mlflow_errors
def search_runs(request: Request) -> Reply:
    """The runs of the given experiments, newest first; MLflow's search filters and ordering are
    not emulated and say so, rather than answering unfiltered."""
    body = request.json_object()
    for unsupported in ("filter", "order_by"):
        if body.get(unsupported):
            raise MlflowError(501, "NOT_IMPLEMENTED", "not emulated by azureml_emulator: MLflow run search with "
                              "{} {!r}".format(unsupported, body[unsupported]))
    wanted = {str(i) for i in body.get("experiment_ids") or []}
    found = [run for run in runs.list_runs(request.store, request.workspace) if run.get("experimentId") in wanted]
    page = paging.paginate(found, runs.run_key, _max_results(body, paging.MLFLOW_RUNS_PAGE), body.get("page_token"),
                           descending=True)
    return Reply(200, {"runs": [backend.run_dto(request.store, request.workspace, run) for run in page.items],
                       **({"next_page_token": page.token} if page.token else {})})


def _max_results(body: dict, default: int) -> int:
    """A search's page size, ``max_results`` (``default`` when absent)."""
    limit = body.get("max_results") or default
    if not isinstance(limit, int) or limit < 1:
        raise MlflowError(400, "INVALID_PARAMETER_VALUE", "max_results is {!r}: expected a positive whole number"
                          .format(limit))
    return limit


LISTS = ("metrics", "params", "tags")


def _logger(one: str | None) -> Callable[[Request], Reply]:
    """log-metric, log-parameter and set-tag carry one entry of the list ``one`` names;
    log-batch (``one`` None) carries all three lists."""
    @mlflow_errors
    def log(request: Request) -> Reply:
        body = request.json_object()
        run_id = str(body.get("run_id") or body.get("run_uuid") or "")
        if one is None:
            lists = {name: body.get(name) or [] for name in LISTS}
        else:
            lists = {name: [] for name in LISTS}
            lists[one] = [{key: body.get(key) for key in ("key", "value", "timestamp", "step")}]
        backend.log_batch(request.store, request.workspace, run_id, lists["metrics"], lists["params"], lists["tags"])
        return Reply(200, {})
    return log


@mlflow_errors
def metric_history(request: Request) -> Reply:
    return Reply(200, {"metrics": backend.metric_history(request.store, request.workspace,
                                                         request.query.get("run_id") or "",
                                                         request.query.get("metric_key") or "")})


def no_logged_models(request: Request) -> Reply:
    """MLflow 3's logged-models API, which ``mlflow.<flavor>.log_model``, autolog's model and
    registering a run's model call first. Azure ML's MLflow server does not have it: it answers
    404 with an empty body (Azure/azure-sdk-for-python#44896), and so does the emulator, so a
    notebook stops here exactly as it stops on Azure."""
    return Reply(404, b"", {"Content-Length": "0"})


ROUTES = (
    Route("GET", MLFLOW + "/experiments/get-by-name", get_experiment_by_name),
    Route("GET", MLFLOW + "/experiments/get", get_experiment),
    Route("POST", MLFLOW + "/experiments/create", create_experiment),
    Route("POST", MLFLOW + "/experiments/search", search_experiments),
    Route("POST", MLFLOW + "/runs/create", create_run),
    Route("POST", MLFLOW + "/runs/update", update_run),
    Route("GET", MLFLOW + "/runs/get", get_run),
    Route("POST", MLFLOW + "/runs/search", search_runs),
    Route("POST", MLFLOW + "/runs/log-metric", _logger("metrics")),
    Route("POST", MLFLOW + "/runs/log-parameter", _logger("params")),
    Route("POST", MLFLOW + "/runs/set-tag", _logger("tags")),
    Route("POST", MLFLOW + "/runs/log-batch", _logger(None)),
    Route("GET", MLFLOW + "/metrics/get-history", metric_history),
    Route("POST", MLFLOW + "/logged-models", no_logged_models),
    *(Route(method, MLFLOW + "/logged-models/{rest:path}", no_logged_models)
      for method in ("GET", "POST", "PATCH", "DELETE")),
)
