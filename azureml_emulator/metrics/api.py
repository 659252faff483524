"""Metric service v2 routes (`_restclient/metrics_client.py`): the batches `run.log*` sends
from a job or a kernel, and the listing `get_metrics()` reads back; and run history's metric
query over an experiment's runs, which the run widget sends for a run's children."""
from __future__ import annotations

from azureml_emulator.errors import BadRequest, NotFound
from azureml_emulator.metrics import backend
from azureml_emulator.rest.reply import Reply
from azureml_emulator.rest.request import Request
from azureml_emulator.rest.router import Route
from azureml_emulator.runs import backend as runs

SCOPE = "/metric/v2.0{workspace}/runs/{run_id}"
HISTORY = "/history/v1.0{workspace}/experiments/{experiment}"


def post_batch(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"])
    values = request.json_object().get("values")
    if not isinstance(values, list):
        raise BadRequest("The batch must have 'values': a list of metrics")
    backend.add(request.store, request.workspace, request.params["run_id"], values)
    return Reply(200, {})


def list_metrics(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"])
    return Reply(200, {"value": backend.names(request.store, request.workspace, request.params["run_id"]),
                       "continuationToken": None})


def full_metric(request: Request) -> Reply:
    runs.require(request.store, request.workspace, request.params["run_id"])
    name = request.json_object().get("metricName")
    metric = backend.full(request.store, request.workspace, request.params["run_id"], name)
    if metric is None:
        raise NotFound("Metric {!r} was not found on run {}".format(name, request.params["run_id"]),
                       code="MetricNotFound")
    return Reply(200, metric)


def query_metrics(request: Request) -> Reply:
    """RunMetricOperations.get_by_query: all on one page (no continuation token)."""
    expression = request.json_object().get("filter")
    return Reply(200, {"value": backend.query(request.store, request.workspace, request.params["experiment"],
                                              expression), "continuationToken": None})


ROUTES = (
    Route("POST", SCOPE + "/batch", post_batch),
    Route("POST", SCOPE + "/list", list_metrics),
    Route("POST", SCOPE + "/full", full_metric),
    Route("POST", HISTORY + "/metrics:query", query_metrics),
)
